using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Qwen.Core;

/// <summary>Turns the text of one attempted call into a <see cref="ToolCallEvent"/> or a <see cref="ToolCallParseErrorEvent"/>.</summary>
internal sealed class CallFactory(Func<string>? idGenerator)
{
    /// <summary>Reads a Hermes <c>&lt;tool_call&gt;</c> body: <c>{"name": ..., "arguments": {...}}</c>.</summary>
    public FunctionCallEvent FromHermesBody(string body, string rawText)
    {
        var error = ReadHermesBody(body, out var name, out var arguments);
        return error is null ? Create(name!, arguments!, rawText) : new ToolCallParseErrorEvent(rawText, error, name);
    }

    /// <summary>Gets the function name of a Hermes body when it can be read, for reporting a call that cannot be completed.</summary>
    public static string? ReadHermesName(string body)
    {
        ReadHermesBody(body, out var name, out _);
        return name;
    }

    /// <returns>Why the body cannot be read; <see langword="null"/> when <paramref name="name"/> and <paramref name="arguments"/> are set.</returns>
    private static string? ReadHermesBody(string body, out string? name, out JsonObject? arguments)
    {
        name = null;
        arguments = null;
        if (!LenientJsonReader.TryParse(body, allowTrailingText: true, out var node, out var error))
        {
            return $"the <tool_call> body is not valid JSON: {error}";
        }

        if (node is not JsonObject call)
        {
            return $"the <tool_call> body must be an object with \"name\" and \"arguments\" but is {LenientJsonReader.Describe(node)}";
        }

        if (call["name"] is not JsonValue nameValue || !nameValue.TryGetValue<string>(out var text) || string.IsNullOrWhiteSpace(text))
        {
            return "the <tool_call> object has no \"name\" string";
        }

        name = text.Trim();

        // Some fine-tunes write "parameters"; some encode the arguments as a JSON string.
        var value = call.ContainsKey("arguments") ? call["arguments"] : call["parameters"];
        switch (value)
        {
            case null:
                arguments = [];
                return null;
            case JsonObject argumentsObject:
                arguments = argumentsObject;
                return null;
            case JsonValue encoded when encoded.TryGetValue<string>(out var argumentsText):
                if (string.IsNullOrWhiteSpace(argumentsText))
                {
                    arguments = [];
                    return null;
                }

                return LenientJsonReader.TryParseObject(argumentsText, allowTrailingText: true, out arguments, out var decodeError)
                    ? null
                    : $"the \"arguments\" of '{name}' are a string that is not a JSON object: {decodeError}";
            default:
                return $"the \"arguments\" of '{name}' must be a JSON object but are {LenientJsonReader.Describe(value)}";
        }
    }

    /// <summary>Reads a call written as a name and an arguments text (the Qwen and ReAct formats).</summary>
    /// <remarks>
    /// As in Qwen-Agent, text after a complete arguments object is ignored (models append comments), and an
    /// arguments text that is a fenced code block (the <c>code_interpreter</c> convention) becomes <c>{"code": ...}</c>.
    /// </remarks>
    public FunctionCallEvent FromNameAndArguments(string name, string argumentsText, string rawText)
    {
        name = name.Trim();
        if (name.Length == 0)
        {
            return new ToolCallParseErrorEvent(rawText, "the call has no function name");
        }

        if (name.AsSpan().IndexOfAny('\n', '\r') >= 0)
        {
            return new ToolCallParseErrorEvent(rawText, $"the function name spans several lines: '{name}'");
        }

        argumentsText = argumentsText.Trim();
        if (argumentsText.Length == 0)
        {
            return Create(name, [], rawText);
        }

        if (LenientJsonReader.TryParseObject(argumentsText, allowTrailingText: true, out var arguments, out var error))
        {
            return Create(name, arguments, rawText);
        }

        if (TryReadCodeFence(argumentsText, out var isJson, out var body))
        {
            // A fenced JSON object (```json, or a bare ``` around an object) is the arguments; any other fenced block is code.
            if (LenientJsonReader.TryParseObject(body, allowTrailingText: true, out var fenced, out var fencedError))
            {
                return Create(name, fenced, rawText);
            }

            if (isJson)
            {
                return new ToolCallParseErrorEvent(rawText, $"the arguments of '{name}' are a ```json block that is not a JSON object: {fencedError}", name);
            }

            return Create(name, new JsonObject { ["code"] = body }, rawText);
        }

        return new ToolCallParseErrorEvent(rawText, $"the arguments of '{name}' are not a JSON object: {error}", name);
    }

    private static bool TryReadCodeFence(string text, out bool isJson, out string body)
    {
        body = string.Empty;
        isJson = false;
        if (!text.StartsWith("```", StringComparison.Ordinal))
        {
            return false;
        }

        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        if (newline < 0)
        {
            return false;
        }

        var info = text.AsSpan(3, newline - 3).Trim();
        isJson = info.Equals("json", StringComparison.OrdinalIgnoreCase) || info.Equals("json5", StringComparison.OrdinalIgnoreCase);
        var close = text.LastIndexOf("\n```", StringComparison.Ordinal);
        body = close >= newline ? text[(newline + 1)..close] : text[(newline + 1)..];
        return true;
    }

    /// <summary>Makes the call event: a fresh id, the name, and the arguments as <see cref="JsonElement"/> values.</summary>
    public ToolCallEvent Create(string name, JsonObject arguments, string rawText)
    {
        var values = new Dictionary<string, object?>(arguments.Count);
        if (arguments.Count > 0)
        {
            using var document = JsonDocument.Parse(arguments.ToJsonString());
            foreach (var property in document.RootElement.EnumerateObject())
            {
                values[property.Name] = property.Value.ValueKind == JsonValueKind.Null ? null : property.Value.Clone();
            }
        }

        var call = new FunctionCallContent(NextId(), name, values) { RawRepresentation = rawText };
        return new ToolCallEvent(call, rawText);
    }

    private string NextId()
    {
        if (idGenerator is null)
        {
            return "call_" + RandomNumberGenerator.GetHexString(24, lowercase: true);
        }

        var id = idGenerator();
        return string.IsNullOrEmpty(id)
            ? throw new InvalidOperationException("FunctionCallParserOptions.CallIdGenerator returned a null or empty call id.")
            : id;
    }
}
