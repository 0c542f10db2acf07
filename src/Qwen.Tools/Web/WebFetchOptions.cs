namespace Qwen.Tools;

/// <summary>Limits for fetching URLs (web pages for <c>web_extractor</c>, documents by URL for the parser).</summary>
public sealed class WebFetchOptions
{
    /// <summary>Gets or sets the most bytes a response body may have; a longer one is refused.</summary>
    /// <value>The default value is 20 MiB.</value>
    public long MaxBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>Gets or sets the time the whole fetch (connect, redirects, body) may take.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many redirects are followed.</summary>
    /// <value>The default value is 5.</value>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>
    /// Gets or sets a value indicating whether loopback, private, link-local and other non-public addresses may be fetched.
    /// Off by default so a model cannot reach the machine's own services or the local network.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Gets or sets the User-Agent header sent.</summary>
    /// <value>The default value is <c>Qwen.Agents/0.1 (+https://github.com/QwenLM/Qwen-Agent)</c>.</value>
    public string UserAgent { get; set; } = "Qwen.Agents/0.1 (+https://github.com/QwenLM/Qwen-Agent)";

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it and the allowed range.</exception>
    public void Validate()
    {
        if (MaxBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBytes), MaxBytes, $"{nameof(WebFetchOptions)}.{nameof(MaxBytes)} must be positive.");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, $"{nameof(WebFetchOptions)}.{nameof(Timeout)} must be positive.");
        }

        if (MaxRedirects is < 0 or > 20)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRedirects), MaxRedirects, $"{nameof(WebFetchOptions)}.{nameof(MaxRedirects)} must be between 0 and 20.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(UserAgent, $"{nameof(WebFetchOptions)}.{nameof(UserAgent)}");
    }
}
