namespace Qwen.Tools;

/// <summary>How to talk to a remote MCP server.</summary>
public enum McpRemoteTransport
{
    /// <summary>Streamable HTTP, falling back to server-sent events when the server only offers those.</summary>
    Auto,

    /// <summary>Streamable HTTP only (<c>"type": "streamable-http"</c> or <c>"http"</c>).</summary>
    StreamableHttp,

    /// <summary>The older server-sent events transport (<c>"type": "sse"</c>).</summary>
    Sse,
}
