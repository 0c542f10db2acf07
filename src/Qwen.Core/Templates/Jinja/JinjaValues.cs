using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Qwen.Core;

/// <summary>Turns .NET and JSON values into template values the way Python's <c>json.loads</c> would see them (an integer literal stays an int, <c>1.0</c> is a float).</summary>
internal static class JinjaValues
{
    public static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => FromObject(obj),
        JsonArray array => array.Select(FromJson).ToList(),
        JsonValue value => FromJsonValue(value),
        _ => throw new ArgumentException($"unsupported JSON node {node.GetType().Name}"),
    };

    public static object? FromJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var dict = new JinjaDict();
                foreach (var property in element.EnumerateObject())
                {
                    dict[property.Name] = FromJson(property.Value);
                }

                return dict;
            case JsonValueKind.Array:
                return element.EnumerateArray().Select(FromJson).ToList();
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                var raw = element.GetRawText();
                if (raw.AsSpan().IndexOfAny(".eE") < 0 && long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                {
                    return integer;
                }

                return element.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }

    /// <summary>Converts a caller's .NET value (an extra template variable, a function-call argument).</summary>
    public static object? FromClr(object? value) => value switch
    {
        null => null,
        string or bool or long or double => value,
        JinjaDict or JinjaNamespace or JinjaCallable => value,
        int or short or sbyte or byte or ushort or uint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        ulong u => u <= long.MaxValue ? (object)(long)u : (double)u,
        float f => (double)f,
        decimal m => (double)m,
        char c => c.ToString(),
        Enum e => e.ToString(),
        JsonElement element => FromJson(element),
        JsonNode node => FromJson(node),
        IDictionary dictionary => FromDictionary(dictionary),
        IEnumerable<KeyValuePair<string, object?>> pairs => FromPairs(pairs),
        IEnumerable items => items.Cast<object?>().Select(FromClr).ToList(),
        _ => FromJson(JsonSerializer.SerializeToElement(value, value.GetType(), AIJsonUtilities.DefaultOptions)),
    };

    private static JinjaDict FromObject(JsonObject obj)
    {
        var dict = new JinjaDict(obj.Count);
        foreach (var (key, value) in obj)
        {
            dict[key] = FromJson(value);
        }

        return dict;
    }

    private static JinjaDict FromDictionary(IDictionary dictionary)
    {
        var dict = new JinjaDict(dictionary.Count);
        foreach (DictionaryEntry entry in dictionary)
        {
            dict[JinjaDict.CheckKey(FromClr(entry.Key))] = FromClr(entry.Value);
        }

        return dict;
    }

    // Dictionaries that implement only the generic interfaces (AIFunctionArguments, AdditionalPropertiesDictionary, ...).
    private static JinjaDict FromPairs(IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        var dict = new JinjaDict();
        foreach (var (key, item) in pairs)
        {
            dict[key] = FromClr(item);
        }

        return dict;
    }

    private static object? FromJsonValue(JsonValue value)
    {
        if (value.TryGetValue<JsonElement>(out var element))
        {
            return FromJson(element);
        }

        if (value.TryGetValue<string>(out var s))
        {
            return s;
        }

        if (value.TryGetValue<bool>(out var b))
        {
            return b;
        }

        if (value.TryGetValue<long>(out var l))
        {
            return l;
        }

        if (value.TryGetValue<int>(out var i))
        {
            return (long)i;
        }

        if (value.TryGetValue<double>(out var d))
        {
            return d;
        }

        return FromJson(JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions));
    }
}
