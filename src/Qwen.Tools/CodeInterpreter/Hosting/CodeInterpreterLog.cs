using Microsoft.Extensions.Logging;

namespace Qwen.Tools;

/// <summary>The code interpreter's log messages.</summary>
internal static partial class CodeInterpreterLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Started code interpreter worker {ProcessId} for session {SessionId}")]
    public static partial void WorkerStarted(ILogger logger, int processId, string sessionId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Code interpreter worker {ProcessId} of session {SessionId} ended unexpectedly: {Reason}")]
    public static partial void WorkerLost(ILogger logger, int processId, string sessionId, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Stopped code interpreter worker {ProcessId} of session {SessionId}: {Reason}")]
    public static partial void WorkerStopped(ILogger logger, int processId, string sessionId, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Closed code interpreter session {SessionId}: {Reason}")]
    public static partial void SessionClosed(ILogger logger, string sessionId, string reason);
}
