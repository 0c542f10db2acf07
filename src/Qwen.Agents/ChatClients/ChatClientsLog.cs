using Microsoft.Extensions.Logging;
using Qwen.Core;

namespace Qwen.Agents;

/// <summary>The log events of the model middleware (prompt function calling, retries, input truncation); event ids 1100-1199.</summary>
internal static partial class ChatClientsLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "The model wrote a {Format} function call that could not be parsed ({Reason}); it is passed on as text: {RawText}")]
    public static partial void MalformedCall(ILogger logger, FunctionCallFormat format, string reason, string rawText);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "The model called '{Name}' after its first call although ChatOptions.AllowMultipleToolCalls is false; the call is dropped")]
    public static partial void ExtraCallDropped(ILogger logger, string name);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Warning, Message = "Model call failed ({Reason}); retry {Attempt} of {MaxRetries} in {Delay}")]
    public static partial void Retrying(ILogger logger, string reason, int attempt, int maxRetries, TimeSpan delay);

    [LoggerMessage(EventId = 1120, Level = LogLevel.Warning, Message = "Input of {InputTokens} tokens exceeds the limit of {MaxInputTokens}: dropped {DroppedMessages} oldest messages and shortened {ShortenedResults} tool results to {FinalTokens} tokens")]
    public static partial void Truncated(ILogger logger, int inputTokens, int maxInputTokens, int droppedMessages, int shortenedResults, int finalTokens);

    [LoggerMessage(EventId = 1121, Level = LogLevel.Warning, Message = "Input still has {FinalTokens} tokens after truncation, over the limit of {MaxInputTokens}: only the system message and the last user turn are left")]
    public static partial void StillTooLong(ILogger logger, int finalTokens, int maxInputTokens);
}
