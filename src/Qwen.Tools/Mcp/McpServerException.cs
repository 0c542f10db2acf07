namespace Qwen.Tools;

/// <summary>An MCP server could not be started, connected to or asked for its tools.</summary>
public sealed class McpServerException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public McpServerException()
        : base("An MCP server could not be used.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What went wrong.</param>
    public McpServerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the error that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The error that caused this one.</param>
    public McpServerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for server <paramref name="serverName"/>.</summary>
    /// <param name="serverName">The server's name in the configuration.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The error that caused this one, if any.</param>
    public McpServerException(string serverName, string message, Exception? innerException)
        : base($"MCP server '{serverName}': {message}", innerException)
    {
        ServerName = serverName;
    }

    /// <summary>The name of the server, as in the configuration; <see langword="null"/> when not known.</summary>
    public string? ServerName { get; }
}
