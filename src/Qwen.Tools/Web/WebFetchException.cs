namespace Qwen.Tools;

/// <summary>A URL could not be fetched: refused scheme or address, too many redirects, too large, too slow, or an HTTP error.</summary>
public sealed class WebFetchException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="WebFetchException"/> class.</summary>
    /// <param name="url">The URL.</param>
    /// <param name="reason">Why it could not be fetched.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public WebFetchException(string url, string reason, Exception? innerException = null)
        : base($"Cannot fetch '{url}': {reason}", innerException)
    {
        Url = url;
        Reason = reason;
    }

    /// <summary>Initializes a new instance of the <see cref="WebFetchException"/> class.</summary>
    public WebFetchException()
        : this(string.Empty, "the URL could not be fetched.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WebFetchException"/> class.</summary>
    /// <param name="message">The message.</param>
    public WebFetchException(string message)
        : base(message)
    {
        Url = string.Empty;
        Reason = message;
    }

    /// <summary>Initializes a new instance of the <see cref="WebFetchException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying error.</param>
    public WebFetchException(string message, Exception innerException)
        : base(message, innerException)
    {
        Url = string.Empty;
        Reason = message;
    }

    /// <summary>Gets the URL that could not be fetched.</summary>
    public string Url { get; }

    /// <summary>Gets why the URL could not be fetched.</summary>
    public string Reason { get; }
}
