using System.Text.Json;

namespace Qwen.Runtime;

/// <summary>Reads typed fields from a checkpoint's JSON files, with errors that name the file and the field.</summary>
internal static class JsonFields
{
    public static JsonDocument Parse(string json, string source)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(source, $"is not valid JSON: {e.Message}", e);
        }
    }

    private static T Root<T>(JsonDocument doc, string source, Func<JsonElement, string, T> read) =>
        doc.RootElement.ValueKind == JsonValueKind.Object
            ? read(doc.RootElement, source)
            : throw new CheckpointFormatException(source, "must hold a JSON object");

    public static JsonDocument ParseFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointFormatException(path, $"cannot be read: {e.Message}", e);
        }

        return Parse(text, path);
    }

    /// <summary>Parses JSON text and hands its root object to <paramref name="read"/>.</summary>
    public static T ReadObject<T>(string json, string source, Func<JsonElement, string, T> read)
    {
        using var doc = Parse(json, source);
        return Root(doc, source, read);
    }

    /// <summary>Parses a JSON file and hands its root object to <paramref name="read"/>.</summary>
    public static T ReadObjectFile<T>(string path, Func<JsonElement, string, T> read)
    {
        using var doc = ParseFile(path);
        return Root(doc, path, read);
    }

    /// <summary>The property, or null when it is absent or JSON null.</summary>
    public static JsonElement? Get(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static int? GetInt(JsonElement obj, string name, string source)
    {
        if (Get(obj, name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i))
        {
            return i;
        }

        // Some writers emit integral values as floats (e.g. 32768.0).
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue)
        {
            return (int)d;
        }

        throw new CheckpointFormatException(source, $"field '{name}' must be an integer, found {value.GetRawText()}");
    }

    public static int RequireInt(JsonElement obj, string name, string source, int min = 1) =>
        GetInt(obj, name, source) is { } v
            ? v >= min ? v : throw new CheckpointFormatException(source, $"field '{name}' must be at least {min}, found {v}")
            : throw new CheckpointFormatException(source, $"field '{name}' is missing");

    public static double? GetDouble(JsonElement obj, string name, string source)
    {
        if (Get(obj, name) is not { } value)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && double.IsFinite(d)
            ? d
            : throw new CheckpointFormatException(source, $"field '{name}' must be a number, found {value.GetRawText()}");
    }

    public static bool? GetBool(JsonElement obj, string name, string source)
    {
        if (Get(obj, name) is not { } value)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new CheckpointFormatException(source, $"field '{name}' must be true or false, found {value.GetRawText()}"),
        };
    }

    public static string? GetString(JsonElement obj, string name, string source)
    {
        if (Get(obj, name) is not { } value)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new CheckpointFormatException(source, $"field '{name}' must be a string, found {value.GetRawText()}");
    }

    /// <summary>An integer or a list of integers (as <c>eos_token_id</c> may be); empty when absent.</summary>
    public static int[] GetIntOrList(JsonElement obj, string name, string source)
    {
        if (Get(obj, name) is not { } value)
        {
            return [];
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            var list = new List<int>();
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var id) || id < 0)
                {
                    throw new CheckpointFormatException(source, $"field '{name}' must hold non-negative integers, found {item.GetRawText()}");
                }

                list.Add(id);
            }

            return [.. list];
        }

        return GetInt(obj, name, source) is { } single && single >= 0
            ? [single]
            : throw new CheckpointFormatException(source, $"field '{name}' must be a non-negative integer or a list of them, found {value.GetRawText()}");
    }
}
