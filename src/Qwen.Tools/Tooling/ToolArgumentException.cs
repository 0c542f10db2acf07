namespace Qwen.Tools;

/// <summary>The arguments a model passed to a tool are missing, malformed or break the tool's parameter schema.</summary>
public sealed class ToolArgumentException : ArgumentException
{
    /// <summary>Initializes a new instance of the <see cref="ToolArgumentException"/> class.</summary>
    /// <param name="toolName">The tool that received the arguments.</param>
    /// <param name="argumentName">The argument at fault (a path such as <c>files[2]</c>), or <see langword="null"/> for the whole object.</param>
    /// <param name="message">What is wrong and what was expected.</param>
    public ToolArgumentException(string toolName, string? argumentName, string message)
        : base(message, argumentName)
    {
        ToolName = toolName;
    }

    /// <summary>Initializes a new instance of the <see cref="ToolArgumentException"/> class.</summary>
    public ToolArgumentException()
        : this(string.Empty, null, "The tool arguments are invalid.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ToolArgumentException"/> class.</summary>
    /// <param name="message">What is wrong and what was expected.</param>
    public ToolArgumentException(string message)
        : this(string.Empty, null, message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ToolArgumentException"/> class.</summary>
    /// <param name="message">What is wrong and what was expected.</param>
    /// <param name="innerException">The cause.</param>
    public ToolArgumentException(string message, Exception innerException)
        : base(message, innerException)
    {
        ToolName = string.Empty;
    }

    /// <summary>Gets the name of the tool that received the arguments.</summary>
    public string ToolName { get; } = string.Empty;

    /// <inheritdoc />
    // ArgumentException appends "(Parameter 'x')"; the message already names the argument in words a model can act on.
    public override string Message => base.Message.Replace($" (Parameter '{ParamName}')", string.Empty, StringComparison.Ordinal);
}
