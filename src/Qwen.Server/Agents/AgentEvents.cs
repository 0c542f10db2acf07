using System.Text.Json.Nodes;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Qwen.Server;

/// <summary>
/// Turns an agent's streamed updates into the agent API's server-sent events, named as AG-UI names them:
/// <c>RUN_STARTED</c>, <c>TEXT_MESSAGE_START</c> / <c>_CONTENT</c> / <c>_END</c>, <c>REASONING_MESSAGE_CONTENT</c>,
/// <c>TOOL_CALL_START</c> / <c>_ARGS</c> / <c>_END</c>, <c>TOOL_CALL_RESULT</c>, <c>RUN_FINISHED</c>, <c>RUN_ERROR</c>.
/// </summary>
/// <remarks>One instance per run: it opens and closes text messages as message ids change and remembers tool names for results.</remarks>
internal sealed class AgentEvents(string threadId, string runId, Func<FunctionResultContent, (string Text, List<string> Images)> describeResult)
{
    private string? _openMessage;

    public byte[] RunStarted() => Event("RUN_STARTED", new() { ["threadId"] = threadId, ["runId"] = runId });

    public byte[] RunFinished() => Event("RUN_FINISHED", new() { ["threadId"] = threadId, ["runId"] = runId });

    public static byte[] RunError(string message, string code) => Event("RUN_ERROR", new() { ["message"] = message, ["code"] = code });

    /// <summary>The events for one update, in order.</summary>
    public List<byte[]> Update(AgentResponseUpdate update)
    {
        var events = new List<byte[]>();
        var messageId = update.MessageId ?? runId;
        foreach (var content in update.Contents)
        {
            switch (content)
            {
                case TextReasoningContent { Text.Length: > 0 } reasoning:
                    events.Add(Event("REASONING_MESSAGE_CONTENT", new() { ["messageId"] = messageId, ["delta"] = reasoning.Text }));
                    break;
                case TextContent { Text.Length: > 0 } text:
                    if (_openMessage != messageId)
                    {
                        CloseText(events);
                        _openMessage = messageId;
                        events.Add(Event("TEXT_MESSAGE_START", new() { ["messageId"] = messageId, ["role"] = "assistant" }));
                    }

                    events.Add(Event("TEXT_MESSAGE_CONTENT", new() { ["messageId"] = messageId, ["delta"] = text.Text }));
                    break;
                case FunctionCallContent call:
                    CloseText(events);
                    events.Add(Event("TOOL_CALL_START", new() { ["toolCallId"] = call.CallId, ["toolCallName"] = call.Name, ["parentMessageId"] = messageId }));
                    events.Add(Event("TOOL_CALL_ARGS", new() { ["toolCallId"] = call.CallId, ["delta"] = SessionView.Arguments(call) }));
                    events.Add(Event("TOOL_CALL_END", new() { ["toolCallId"] = call.CallId }));
                    break;
                case FunctionResultContent result:
                    CloseText(events);
                    var (resultText, images) = describeResult(result);
                    events.Add(Event("TOOL_CALL_RESULT", new()
                    {
                        ["messageId"] = messageId,
                        ["toolCallId"] = result.CallId,
                        ["content"] = resultText,
                        ["images"] = new JsonArray([.. images.Select(i => JsonValue.Create(i))]),
                        ["role"] = "tool",
                    }));
                    break;
            }
        }

        return events;
    }

    /// <summary>Closes the open text message, if any (before a tool call, and at the end of the run).</summary>
    public List<byte[]> Finish()
    {
        var events = new List<byte[]>();
        CloseText(events);
        return events;
    }

    private static byte[] Event(string type, JsonObject fields)
    {
        var json = new JsonObject { ["type"] = type };
        foreach (var (key, value) in fields)
        {
            json[key] = value?.DeepClone();
        }

        return System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    private void CloseText(List<byte[]> events)
    {
        if (_openMessage is { } open)
        {
            events.Add(Event("TEXT_MESSAGE_END", new() { ["messageId"] = open }));
            _openMessage = null;
        }
    }
}
