namespace Qwen.Server;

/// <summary>Limits and security settings for the endpoints that <c>MapQwen...</c> maps.</summary>
public sealed class QwenServerOptions
{
    /// <summary>Gets or sets the key clients must send as <c>Authorization: Bearer KEY</c> to the API endpoints; null or empty accepts every client.</summary>
    /// <value>The default value is null.</value>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets how many chat completions and agent runs may run at once; further requests wait in the queue.</summary>
    /// <value>The default value is 32 (the runtime's batch size). At least 1.</value>
    public int MaxConcurrentRequests { get; set; } = 32;

    /// <summary>Gets or sets how many requests may wait for a slot; one more is refused with 503.</summary>
    /// <value>The default value is 64. At least 0.</value>
    public int MaxQueuedRequests { get; set; } = 64;

    /// <summary>Gets or sets the longest a request may take from arrival to its last byte, waiting included; a request over it is cancelled.</summary>
    /// <value>The default value is 10 minutes. Must be positive.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets the largest JSON request body, in bytes; a larger one is refused with 413.</summary>
    /// <value>The default value is 8 MiB. At least 1 KiB.</value>
    public long MaxRequestBodyBytes { get; set; } = 8L << 20;

    /// <summary>Gets or sets the largest uploaded file, in bytes; a larger one is refused with 413.</summary>
    /// <value>The default value is 64 MiB. At least 1 KiB.</value>
    public long MaxUploadBytes { get; set; } = 64L << 20;

    /// <summary>Gets or sets the directory that holds sessions and uploads (and that tools are confined to); null for <c>./qwen-serve</c> under the current directory.</summary>
    /// <value>The default value is null.</value>
    public string? WorkDirectory { get; set; }

    /// <summary>Gets or sets how exceptions from a chat client become API errors before the built-in mapping is tried (for example, a runtime's context-length exception as 400 with both numbers).</summary>
    /// <value>The default value is null: only the built-in mapping (bad arguments 400, unsupported options 400, anything else 500).</value>
    public Func<Exception, ApiError?>? ErrorMapper { get; set; }

    /// <summary>Checks every value and throws naming the first that is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        static void Check(bool ok, string name, object value, string expected)
        {
            if (!ok)
            {
                throw new ArgumentOutOfRangeException(name, value, $"QwenServerOptions.{name} must be {expected}.");
            }
        }

        Check(MaxConcurrentRequests >= 1, nameof(MaxConcurrentRequests), MaxConcurrentRequests, "at least 1");
        Check(MaxQueuedRequests >= 0, nameof(MaxQueuedRequests), MaxQueuedRequests, "at least 0");
        Check(RequestTimeout > TimeSpan.Zero, nameof(RequestTimeout), RequestTimeout, "positive");
        Check(MaxRequestBodyBytes >= 1024, nameof(MaxRequestBodyBytes), MaxRequestBodyBytes, "at least 1024");
        Check(MaxUploadBytes >= 1024, nameof(MaxUploadBytes), MaxUploadBytes, "at least 1024");
    }
}
