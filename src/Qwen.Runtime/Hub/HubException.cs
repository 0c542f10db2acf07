namespace Qwen.Runtime;

/// <summary>A model could not be found, fetched or verified from the Hugging Face Hub or its local cache; <see cref="Kind"/> says why.</summary>
public sealed class HubException : Exception
{
    /// <summary>Creates the exception with no details.</summary>
    public HubException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong, naming the model and what to do.</param>
    public HubException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error beneath it.</summary>
    /// <param name="message">What went wrong, naming the model and what to do.</param>
    /// <param name="innerException">The underlying error.</param>
    public HubException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one kind of failure.</summary>
    /// <param name="kind">Why it failed.</param>
    /// <param name="message">What went wrong, naming the model and what to do.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public HubException(HubErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException) => Kind = kind;

    /// <summary>Gets why the operation failed.</summary>
    public HubErrorKind Kind { get; }
}
