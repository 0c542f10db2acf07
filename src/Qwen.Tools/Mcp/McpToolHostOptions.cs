namespace Qwen.Tools;

/// <summary>Timeouts and identity of an <see cref="McpToolHost"/>.</summary>
public sealed class McpToolHostOptions
{
    /// <summary>How long starting a server and its MCP handshake may take.</summary>
    /// <value>The default value is 60 seconds.</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one tool call may take before it is abandoned with an error text.</summary>
    /// <value>The default value is 5 minutes.</value>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The client name the servers see.</summary>
    /// <value>The default value is <c>qwen-agents</c>.</value>
    public string ClientName { get; set; } = "qwen-agents";

    /// <summary>
    /// Whether local servers inherit this process's whole environment. Off, a server sees only a small safe set (PATH, HOME,
    /// USER, LOGNAME, SHELL, TERM and the platform's equivalents, as the MCP SDKs choose them) plus its configured <c>env</c>,
    /// so API keys in the agent's environment do not reach third-party servers.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool InheritEnvironment { get; set; }

    /// <summary>Where the servers' progress notifications for running tool calls go (besides the log); <see langword="null"/> for the log only.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IProgress<McpToolProgress>? Progress { get; set; }

    internal void Validate()
    {
        if (ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), ConnectTimeout, "McpToolHostOptions.ConnectTimeout must be positive.");
        }

        if (CallTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CallTimeout), CallTimeout, "McpToolHostOptions.CallTimeout must be positive.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(ClientName, nameof(ClientName));
    }
}
