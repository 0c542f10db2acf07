using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Qwen.Core;

/// <summary>Reads the body of one XML call block into calls, typing parameter values by the tools' JSON schemas.</summary>
internal sealed class XmlCallReader(CallFactory calls, IReadOnlyList<AIFunctionDeclaration>? tools)
{
    private const string FunctionOpen = XmlFunctionCallFormat.FunctionOpen;
    private const string FunctionClose = "</function>";
    private const string ParameterOpen = "<parameter=";
    private const string ParameterClose = "</parameter>";

    /// <summary>Reads every <c>&lt;function=…&gt;</c> element of <paramref name="body"/> and adds a call or a parse error for each.</summary>
    /// <param name="body">The text between <c>&lt;tool_call&gt;</c> and <c>&lt;/tool_call&gt;</c> (or a bare function element).</param>
    /// <param name="rawText">The model's text of the whole block, reported when the block holds one function.</param>
    /// <param name="blockClosed">Whether the block was closed; in an unclosed block a function without <c>&lt;/function&gt;</c> is an error.</param>
    /// <param name="sink">Where the events go.</param>
    public void Read(string body, string rawText, bool blockClosed, EventSink sink)
    {
        var start = body.IndexOf(FunctionOpen, StringComparison.Ordinal);
        if (start < 0)
        {
            sink.Add(new ToolCallParseErrorEvent(
                rawText, blockClosed ? "the <tool_call> block holds no <function=NAME> element" : "the output ended inside <tool_call> before </tool_call>"));
            return;
        }

        var single = body.IndexOf(FunctionOpen, start + FunctionOpen.Length, StringComparison.Ordinal) < 0;
        while (start >= 0)
        {
            var close = body.IndexOf(FunctionClose, start, StringComparison.Ordinal);
            var end = close < 0 ? body.Length : close + FunctionClose.Length;
            var element = body[start..end];
            var raw = single ? rawText : element;
            if (close < 0 && !blockClosed)
            {
                sink.Add(new ToolCallParseErrorEvent(raw, "the output ended inside <function=...> before </function>", ReadName(element)));
                return;
            }

            sink.Add(ReadFunction(element, close < 0 ? element.Length : element.Length - FunctionClose.Length, raw));
            start = body.IndexOf(FunctionOpen, end, StringComparison.Ordinal);
        }
    }

    /// <summary>Gets the function name of an element starting with <c>&lt;function=</c> when it can be read.</summary>
    public static string? ReadName(string element)
    {
        var nameEnd = element.IndexOf('>', FunctionOpen.Length);
        var name = nameEnd < 0 ? null : element[FunctionOpen.Length..nameEnd].Trim();
        return string.IsNullOrEmpty(name) || name.AsSpan().IndexOfAny('\n', '<') >= 0 ? null : name;
    }

    private FunctionCallEvent ReadFunction(string element, int contentEnd, string rawText)
    {
        var nameEnd = element.IndexOf('>', FunctionOpen.Length);
        if (nameEnd < 0 || nameEnd >= contentEnd)
        {
            return new ToolCallParseErrorEvent(rawText, "the <function= tag has no closing '>'");
        }

        var name = ReadName(element);
        if (name is null)
        {
            return new ToolCallParseErrorEvent(rawText, $"the <function=...> tag has no valid function name: '{element[FunctionOpen.Length..nameEnd]}'");
        }

        var properties = FindProperties(name);
        var arguments = new JsonObject();
        var position = nameEnd + 1;
        while (true)
        {
            var open = element.IndexOf(ParameterOpen, position, contentEnd - position, StringComparison.Ordinal);
            if (open < 0)
            {
                return calls.Create(name, arguments, rawText);
            }

            var parameterNameEnd = element.IndexOf('>', open + ParameterOpen.Length, contentEnd - open - ParameterOpen.Length);
            if (parameterNameEnd < 0)
            {
                return new ToolCallParseErrorEvent(rawText, $"a <parameter= tag of '{name}' has no closing '>'", name);
            }

            var parameter = element[(open + ParameterOpen.Length)..parameterNameEnd].Trim();
            if (parameter.Length == 0 || parameter.Contains('\n', StringComparison.Ordinal))
            {
                return new ToolCallParseErrorEvent(rawText, $"a <parameter=...> tag of '{name}' has no valid parameter name", name);
            }

            // The value ends at </parameter>; without it, at the next <parameter= or the end of the function.
            var valueStart = parameterNameEnd + 1;
            var valueEnd = FirstOf(element, valueStart, contentEnd, ParameterClose, ParameterOpen);
            position = element.AsSpan(valueEnd).StartsWith(ParameterClose, StringComparison.Ordinal) ? valueEnd + ParameterClose.Length : valueEnd;
            arguments[parameter] = TypeValue(StripNewlines(element[valueStart..valueEnd]), properties, parameter);
        }
    }

    private static int FirstOf(string text, int start, int end, string first, string second)
    {
        var a = text.IndexOf(first, start, end - start, StringComparison.Ordinal);
        var b = text.IndexOf(second, start, end - start, StringComparison.Ordinal);
        return a < 0 ? (b < 0 ? end : b) : (b < 0 ? a : Math.Min(a, b));
    }

    /// <summary>The template writes <c>&gt;\n</c> before and <c>\n&lt;</c> after a value: one newline each side belongs to the markup.</summary>
    private static string StripNewlines(string value)
    {
        var start = value.StartsWith('\n') ? 1 : 0;
        var end = value.Length > start && value.EndsWith('\n') ? value.Length - 1 : value.Length;
        return value[start..end];
    }

    /// <summary>
    /// As Qwen3-Coder's parser does: a value whose schema says string stays text; any other value is JSON when it parses as
    /// JSON (also Python's <c>True</c>/<c>False</c>/<c>None</c>, which the template writes for booleans and null), else text.
    /// </summary>
    private static JsonNode? TypeValue(string value, JsonElement properties, string parameter)
    {
        if (IsStringTyped(properties, parameter))
        {
            return JsonValue.Create(value);
        }

        var trimmed = value.Trim();
        switch (trimmed)
        {
            case "True":
                return JsonValue.Create(true);
            case "False":
                return JsonValue.Create(false);
            case "None":
                return null;
        }

        if (trimmed.Length > 0)
        {
            try
            {
                return JsonNode.Parse(trimmed);
            }
            catch (JsonException)
            {
                if (trimmed[0] is '{' or '[' && LenientJsonReader.TryParse(trimmed, allowTrailingText: false, out var repaired, out _))
                {
                    return repaired;
                }
            }
        }

        return JsonValue.Create(value);
    }

    private static bool IsStringTyped(JsonElement properties, string parameter)
    {
        if (properties.ValueKind != JsonValueKind.Object
            || !properties.TryGetProperty(parameter, out var schema)
            || schema.ValueKind != JsonValueKind.Object
            || !schema.TryGetProperty("type", out var type))
        {
            return false;
        }

        return type.ValueKind switch
        {
            JsonValueKind.String => type.ValueEquals("string"),

            // ["string", "null"]: text unless the model wrote null.
            JsonValueKind.Array => type.EnumerateArray().All(t => t.ValueEquals("string") || t.ValueEquals("null"))
                && type.EnumerateArray().Any(t => t.ValueEquals("string")),
            _ => false,
        };
    }

    private JsonElement FindProperties(string name)
    {
        var tool = tools?.FirstOrDefault(t => t?.Name == name);
        return tool is not null && tool.JsonSchema.ValueKind == JsonValueKind.Object && tool.JsonSchema.TryGetProperty("properties", out var properties)
            ? properties
            : default;
    }
}
