using Microsoft.Extensions.Logging;

namespace Qwen.Server;

/// <summary>The server's log messages, with event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "{Method} {Path} -> {Status}: {Message}")]
    public static partial void RequestRefused(ILogger logger, string method, string path, int status, string message);

    [LoggerMessage(2, LogLevel.Error, "{Method} {Path} failed")]
    public static partial void RequestFailed(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(3, LogLevel.Information, "{Path}: the client went away; the request was cancelled")]
    public static partial void ClientGone(ILogger logger, string path);

    [LoggerMessage(4, LogLevel.Warning, "{Path}: the request ran past its timeout of {Timeout} and was cancelled")]
    public static partial void TimedOut(ILogger logger, string path, TimeSpan timeout);

    [LoggerMessage(5, LogLevel.Information, "Agent run {RunId} ({Agent}) in session {SessionId} {Outcome}")]
    public static partial void AgentRunEnded(ILogger logger, string runId, string agent, string sessionId, string outcome);
}
