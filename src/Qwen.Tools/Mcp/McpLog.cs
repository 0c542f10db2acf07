using Microsoft.Extensions.Logging;

namespace Qwen.Tools;

/// <summary>The MCP client's log messages.</summary>
internal static partial class McpLog
{
    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "MCP tool {Tool}: progress {Progress} of {Total}: {Message}")]
    public static partial void ToolProgress(ILogger logger, string tool, double progress, double? total, string? message);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "MCP server {Server} lost its HTTP session ({Reason}); starting a new session and retrying the call once")]
    public static partial void SessionLost(ILogger logger, string server, string reason);
}
