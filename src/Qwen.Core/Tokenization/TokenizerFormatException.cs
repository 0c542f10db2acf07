namespace Qwen.Core;

/// <summary>Thrown when tokenizer files (<c>tokenizer.json</c>, <c>tokenizer_config.json</c>) are missing, malformed or describe a tokenizer this library does not implement.</summary>
public sealed class TokenizerFormatException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public TokenizerFormatException()
        : base("The tokenizer files are invalid.")
    {
    }

    /// <summary>Initializes a new instance with the given message.</summary>
    /// <param name="message">What is wrong, naming the file and the field.</param>
    public TokenizerFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with the given message and the exception that caused it.</summary>
    /// <param name="message">What is wrong, naming the file and the field.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public TokenizerFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance for a problem in one field of one file.</summary>
    /// <param name="filePath">The file that holds the problem.</param>
    /// <param name="field">The JSON path of the field at fault (for example <c>model.merges[3]</c>), or <see langword="null"/> when the whole file is at fault.</param>
    /// <param name="problem">What is wrong and what was expected.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public TokenizerFormatException(string filePath, string? field, string problem, Exception? innerException = null)
        : base(field is null ? $"{filePath}: {problem}" : $"{filePath}: {field}: {problem}", innerException)
    {
        FilePath = filePath;
        Field = field;
    }

    /// <summary>Gets the file that holds the problem, when known.</summary>
    public string? FilePath { get; }

    /// <summary>Gets the JSON path of the field at fault, when known.</summary>
    public string? Field { get; }
}
