using Microsoft.Extensions.Logging;
using Qwen.Core;

namespace Qwen.Agents;

/// <summary>The log events of Qwen.Agents, source-generated, with stable event ids: 10xx agents, 11xx retrieval, 12xx model middleware.</summary>
internal static partial class AgentLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Agent {Agent}: model call {Call} {Outcome} in {ElapsedMs:0.0} ms ({InputTokens} input tokens, {OutputTokens} output tokens)")]
    public static partial void ModelCall(ILogger logger, string agent, int call, double elapsedMs, long? inputTokens, long? outputTokens, string outcome);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Agent {Agent}: tool {Tool} (call {CallId}) {Outcome} in {ElapsedMs:0.0} ms")]
    public static partial void ToolCall(ILogger logger, string agent, string tool, string callId, double elapsedMs, string outcome);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Agent {Agent}: the model repeated the call {Tool} with the same arguments {Count} times in a row; it was not run again")]
    public static partial void RepeatedCall(ILogger logger, string agent, string tool, int count);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Agent {Agent}: stopped after {Calls} model calls (the limit) without a final answer")]
    public static partial void ModelCallLimit(ILogger logger, string agent, int calls);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Router {Agent}: handing the conversation to {Target}")]
    public static partial void Routed(ILogger logger, string agent, string target);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Router {Agent}: the model chose '{Chosen}', which is not one of the agents; {Fallback} answers instead")]
    public static partial void UnknownRoute(ILogger logger, string agent, string chosen, string fallback);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Retrieval: {Step} fell back to the question itself: {Reason}")]
    public static partial void KeywordFallback(ILogger logger, string step, string reason);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Agent {Agent}: retrieved {Chunks} chunks ({Tokens} tokens) and {Evidence} quotes from {Files} files for the question")]
    public static partial void Retrieved(ILogger logger, string agent, int chunks, int tokens, int evidence, int files);


    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Chunk reading: {Relevant} of {Total} chunks relevant, read in {ElapsedMs:0} ms")]
    public static partial void ChunksRead(ILogger logger, int relevant, int total, double elapsedMs);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Agent {Agent}: no room for knowledge: the conversation leaves {Tokens} tokens of the reference budget")]
    public static partial void NoRoomForKnowledge(ILogger logger, string agent, int tokens);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "The model wrote a {Format} function call that could not be parsed ({Reason}); it is passed on as text: {RawText}")]
    public static partial void MalformedCall(ILogger logger, FunctionCallFormat format, string reason, string rawText);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "The model called '{Name}' after its first call although ChatOptions.AllowMultipleToolCalls is false; the call is dropped")]
    public static partial void ExtraCallDropped(ILogger logger, string name);

    [LoggerMessage(EventId = 1210, Level = LogLevel.Warning, Message = "Model call failed ({Reason}); retry {Attempt} of {MaxRetries} in {Delay}")]
    public static partial void Retrying(ILogger logger, string reason, int attempt, int maxRetries, TimeSpan delay);

    [LoggerMessage(EventId = 1220, Level = LogLevel.Warning, Message = "Input of {InputTokens} tokens exceeds the limit of {MaxInputTokens}: dropped {DroppedMessages} oldest messages and shortened {ShortenedResults} tool results to {FinalTokens} tokens")]
    public static partial void Truncated(ILogger logger, int inputTokens, int maxInputTokens, int droppedMessages, int shortenedResults, int finalTokens);

    [LoggerMessage(EventId = 1221, Level = LogLevel.Warning, Message = "Input still has {FinalTokens} tokens after truncation, over the limit of {MaxInputTokens}: only the system message and the last user turn are left")]
    public static partial void StillTooLong(ILogger logger, int finalTokens, int maxInputTokens);
}
