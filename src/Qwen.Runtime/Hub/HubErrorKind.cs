namespace Qwen.Runtime;

/// <summary>Why a <see cref="HubException"/> was thrown.</summary>
public enum HubErrorKind
{
    /// <summary>The Hub answered in a way the client does not understand.</summary>
    Protocol,

    /// <summary>The repository does not exist (or is private and no token gives access).</summary>
    RepositoryNotFound,

    /// <summary>The repository exists but the branch, tag or commit does not.</summary>
    RevisionNotFound,

    /// <summary>The repository is gated or private and the token is missing or not allowed.</summary>
    Unauthorized,

    /// <summary>The Hub could not be reached, or the connection broke more often than <see cref="HubOptions.MaxRetries"/> allows.</summary>
    Network,

    /// <summary>Offline mode is on and the model is not (completely) in the cache.</summary>
    NotCached,

    /// <summary>A downloaded file's sha256 or size differs from what the Hub announced.</summary>
    ChecksumMismatch,

    /// <summary>The cache's disk has too little free space for the download.</summary>
    DiskFull,

    /// <summary>The repository holds no checkpoint the runtime can load (no config.json, or no safetensors weights).</summary>
    UnsupportedCheckpoint,
}
