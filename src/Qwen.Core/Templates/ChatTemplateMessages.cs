using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Qwen.Core;

/// <summary>
/// Maps Microsoft.Extensions.AI messages and functions to the values Hugging Face chat templates read
/// (<c>{"role", "content", "reasoning_content", "tool_calls"}</c>, one <c>tool</c> message per function result, tools as OpenAI-style function specs),
/// straight to template values, without an intermediate JSON document.
/// </summary>
internal static class ChatTemplateMessages
{
    // Compact JSON that keeps non-ASCII text readable, for results the model reads.
    private static readonly JsonSerializerOptions ResultJson = new(AIJsonUtilities.DefaultOptions)
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static List<object?> ToValues(IReadOnlyList<ChatMessage> messages)
    {
        var result = new List<object?>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i] ?? throw new ArgumentException($"messages[{i}] is null", nameof(messages));
            AddMessage(result, message, i);
        }

        return result;
    }

    public static List<object?> ToolsToValues(ChatTemplateOptions options)
    {
        var tools = new List<object?>();
        if (options.ToolsJson is { } raw)
        {
            tools.AddRange(raw.Select(JinjaValues.FromJson));
        }

        foreach (var function in options.Tools ?? [])
        {
            if (function is null)
            {
                throw new ArgumentException("ChatTemplateOptions.Tools contains a null function", nameof(options));
            }

            var spec = new JinjaDict { ["name"] = function.Name };
            if (!string.IsNullOrEmpty(function.Description))
            {
                spec["description"] = function.Description;
            }

            spec["parameters"] = function.JsonSchema.ValueKind == JsonValueKind.Undefined
                ? new JinjaDict { ["type"] = "object", ["properties"] = new JinjaDict() }
                : JinjaValues.FromJson(function.JsonSchema);
            tools.Add(new JinjaDict { ["type"] = "function", ["function"] = spec });
        }

        return tools;
    }

    private static void AddMessage(List<object?> result, ChatMessage message, int index)
    {
        var role = message.Role.Value;
        var isTool = role == ChatRole.Tool.Value;
        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        var hasReasoning = false;
        var calls = new List<object?>();
        var results = new List<object?>();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent t:
                    if (isTool && results.Count > 0 && t.Text.Length > 0)
                    {
                        // Text after a function result in a tool message is a further tool output; keep the order.
                        results.Add(ToolMessage(t.Text, null));
                    }
                    else
                    {
                        text.Append(t.Text);
                    }

                    break;
                case TextReasoningContent r:
                    reasoning.Append(r.Text);
                    hasReasoning = true;
                    break;
                case FunctionCallContent call:
                    calls.Add(ToolCall(call));
                    break;
                case FunctionResultContent functionResult:
                    results.Add(ToolMessage(ResultText(functionResult), functionResult.CallId));
                    break;
                case UsageContent:
                    // Token counts of an earlier response: metadata, not part of the conversation text.
                    break;
                default:
                    throw new NotSupportedException(
                        $"messages[{index}] contains {content.GetType().Name}, which the chat template renderer does not support (text, reasoning, function calls and function results are supported)");
            }
        }

        if (isTool && results.Count > 0)
        {
            if (text.Length > 0)
            {
                results.Insert(0, ToolMessage(text.ToString(), null));
            }

            result.AddRange(results);
            return;
        }

        var dict = new JinjaDict { ["role"] = role, ["content"] = text.ToString() };
        if (hasReasoning)
        {
            dict["reasoning_content"] = reasoning.ToString();
        }

        if (calls.Count > 0)
        {
            dict["tool_calls"] = calls;
        }

        result.Add(dict);
        result.AddRange(results);
    }

    private static JinjaDict ToolCall(FunctionCallContent call)
    {
        var arguments = call.Arguments is null ? new JinjaDict() : JinjaValues.FromClr(call.Arguments);
        var dict = new JinjaDict
        {
            ["type"] = "function",
            ["function"] = new JinjaDict { ["name"] = call.Name, ["arguments"] = arguments },
        };
        if (!string.IsNullOrEmpty(call.CallId))
        {
            dict["id"] = call.CallId;
        }

        return dict;
    }

    private static JinjaDict ToolMessage(string content, string? callId)
    {
        var dict = new JinjaDict { ["role"] = "tool", ["content"] = content };
        if (!string.IsNullOrEmpty(callId))
        {
            dict["tool_call_id"] = callId;
        }

        return dict;
    }

    /// <summary>A function result as the text the model reads: strings as they are, anything else as compact JSON; a failed call with no result reads as its error.</summary>
    private static string ResultText(FunctionResultContent result) => result.Result switch
    {
        null => result.Exception is { } e ? $"Error: {e.Message}" : string.Empty,
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString()!,
        JsonElement element => element.GetRawText(),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonNode node => node.ToJsonString(ResultJson),
        var other => JsonSerializer.Serialize(other, other.GetType(), ResultJson),
    };
}
