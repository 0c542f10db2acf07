namespace Qwen.Tools;

/// <summary>
/// How to reach one MCP server: a local process spoken to over stdio (<see cref="Command"/>, <see cref="Arguments"/>,
/// <see cref="Environment"/>), or a remote server over HTTP (<see cref="Url"/>, <see cref="Headers"/>).
/// </summary>
public sealed class McpServerConfiguration
{
    /// <summary>The program that runs a local server (<c>npx</c>, <c>uvx</c>, <c>dotnet</c>, ...); <see langword="null"/> for a remote one.</summary>
    public string? Command { get; init; }

    /// <summary>The program's arguments.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Environment variables set for the program, on top of the small safe set it gets from this process (all of it with <see cref="McpToolHostOptions.InheritEnvironment"/>).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The folder the program runs in; <see langword="null"/> for the current one.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The endpoint of a remote server; <see langword="null"/> for a local one.</summary>
    public Uri? Url { get; init; }

    /// <summary>HTTP headers sent with every request to a remote server (for example <c>Authorization</c>).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The transport of a remote server: <see cref="McpRemoteTransport.Auto"/> (streamable HTTP, falling back to SSE), or one of them.</summary>
    public McpRemoteTransport Transport { get; init; } = McpRemoteTransport.Auto;
}
