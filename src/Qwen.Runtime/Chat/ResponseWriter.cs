using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Qwen.Core;

namespace Qwen.Runtime;

/// <summary>Turns parser events of one response into <see cref="ChatResponseUpdate"/>s that share one message id.</summary>
internal sealed class ResponseWriter(ChatRequest request, string modelId, ILogger logger)
{
    private readonly string _id = "qwen-" + Guid.NewGuid().ToString("N");
    private readonly DateTimeOffset _created = DateTimeOffset.UtcNow;

    /// <summary>Gets the number of tool calls reported so far.</summary>
    public int ToolCalls { get; private set; }

    /// <summary>The update carrying <paramref name="events"/>, or null when they add nothing visible.</summary>
    public ChatResponseUpdate? Update(IReadOnlyList<FunctionCallEvent> events)
    {
        List<AIContent>? contents = null;
        foreach (var e in events)
        {
            AIContent? content = e switch
            {
                TextEvent { Text.Length: > 0 } t => new TextContent(t.Text),
                ReasoningEvent { Text.Length: > 0 } r when request.EmitReasoning => new TextReasoningContent(r.Text),
                ToolCallEvent c when request.HasTools => Call(c.Call),
                ToolCallEvent c => new TextContent(c.RawText),
                ToolCallParseErrorEvent p => Malformed(p),
                _ => null,
            };
            if (content is not null)
            {
                (contents ??= []).Add(content);
            }
        }

        return contents is null ? null : New(contents);
    }

    /// <summary>Logs each keyword of the request's schema that constrained decoding does not enforce.</summary>
    public void WarnUnenforcedSchemaKeywords()
    {
        foreach (var keyword in request.Generation.Constraint?.Grammar.IgnoredKeywords ?? [])
        {
            RuntimeLog.SchemaKeywordNotEnforced(logger, keyword);
        }
    }

    /// <summary>The last update: why generation ended, and the token counts.</summary>
    public ChatResponseUpdate Finish(GenerationFinishReason reason, int outputTokens)
    {
        var usage = new UsageDetails
        {
            InputTokenCount = request.PromptIds.Length,
            OutputTokenCount = outputTokens,
            TotalTokenCount = request.PromptIds.Length + outputTokens,
        };
        var update = New([new UsageContent(usage)]);
        update.FinishReason = ToolCalls > 0 ? ChatFinishReason.ToolCalls
            : reason == GenerationFinishReason.Length ? ChatFinishReason.Length
            : ChatFinishReason.Stop;
        return update;
    }

    private FunctionCallContent Call(FunctionCallContent call)
    {
        ToolCalls++;
        return call;
    }

    private TextContent Malformed(ToolCallParseErrorEvent error)
    {
        RuntimeLog.MalformedToolCall(logger, error.Name ?? "(unknown)", error.Reason, error.RawText);
        return new TextContent(error.RawText);
    }

    private ChatResponseUpdate New(List<AIContent> contents) => new(ChatRole.Assistant, contents)
    {
        MessageId = _id,
        ResponseId = _id,
        ModelId = modelId,
        CreatedAt = _created,
    };
}
