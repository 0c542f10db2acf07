using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Qwen.Core;

/// <summary>
/// Maps Microsoft.Extensions.AI messages and functions to the JSON shape Hugging Face chat templates read
/// (<c>{"role", "content", "reasoning_content", "tool_calls"}</c>, one <c>tool</c> message per function result, tools as OpenAI-style function specs).
/// </summary>
internal static class ChatTemplateMessages
{
    // Compact JSON that keeps non-ASCII text readable, for results the model reads.
    private static readonly JsonSerializerOptions ResultJson = new(AIJsonUtilities.DefaultOptions)
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonArray ToJson(IReadOnlyList<ChatMessage> messages)
    {
        var result = new JsonArray();
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i] ?? throw new ArgumentException($"messages[{i}] is null", nameof(messages));
            AddMessage(result, message, i);
        }

        return result;
    }

    public static JsonArray ToolsToJson(ChatTemplateOptions options)
    {
        var tools = new JsonArray();
        if (options.ToolsJson is { } raw)
        {
            foreach (var tool in raw)
            {
                tools.Add(tool?.DeepClone());
            }
        }

        foreach (var function in options.Tools ?? [])
        {
            if (function is null)
            {
                throw new ArgumentException("ChatTemplateOptions.Tools contains a null function", nameof(options));
            }

            var spec = new JsonObject { ["name"] = function.Name };
            if (!string.IsNullOrEmpty(function.Description))
            {
                spec["description"] = function.Description;
            }

            spec["parameters"] = function.JsonSchema.ValueKind == JsonValueKind.Undefined
                ? new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() }
                : JsonNode.Parse(function.JsonSchema.GetRawText());
            tools.Add(new JsonObject { ["type"] = "function", ["function"] = spec });
        }

        return tools;
    }

    private static void AddMessage(JsonArray result, ChatMessage message, int index)
    {
        var role = message.Role.Value;
        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        var hasReasoning = false;
        var calls = new JsonArray();
        var results = new List<JsonObject>();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent t:
                    if (role == ChatRole.Tool.Value && results.Count > 0 && t.Text.Length > 0)
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

        if (role == ChatRole.Tool.Value && results.Count > 0)
        {
            if (text.Length > 0)
            {
                results.Insert(0, ToolMessage(text.ToString(), null));
            }

            foreach (var toolMessage in results)
            {
                result.Add(toolMessage);
            }

            return;
        }

        var json = new JsonObject { ["role"] = role, ["content"] = text.ToString() };
        if (hasReasoning)
        {
            json["reasoning_content"] = reasoning.ToString();
        }

        if (calls.Count > 0)
        {
            json["tool_calls"] = calls;
        }

        result.Add(json);
        foreach (var toolMessage in results)
        {
            result.Add(toolMessage);
        }
    }

    private static JsonObject ToolCall(FunctionCallContent call)
    {
        var arguments = call.Arguments is null
            ? new JsonObject()
            : JsonSerializer.SerializeToNode(call.Arguments, AIJsonUtilities.DefaultOptions) ?? new JsonObject();
        var json = new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = arguments },
        };
        if (!string.IsNullOrEmpty(call.CallId))
        {
            json["id"] = call.CallId;
        }

        return json;
    }

    private static JsonObject ToolMessage(string content, string? callId)
    {
        var json = new JsonObject { ["role"] = "tool", ["content"] = content };
        if (!string.IsNullOrEmpty(callId))
        {
            json["tool_call_id"] = callId;
        }

        return json;
    }

    /// <summary>A function result as the text the model reads: strings as they are, anything else as JSON; a failed call with no result reads as its error.</summary>
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
