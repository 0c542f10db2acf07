namespace Qwen.Core;

/// <summary>A chat template that cannot be parsed or rendered: a syntax error, an unsupported Jinja construct, a runtime error, or a <c>raise_exception(...)</c> call in the template itself.</summary>
/// <remarks>
/// <see cref="Line"/> and <see cref="Column"/> (1-based) locate the construct in the template source when known.
/// For errors the template raises on purpose (<c>raise_exception</c>) the message is the template's own text, unchanged.
/// </remarks>
public sealed class TemplateException : Exception
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public TemplateException()
        : base("The chat template failed.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public TemplateException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public TemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance that locates the error in the template source.</summary>
    /// <param name="message">What went wrong, without the position (the position is appended).</param>
    /// <param name="line">1-based line in the template source.</param>
    /// <param name="column">1-based column in the template source.</param>
    public TemplateException(string message, int line, int column)
        : base($"{message} (template line {line}, column {column})")
    {
        Line = line;
        Column = column;
        Reason = message;
    }

    private TemplateException(string message, int? line, int? column, bool raisedByTemplate)
        : base(message)
    {
        Line = line;
        Column = column;
        Reason = message;
        RaisedByTemplate = raisedByTemplate;
    }

    /// <summary>Gets the 1-based line in the template source, or <see langword="null"/> when unknown.</summary>
    public int? Line { get; }

    /// <summary>Gets the 1-based column in the template source, or <see langword="null"/> when unknown.</summary>
    public int? Column { get; }

    /// <summary>Gets the message without the position.</summary>
    public string Reason
    {
        get => field ?? Message;
        private init;
    }

    /// <summary>Gets a value indicating whether the template raised this error itself with <c>raise_exception(message)</c>.</summary>
    public bool RaisedByTemplate { get; }

    /// <summary>Creates the exception for a template's own <c>raise_exception(message)</c> call: the message stays the template's text.</summary>
    internal static TemplateException Raised(string message) => new(message, null, null, raisedByTemplate: true);

    /// <summary>Returns this exception if it already has a position, otherwise a copy located at <paramref name="line"/>/<paramref name="column"/>.</summary>
    internal TemplateException At(int line, int column)
    {
        if (Line is not null)
        {
            return this;
        }

        return RaisedByTemplate ? new TemplateException(Message, line, column, raisedByTemplate: true) : new TemplateException(Message, line, column);
    }
}
