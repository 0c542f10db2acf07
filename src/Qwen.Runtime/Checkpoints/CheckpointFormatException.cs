namespace Qwen.Runtime;

/// <summary>A model checkpoint (config.json, generation_config.json, safetensors files) is malformed or does not match its configuration.</summary>
public sealed class CheckpointFormatException : Exception
{
    /// <summary>Creates the exception with no details.</summary>
    public CheckpointFormatException()
    {
    }

    /// <summary>Creates the exception with a message naming the file, tensor or field and what was expected.</summary>
    /// <param name="message">What is wrong, and where.</param>
    public CheckpointFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that revealed the problem.</summary>
    /// <param name="message">What is wrong, and where.</param>
    /// <param name="innerException">The underlying error.</param>
    public CheckpointFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming the file it concerns.</summary>
    /// <param name="filePath">The file that is malformed.</param>
    /// <param name="message">What is wrong in it.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public CheckpointFormatException(string filePath, string message, Exception? innerException = null)
        : base($"{filePath}: {message}", innerException)
    {
        FilePath = filePath;
    }

    /// <summary>Gets the file the problem was found in, when known.</summary>
    public string? FilePath { get; }
}
