namespace Qwen.Runtime;

/// <summary>Where <see cref="HubClient"/> finds models: the Hugging Face Hub endpoint, the local cache, the token and offline mode.</summary>
/// <remarks>
/// Every setting left null is read from the environment the way Python's <c>huggingface_hub</c> reads it, so a cache and
/// a token set up for Python tools are used as they are: <c>HF_ENDPOINT</c>, <c>HF_HUB_CACHE</c>, <c>HF_HOME</c>,
/// <c>HF_TOKEN</c> (or the token file <c>HF_HOME/token</c>) and <c>HF_HUB_OFFLINE</c>.
/// </remarks>
public sealed class HubOptions
{
    /// <summary>Gets or sets the Hub's base URL, for example a mirror.</summary>
    /// <value>The default value is null: <c>HF_ENDPOINT</c>, else <c>https://huggingface.co</c>.</value>
    public string? Endpoint { get; set; }

    /// <summary>Gets or sets the cache folder holding <c>models--{org}--{name}</c> folders.</summary>
    /// <value>The default value is null: <c>HF_HUB_CACHE</c>, else <c>{HomeDirectory}/hub</c>.</value>
    public string? CacheDirectory { get; set; }

    /// <summary>Gets or sets the Hugging Face home folder (the cache's parent and the token file's folder).</summary>
    /// <value>The default value is null: <c>HF_HOME</c>, else <c>$XDG_CACHE_HOME/huggingface</c>, else <c>~/.cache/huggingface</c>.</value>
    public string? HomeDirectory { get; set; }

    /// <summary>Gets or sets the access token for gated and private repositories.</summary>
    /// <value>The default value is null: <c>HF_TOKEN</c>, else the file <c>HF_TOKEN_PATH</c> or <c>{HomeDirectory}/token</c> when it exists; an empty string sends no token.</value>
    public string? Token { get; set; }

    /// <summary>Gets or sets whether only the cache is used (no network at all).</summary>
    /// <value>The default value is null: true when <c>HF_HUB_OFFLINE</c> is 1, on, yes or true.</value>
    public bool? Offline { get; set; }

    /// <summary>Gets or sets how long a metadata request, or a download that receives nothing, may wait before it counts as a network failure.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many times a broken download is resumed (with an HTTP range) before it fails.</summary>
    /// <value>The default value is 3; 0 fails at the first break, leaving the partial file to resume next time.</value>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Gets or sets how environment variables are read; tests replace it so they do not share the process's environment.</summary>
    internal Func<string, string?> EnvironmentReader { get; set; } = Environment.GetEnvironmentVariable;

    /// <summary>Gets or sets how the free bytes of a folder's disk are measured; tests replace it to simulate a full disk.</summary>
    internal Func<string, long> FreeSpaceProbe { get; set; } = path => new DriveInfo(path).AvailableFreeSpace;
}
