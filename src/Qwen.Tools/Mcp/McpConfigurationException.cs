namespace Qwen.Tools;

/// <summary>An <c>mcpServers</c> configuration that cannot be used; the message names the server and field and says what was expected.</summary>
public sealed class McpConfigurationException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public McpConfigurationException()
        : base("The MCP server configuration is not valid.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">What is wrong, naming the server and field.</param>
    public McpConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the error that caused it.</summary>
    /// <param name="message">What is wrong, naming the server and field.</param>
    /// <param name="innerException">The error that caused this one.</param>
    public McpConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
