using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Qwen.Server;

/// <summary>Writes chat completions in OpenAI's JSON shapes: a whole <c>chat.completion</c>, or <c>chat.completion.chunk</c>s for a stream.</summary>
/// <remarks>One instance per response: it numbers tool calls across chunks and remembers the finish reason and usage for the last chunks.</remarks>
internal sealed class ChatCompletionWriter
{
    private readonly string _id = "chatcmpl-" + Guid.NewGuid().ToString("N");
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private readonly string _model;
    private int _toolCalls;

    public ChatCompletionWriter(string model) => _model = model;

    /// <summary>Gets the finish reason the stream reported, if any.</summary>
    public ChatFinishReason? FinishReason { get; private set; }

    /// <summary>Gets the token usage the stream reported, if any.</summary>
    public UsageDetails? Usage { get; private set; }

    /// <summary>Writes a whole non-streamed completion.</summary>
    public byte[] Completion(ChatResponse response)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            Header(w, "chat.completion");
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            var contents = response.Messages.Where(m => m.Role == ChatRole.Assistant).SelectMany(m => m.Contents).ToList();
            var text = string.Concat(contents.OfType<TextContent>().Select(t => t.Text));
            var reasoning = string.Concat(contents.OfType<TextReasoningContent>().Select(t => t.Text));
            var calls = contents.OfType<FunctionCallContent>().ToList();
            if (text.Length == 0 && calls.Count > 0)
            {
                w.WriteNull("content");
            }
            else
            {
                w.WriteString("content", text);
            }

            if (reasoning.Length > 0)
            {
                w.WriteString("reasoning_content", reasoning);
            }

            if (calls.Count > 0)
            {
                w.WriteStartArray("tool_calls");
                foreach (var call in calls)
                {
                    ToolCall(w, call, index: null);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteNull("logprobs");
            w.WriteString("finish_reason", FinishReasonText(response.FinishReason, calls.Count > 0));
            w.WriteEndObject();
            w.WriteEndArray();
            UsageObject(w, response.Usage ?? new UsageDetails());
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The first chunk: the assistant role with empty content, as OpenAI starts every stream.</summary>
    public byte[] RoleChunk() => Chunk(w =>
    {
        w.WriteString("role", "assistant");
        w.WriteString("content", string.Empty);
    });

    /// <summary>The chunk for one update, or null when it carries nothing to send (usage and the finish reason are kept for the end).</summary>
    public byte[]? Chunk(ChatResponseUpdate update)
    {
        FinishReason = update.FinishReason ?? FinishReason;
        string? text = null;
        string? reasoning = null;
        List<FunctionCallContent>? calls = null;
        foreach (var content in update.Contents)
        {
            switch (content)
            {
                case TextReasoningContent r:
                    reasoning += r.Text;
                    break;
                case TextContent t:
                    text += t.Text;
                    break;
                case FunctionCallContent call:
                    (calls ??= []).Add(call);
                    break;
                case UsageContent usage:
                    Usage = usage.Details;
                    break;
            }
        }

        if (string.IsNullOrEmpty(text) && string.IsNullOrEmpty(reasoning) && calls is null)
        {
            return null;
        }

        return Chunk(w =>
        {
            if (!string.IsNullOrEmpty(reasoning))
            {
                w.WriteString("reasoning_content", reasoning);
            }

            if (!string.IsNullOrEmpty(text))
            {
                w.WriteString("content", text);
            }

            if (calls is not null)
            {
                w.WriteStartArray("tool_calls");
                foreach (var call in calls)
                {
                    ToolCall(w, call, _toolCalls++);
                }

                w.WriteEndArray();
            }
        });
    }

    /// <summary>The last chunk with choices: an empty delta and the finish reason.</summary>
    public byte[] FinishChunk() => Chunk(_ => { }, FinishReasonText(FinishReason, _toolCalls > 0));

    /// <summary>The usage chunk (<c>stream_options.include_usage</c>): no choices, the whole response's usage.</summary>
    public byte[] UsageChunk() => Write(w =>
    {
        w.WriteStartObject();
        Header(w, "chat.completion.chunk");
        w.WriteStartArray("choices");
        w.WriteEndArray();
        UsageObject(w, Usage ?? new UsageDetails());
        w.WriteEndObject();
    });

    /// <summary>An error in OpenAI's shape: <c>{"error": {...}}</c>.</summary>
    public static byte[] Error(ApiError error) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("message", error.Message);
        w.WriteString("type", error.Type);
        if (error.Param is null)
        {
            w.WriteNull("param");
        }
        else
        {
            w.WriteString("param", error.Param);
        }

        if (error.Code is null)
        {
            w.WriteNull("code");
        }
        else
        {
            w.WriteString("code", error.Code);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    });

    private byte[] Chunk(Action<Utf8JsonWriter> delta, string? finishReason = null) => Write(w =>
    {
        w.WriteStartObject();
        Header(w, "chat.completion.chunk");
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("delta");
        delta(w);
        w.WriteEndObject();
        w.WriteNull("logprobs");
        if (finishReason is null)
        {
            w.WriteNull("finish_reason");
        }
        else
        {
            w.WriteString("finish_reason", finishReason);
        }

        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private void Header(Utf8JsonWriter w, string type)
    {
        w.WriteString("id", _id);
        w.WriteString("object", type);
        w.WriteNumber("created", _created);
        w.WriteString("model", _model);
    }

    private static void ToolCall(Utf8JsonWriter w, FunctionCallContent call, int? index)
    {
        w.WriteStartObject();
        if (index is { } i)
        {
            w.WriteNumber("index", i);
        }

        w.WriteString("id", call.CallId);
        w.WriteString("type", "function");
        w.WriteStartObject("function");
        w.WriteString("name", call.Name);
        w.WriteString("arguments", JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void UsageObject(Utf8JsonWriter w, UsageDetails usage)
    {
        var prompt = usage.InputTokenCount ?? 0;
        var completion = usage.OutputTokenCount ?? 0;
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", prompt);
        w.WriteNumber("completion_tokens", completion);
        w.WriteNumber("total_tokens", usage.TotalTokenCount ?? prompt + completion);
        w.WriteEndObject();
    }

    private static string FinishReasonText(ChatFinishReason? reason, bool sawToolCalls) =>
        reason == ChatFinishReason.Length ? "length"
        : reason == ChatFinishReason.ContentFilter ? "content_filter"
        : reason == ChatFinishReason.ToolCalls || sawToolCalls ? "tool_calls"
        : "stop";

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }

        return buffer.ToArray();
    }
}
