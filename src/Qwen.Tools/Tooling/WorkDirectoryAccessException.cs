namespace Qwen.Tools;

/// <summary>A tool was asked to read or write a path outside its configured work directory.</summary>
public sealed class WorkDirectoryAccessException : UnauthorizedAccessException
{
    /// <summary>Initializes a new instance of the <see cref="WorkDirectoryAccessException"/> class.</summary>
    /// <param name="path">The path as the caller gave it.</param>
    /// <param name="workDirectory">The work directory the path must stay in.</param>
    /// <param name="message">Why the path is refused.</param>
    public WorkDirectoryAccessException(string path, string workDirectory, string message)
        : base(message)
    {
        Path = path;
        WorkDirectory = workDirectory;
    }

    /// <summary>Initializes a new instance of the <see cref="WorkDirectoryAccessException"/> class.</summary>
    public WorkDirectoryAccessException()
        : this(string.Empty, string.Empty, "The path is outside the work directory.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WorkDirectoryAccessException"/> class.</summary>
    /// <param name="message">Why the path is refused.</param>
    public WorkDirectoryAccessException(string message)
        : this(string.Empty, string.Empty, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WorkDirectoryAccessException"/> class.</summary>
    /// <param name="message">Why the path is refused.</param>
    /// <param name="innerException">The cause.</param>
    public WorkDirectoryAccessException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = string.Empty;
        WorkDirectory = string.Empty;
    }

    /// <summary>Gets the path as the caller gave it.</summary>
    public string Path { get; } = string.Empty;

    /// <summary>Gets the work directory the path had to stay in.</summary>
    public string WorkDirectory { get; } = string.Empty;
}
