using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Qwen.Core;

/// <summary>
/// Writes JSON the way Python's <c>json.dumps(value, ensure_ascii=False)</c> does (", " and ": " separators,
/// non-ASCII kept), which is what Qwen's Jinja templates (<c>tojson</c>) and Qwen-Agent put into prompts.
/// </summary>
internal static class PythonJson
{
    public static string Serialize(JsonElement element)
    {
        var builder = new StringBuilder();
        Write(builder, element);
        return builder.ToString();
    }

    public static string Serialize(object? value)
    {
        var builder = new StringBuilder();
        WriteValue(builder, value);
        return builder.ToString();
    }

    /// <summary>Writes a call's arguments as a JSON object; a missing dictionary is the empty object.</summary>
    public static string SerializeArguments(IDictionary<string, object?>? arguments)
    {
        var builder = new StringBuilder("{");
        if (arguments is not null)
        {
            var first = true;
            foreach (var (key, value) in arguments)
            {
                if (!first)
                {
                    builder.Append(", ");
                }

                first = false;
                WriteString(builder, key);
                builder.Append(": ");
                WriteValue(builder, value);
            }
        }

        return builder.Append('}').ToString();
    }

    public static void WriteValue(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case JsonElement element:
                Write(builder, element);
                break;
            case string text:
                WriteString(builder, text);
                break;
            case bool flag:
                builder.Append(flag ? "true" : "false");
                break;
            default:
                var typeInfo = AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType());
                Write(builder, JsonSerializer.SerializeToElement(value, typeInfo));
                break;
        }
    }

    public static void Write(StringBuilder builder, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                builder.Append('{');
                var firstProperty = true;
                foreach (var property in element.EnumerateObject())
                {
                    if (!firstProperty)
                    {
                        builder.Append(", ");
                    }

                    firstProperty = false;
                    WriteString(builder, property.Name);
                    builder.Append(": ");
                    Write(builder, property.Value);
                }

                builder.Append('}');
                break;
            case JsonValueKind.Array:
                builder.Append('[');
                var firstItem = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!firstItem)
                    {
                        builder.Append(", ");
                    }

                    firstItem = false;
                    Write(builder, item);
                }

                builder.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(builder, element.GetString()!);
                break;
            case JsonValueKind.Number:
                builder.Append(element.GetRawText());
                break;
            case JsonValueKind.True:
                builder.Append("true");
                break;
            case JsonValueKind.False:
                builder.Append("false");
                break;
            default:
                builder.Append("null");
                break;
        }
    }

    public static void WriteString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                default:
                    if (c < ' ')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
    /// <summary>Converts a CLR argument value to JSON (a <see cref="JsonElement"/> passes through).</summary>
    public static JsonElement ToElement(object? value) => value switch
    {
        JsonElement element => element,
        null => default,
        _ => JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType())),
    };

    /// <summary>
    /// Writes a value as the Qwen3-Coder template does: mappings and lists with <c>tojson</c>, everything else with Jinja's
    /// <c>string</c> filter (Python's <c>str</c>: strings as they are, <c>True</c>/<c>False</c>/<c>None</c>).
    /// </summary>
    public static void WriteJinjaString(StringBuilder builder, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object or JsonValueKind.Array:
                Write(builder, element);
                break;
            case JsonValueKind.String:
                builder.Append(element.GetString());
                break;
            case JsonValueKind.True:
                builder.Append("True");
                break;
            case JsonValueKind.False:
                builder.Append("False");
                break;
            case JsonValueKind.Number:
                builder.Append(element.GetRawText());
                break;
            default:
                builder.Append("None");
                break;
        }
    }
    /// <summary>Writes a value as Python's <c>repr</c> writes it inside a container (what Jinja's <c>string</c> filter gives for a list).</summary>
    public static void WriteRepr(StringBuilder builder, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                builder.Append('{');
                var firstProperty = true;
                foreach (var property in element.EnumerateObject())
                {
                    builder.Append(firstProperty ? string.Empty : ", ");
                    firstProperty = false;
                    WriteReprString(builder, property.Name);
                    builder.Append(": ");
                    WriteRepr(builder, property.Value);
                }

                builder.Append('}');
                break;
            case JsonValueKind.Array:
                builder.Append('[');
                var firstItem = true;
                foreach (var item in element.EnumerateArray())
                {
                    builder.Append(firstItem ? string.Empty : ", ");
                    firstItem = false;
                    WriteRepr(builder, item);
                }

                builder.Append(']');
                break;
            case JsonValueKind.String:
                WriteReprString(builder, element.GetString()!);
                break;
            default:
                WriteJinjaString(builder, element);
                break;
        }
    }

    private static void WriteReprString(StringBuilder builder, string text)
    {
        // Python quotes with ' unless the text holds ' and no ".
        var quote = text.Contains('\'', StringComparison.Ordinal) && !text.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        builder.Append(quote);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    if (c == quote)
                    {
                        builder.Append('\\').Append(c);
                    }
                    else if (c < ' ' || c == '\x7f')
                    {
                        builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append(quote);
    }
}
