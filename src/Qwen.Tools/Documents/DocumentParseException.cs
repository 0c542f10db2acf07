namespace Qwen.Tools;

/// <summary>A document could not be read: the message names the file and the reason (corrupt, encrypted, too large, unknown type, ...).</summary>
public sealed class DocumentParseException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="DocumentParseException"/> class.</summary>
    /// <param name="fileName">The file or URL that could not be parsed.</param>
    /// <param name="reason">Why, in words a user can act on.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public DocumentParseException(string fileName, string reason, Exception? innerException = null)
        : base($"Cannot parse '{fileName}': {reason}", innerException)
    {
        FileName = fileName;
        Reason = reason;
    }

    /// <summary>Initializes a new instance of the <see cref="DocumentParseException"/> class.</summary>
    public DocumentParseException()
        : this(string.Empty, "the document could not be parsed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DocumentParseException"/> class.</summary>
    /// <param name="message">The message.</param>
    public DocumentParseException(string message)
        : base(message)
    {
        FileName = string.Empty;
        Reason = message;
    }

    /// <summary>Initializes a new instance of the <see cref="DocumentParseException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying error.</param>
    public DocumentParseException(string message, Exception innerException)
        : base(message, innerException)
    {
        FileName = string.Empty;
        Reason = message;
    }

    /// <summary>Gets the file or URL that could not be parsed.</summary>
    public string FileName { get; }

    /// <summary>Gets why the document could not be parsed.</summary>
    public string Reason { get; }
}
