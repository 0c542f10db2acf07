using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Qwen.Server;

/// <summary>A <c>POST /v1/chat/completions</c> body read into Microsoft.Extensions.AI's types, every field checked with errors that name it.</summary>
internal sealed class ChatCompletionRequest
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key for the chat template's <c>enable_thinking</c> (the one Qwen's chat client reads).</summary>
    public const string EnableThinkingKey = "enable_thinking";

    private ChatCompletionRequest(string model, List<ChatMessage> messages, ChatOptions options, bool stream, bool includeUsage)
    {
        Model = model;
        Messages = messages;
        Options = options;
        Stream = stream;
        IncludeUsage = includeUsage;
    }

    /// <summary>Gets the requested model id.</summary>
    public string Model { get; }

    /// <summary>Gets the conversation.</summary>
    public List<ChatMessage> Messages { get; }

    /// <summary>Gets the sampling, tool and reasoning options.</summary>
    public ChatOptions Options { get; }

    /// <summary>Gets whether the answer streams as server-sent events.</summary>
    public bool Stream { get; }

    /// <summary>Gets whether a streamed answer ends with a usage chunk (<c>stream_options.include_usage</c>).</summary>
    public bool IncludeUsage { get; }

    /// <summary>Reads and checks a request body.</summary>
    /// <exception cref="ApiException">The body is not a valid request; the error names the field.</exception>
    public static ChatCompletionRequest Parse(JsonObject body)
    {
        var model = RequiredString(body, "model");
        var messages = ReadMessages(body["messages"]);
        var options = new ChatOptions { ModelId = model };

        options.Temperature = Number(body, "temperature", 0, 2);
        options.TopP = Number(body, "top_p", 0, 1, exclusiveMin: true);
        if (Integer(body, "top_k", -1, int.MaxValue) is { } topK && topK > 0)
        {
            options.TopK = (int)topK;
        }

        options.FrequencyPenalty = Number(body, "frequency_penalty", -2, 2);
        options.PresencePenalty = Number(body, "presence_penalty", -2, 2);
        options.Seed = Integer(body, "seed", long.MinValue, long.MaxValue);
        var maxTokens = Integer(body, "max_completion_tokens", 1, int.MaxValue) ?? Integer(body, "max_tokens", 1, int.MaxValue);
        options.MaxOutputTokens = (int?)maxTokens;
        options.StopSequences = ReadStop(body["stop"]);
        if (Integer(body, "n", 1, int.MaxValue) is > 1)
        {
            throw ApiException.BadRequest("n", "'n' must be 1: one choice per request is supported.");
        }

        ReadTools(body, options);
        ReadResponseFormat(body["response_format"], options);
        if (body["chat_template_kwargs"] is { } kwargs)
        {
            if (kwargs is not JsonObject kwargsObject)
            {
                throw ApiException.BadRequest("chat_template_kwargs", "'chat_template_kwargs' must be an object.");
            }

            if (kwargsObject["enable_thinking"] is { } thinking)
            {
                if (thinking.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    throw ApiException.BadRequest("chat_template_kwargs.enable_thinking", "'chat_template_kwargs.enable_thinking' must be true or false.");
                }

                (options.AdditionalProperties ??= [])[EnableThinkingKey] = thinking.GetValue<bool>();
            }
        }

        var stream = Bool(body, "stream") ?? false;
        var includeUsage = false;
        if (body["stream_options"] is { } streamOptions)
        {
            if (streamOptions is not JsonObject so)
            {
                throw ApiException.BadRequest("stream_options", "'stream_options' must be an object.");
            }

            includeUsage = Bool(so, "include_usage", "stream_options.include_usage") ?? false;
        }

        return new ChatCompletionRequest(model, messages, options, stream, includeUsage);
    }

    private static List<ChatMessage> ReadMessages(JsonNode? node)
    {
        if (node is not JsonArray array)
        {
            throw ApiException.BadRequest("messages", node is null ? "'messages' is required." : "'messages' must be an array.");
        }

        if (array.Count == 0)
        {
            throw ApiException.BadRequest("messages", "'messages' must hold at least one message.");
        }

        var messages = new List<ChatMessage>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            var field = $"messages[{i}]";
            if (array[i] is not JsonObject message)
            {
                throw ApiException.BadRequest(field, $"'{field}' must be an object.");
            }

            messages.Add(ReadMessage(message, field));
        }

        return messages;
    }

    private static ChatMessage ReadMessage(JsonObject message, string field)
    {
        var role = RequiredString(message, "role", $"{field}.role");
        var contents = new List<AIContent>();
        switch (role)
        {
            case "system" or "developer" or "user":
                contents.AddRange(ReadContent(message["content"], $"{field}.content", required: true));
                return new ChatMessage(role == "user" ? ChatRole.User : ChatRole.System, contents);
            case "assistant":
                if (OptionalString(message, "reasoning_content", $"{field}.reasoning_content") is { Length: > 0 } reasoning)
                {
                    contents.Add(new TextReasoningContent(reasoning));
                }

                contents.AddRange(ReadContent(message["content"], $"{field}.content", required: false));
                contents.AddRange(ReadToolCalls(message["tool_calls"], $"{field}.tool_calls"));
                return new ChatMessage(ChatRole.Assistant, contents);
            case "tool":
                var callId = RequiredString(message, "tool_call_id", $"{field}.tool_call_id");
                var text = string.Concat(ReadContent(message["content"], $"{field}.content", required: true).OfType<TextContent>().Select(t => t.Text));
                return new ChatMessage(ChatRole.Tool, [new FunctionResultContent(callId, text)]);
            default:
                throw ApiException.BadRequest($"{field}.role", $"'{field}.role' is '{role}'; expected system, developer, user, assistant or tool.");
        }
    }

    private static IEnumerable<AIContent> ReadContent(JsonNode? node, string field, bool required)
    {
        switch (node)
        {
            case null when !required:
                return [];
            case null:
                throw ApiException.BadRequest(field, $"'{field}' is required.");
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return [new TextContent(value.GetValue<string>())];
            case JsonArray parts:
                var contents = new List<AIContent>();
                for (var j = 0; j < parts.Count; j++)
                {
                    var partField = $"{field}[{j}]";
                    if (parts[j] is not JsonObject part)
                    {
                        throw ApiException.BadRequest(partField, $"'{partField}' must be an object.");
                    }

                    var type = RequiredString(part, "type", $"{partField}.type");
                    if (type != "text")
                    {
                        throw ApiException.BadRequest($"{partField}.type", $"'{partField}.type' is '{type}'; only 'text' parts are supported (the model reads text).");
                    }

                    contents.Add(new TextContent(RequiredString(part, "text", $"{partField}.text")));
                }

                return contents;
            default:
                throw ApiException.BadRequest(field, $"'{field}' must be a string or an array of content parts.");
        }
    }

    private static List<AIContent> ReadToolCalls(JsonNode? node, string field)
    {
        if (node is null)
        {
            return [];
        }

        if (node is not JsonArray calls)
        {
            throw ApiException.BadRequest(field, $"'{field}' must be an array.");
        }

        var contents = new List<AIContent>();
        for (var j = 0; j < calls.Count; j++)
        {
            var callField = $"{field}[{j}]";
            if (calls[j] is not JsonObject call || call["function"] is not JsonObject function)
            {
                throw ApiException.BadRequest(callField, $"'{callField}' must be an object with a 'function' object.");
            }

            var id = RequiredString(call, "id", $"{callField}.id");
            var name = RequiredString(function, "name", $"{callField}.function.name");
            var argumentsText = OptionalString(function, "arguments", $"{callField}.function.arguments") ?? "{}";
            Dictionary<string, object?>? arguments;
            try
            {
                arguments = string.IsNullOrWhiteSpace(argumentsText) ? [] : JsonSerializer.Deserialize<Dictionary<string, object?>>(argumentsText, AIJsonUtilities.DefaultOptions);
            }
            catch (JsonException e)
            {
                throw ApiException.BadRequest($"{callField}.function.arguments", $"'{callField}.function.arguments' is not a JSON object: {e.Message}");
            }

            contents.Add(new FunctionCallContent(id, name, arguments));
        }

        return contents;
    }

    private static void ReadTools(JsonObject body, ChatOptions options)
    {
        var declared = new List<AITool>();
        if (body["tools"] is { } toolsNode)
        {
            if (toolsNode is not JsonArray tools)
            {
                throw ApiException.BadRequest("tools", "'tools' must be an array.");
            }

            for (var i = 0; i < tools.Count; i++)
            {
                var field = $"tools[{i}]";
                if (tools[i] is not JsonObject tool)
                {
                    throw ApiException.BadRequest(field, $"'{field}' must be an object.");
                }

                if (RequiredString(tool, "type", $"{field}.type") != "function" || tool["function"] is not JsonObject function)
                {
                    throw ApiException.BadRequest(field, $"'{field}' must be {{\"type\": \"function\", \"function\": {{...}}}}.");
                }

                var name = RequiredString(function, "name", $"{field}.function.name");
                var description = OptionalString(function, "description", $"{field}.function.description");
                var parameters = function["parameters"] switch
                {
                    null => JsonSerializer.SerializeToElement(new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() }),
                    JsonObject schema => JsonSerializer.SerializeToElement(schema),
                    _ => throw ApiException.BadRequest($"{field}.function.parameters", $"'{field}.function.parameters' must be a JSON schema object."),
                };
                declared.Add(AIFunctionFactory.CreateDeclaration(name, description, parameters));
            }
        }

        if (declared.Count > 0)
        {
            options.Tools = declared;
        }

        options.AllowMultipleToolCalls = Bool(body, "parallel_tool_calls");
        options.ToolMode = body["tool_choice"] switch
        {
            null => null,
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>() switch
            {
                "auto" => ChatToolMode.Auto,
                "none" => ChatToolMode.None,
                "required" when declared.Count > 0 => ChatToolMode.RequireAny,
                "required" => throw ApiException.BadRequest("tool_choice", "'tool_choice' is 'required' but no 'tools' are given."),
                var other => throw ApiException.BadRequest("tool_choice", $"'tool_choice' is '{other}'; expected auto, none, required or {{\"type\": \"function\", \"function\": {{\"name\": ...}}}}."),
            },
            JsonObject choice when choice["function"] is JsonObject function => NamedTool(RequiredString(function, "name", "tool_choice.function.name"), declared),
            _ => throw ApiException.BadRequest("tool_choice", "'tool_choice' must be a string or {\"type\": \"function\", \"function\": {\"name\": ...}}."),
        };
    }

    private static RequiredChatToolMode NamedTool(string name, List<AITool> declared) =>
        declared.Any(t => t.Name == name)
            ? ChatToolMode.RequireSpecific(name)
            : throw ApiException.BadRequest("tool_choice", $"'tool_choice' names function '{name}', which is not among 'tools'.");

    private static void ReadResponseFormat(JsonNode? node, ChatOptions options)
    {
        if (node is null)
        {
            return;
        }

        var type = node is JsonObject format ? OptionalString(format, "type", "response_format.type") : null;
        options.ResponseFormat = type switch
        {
            "text" => ChatResponseFormat.Text,
            "json_object" => ChatResponseFormat.Json,
            "json_schema" when node["json_schema"]?["schema"] is JsonObject schema => ChatResponseFormat.ForJsonSchema(JsonSerializer.SerializeToElement(schema)),
            _ => throw ApiException.BadRequest("response_format", "'response_format' must be {\"type\": \"text\"}, {\"type\": \"json_object\"} or {\"type\": \"json_schema\", \"json_schema\": {\"schema\": {...}}}."),
        };
    }

    private static List<string>? ReadStop(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return [value.GetValue<string>()];
            case JsonArray array when array.All(s => s?.GetValueKind() == JsonValueKind.String):
                var stops = array.Select(s => s!.GetValue<string>()).ToList();
                return stops.Count <= 4 && stops.All(s => s.Length > 0)
                    ? stops
                    : throw ApiException.BadRequest("stop", "'stop' takes at most 4 non-empty strings.");
            default:
                throw ApiException.BadRequest("stop", "'stop' must be a string or an array of strings.");
        }
    }

    private static string RequiredString(JsonObject obj, string name, string? field = null) =>
        OptionalString(obj, name, field) ?? throw ApiException.BadRequest(field ?? name, $"'{field ?? name}' is required.");

    private static string? OptionalString(JsonObject obj, string name, string? field = null)
    {
        var node = obj[name];
        if (node is null)
        {
            return null;
        }

        return node.GetValueKind() == JsonValueKind.String
            ? node.GetValue<string>()
            : throw ApiException.BadRequest(field ?? name, $"'{field ?? name}' must be a string.");
    }

    private static bool? Bool(JsonObject obj, string name, string? field = null)
    {
        var node = obj[name];
        return node?.GetValueKind() switch
        {
            null or JsonValueKind.Null => null,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw ApiException.BadRequest(field ?? name, $"'{field ?? name}' must be true or false."),
        };
    }

    private static float? Number(JsonObject obj, string name, double min, double max, bool exclusiveMin = false)
    {
        var node = obj[name];
        if (node is null || node.GetValueKind() == JsonValueKind.Null)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.Number)
        {
            throw ApiException.BadRequest(name, $"'{name}' must be a number.");
        }

        var value = node.GetValue<double>();
        var ok = (exclusiveMin ? value > min : value >= min) && value <= max;
        return ok
            ? (float)value
            : throw ApiException.BadRequest(name, $"'{name}' is {value}; it must be in {(exclusiveMin ? "(" : "[")}{min}, {max}].");
    }

    private static long? Integer(JsonObject obj, string name, long min, long max)
    {
        var node = obj[name];
        if (node is null || node.GetValueKind() == JsonValueKind.Null)
        {
            return null;
        }

        if (node.GetValueKind() != JsonValueKind.Number || !((JsonValue)node).TryGetValue<long>(out var value))
        {
            throw ApiException.BadRequest(name, $"'{name}' must be an integer.");
        }

        return value >= min && value <= max
            ? value
            : throw ApiException.BadRequest(name, $"'{name}' is {value}; it must be at least {min}.");
    }
}
