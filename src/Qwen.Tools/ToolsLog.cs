using Microsoft.Extensions.Logging;

namespace Qwen.Tools;

/// <summary>The log events of Qwen.Tools, source-generated, with stable event ids: 31xx document readers, 32xx retrieval, 33xx MCP, 34xx the code interpreter, 35xx hosting.</summary>
internal static partial class ToolsLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "Parsed {Source} ({Format}, {Pages} pages) in {ElapsedMs} ms")]
    public static partial void DocumentParsed(ILogger logger, string source, DocumentFormat format, int pages, long elapsedMs);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "Parse cache hit for {Source} ({Hash})")]
    public static partial void ParseCacheHit(ILogger logger, string source, string hash);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Ignoring the unreadable parse cache file {Path}: {Reason}")]
    public static partial void ParseCacheUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Could not write the parse cache file {Path}: {Reason}")]
    public static partial void ParseCacheNotWritten(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "Read {Source} without part of it: {Warning}")]
    public static partial void DocumentPartLeftOut(ILogger logger, string source, string warning);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Debug, Message = "Indexing {Chunks} chunks of {Source}")]
    public static partial void Indexing(ILogger logger, int chunks, string source);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Debug, Message = "Chunk index cache hit for {Source} ({Key})")]
    public static partial void IndexCacheHit(ILogger logger, string source, string key);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Rebuilding the unreadable chunk index cache {Folder}: {Reason}")]
    public static partial void IndexCacheUnreadable(ILogger logger, string folder, string reason);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Debug, Message = "Skipped {Source}: its content repeats an earlier file's")]
    public static partial void DuplicateDocumentSkipped(ILogger logger, string source);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "MCP tool {Tool}: progress {Progress} of {Total}: {Message}")]
    public static partial void McpToolProgress(ILogger logger, string tool, double progress, double? total, string? message);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Warning, Message = "MCP server {Server} lost its HTTP session ({Reason}); starting a new session and retrying the call once")]
    public static partial void McpSessionLost(ILogger logger, string server, string reason);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Warning, Message = "MCP server {Server} sent a progress notification that could not be read: {Reason}")]
    public static partial void McpBadProgress(ILogger logger, string server, string reason);

    [LoggerMessage(EventId = 3401, Level = LogLevel.Debug, Message = "Started code interpreter worker {ProcessId} for session {SessionId}")]
    public static partial void WorkerStarted(ILogger logger, int processId, string sessionId);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "Code interpreter worker {ProcessId} of session {SessionId} ended unexpectedly: {Reason}")]
    public static partial void WorkerLost(ILogger logger, int processId, string sessionId, string reason);

    [LoggerMessage(EventId = 3403, Level = LogLevel.Information, Message = "Closed code interpreter session {SessionId}: {Reason}")]
    public static partial void SessionClosed(ILogger logger, string sessionId, string reason);

    [LoggerMessage(EventId = 3404, Level = LogLevel.Debug, Message = "Stopped code interpreter worker {ProcessId} of session {SessionId}: {Reason}")]
    public static partial void WorkerStopped(ILogger logger, int processId, string sessionId, string reason);

    [LoggerMessage(EventId = 3501, Level = LogLevel.Information, Message = "No tokenizer is configured: token counts for chunking and budgets use ApproximateTokenizer, an approximation of Qwen's tokenizer")]
    public static partial void ApproximateTokenizerUsed(ILogger logger);
}
