using System.Text.Json;

namespace Qwen.Tools;

/// <summary>Typed access to the JSON object of arguments a model passed to a tool, with errors that name the argument.</summary>
public sealed class ToolArguments
{
    /// <summary>Initializes a new instance of the <see cref="ToolArguments"/> class.</summary>
    /// <param name="toolName">The tool the arguments are for, named in error messages.</param>
    /// <param name="json">The arguments: a JSON object.</param>
    /// <exception cref="ToolArgumentException"><paramref name="json"/> is not an object.</exception>
    public ToolArguments(string toolName, JsonElement json)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new ToolArgumentException(toolName, null, $"The arguments for tool '{toolName}' must be a JSON object, not {json.ValueKind.ToString().ToLowerInvariant()}.");
        }

        ToolName = toolName;
        Json = json;
    }

    /// <summary>Gets the tool the arguments are for.</summary>
    public string ToolName { get; }

    /// <summary>Gets the arguments as a JSON object.</summary>
    public JsonElement Json { get; }

    /// <summary>Returns whether the argument is present and not <c>null</c>.</summary>
    /// <param name="name">The argument name.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool Contains(string name) => Json.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>Gets a required string argument.</summary>
    /// <param name="name">The argument name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ToolArgumentException">The argument is missing or not a string.</exception>
    public string GetString(string name) =>
        GetOptionalString(name) ?? throw new ToolArgumentException(ToolName, name, $"Tool '{ToolName}' needs the argument '{name}' (a string).");

    /// <summary>Gets an optional string argument.</summary>
    /// <param name="name">The argument name.</param>
    /// <returns>The value, or <see langword="null"/> when absent.</returns>
    /// <exception cref="ToolArgumentException">The argument is present but not a string.</exception>
    public string? GetOptionalString(string name)
    {
        if (!Json.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw WrongType(name, "a string", value);
    }

    /// <summary>Gets an optional integer argument.</summary>
    /// <param name="name">The argument name.</param>
    /// <param name="defaultValue">The value when absent.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ToolArgumentException">The argument is present but not an integer.</exception>
    public int GetInt32(string name, int defaultValue)
    {
        if (!Json.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return defaultValue;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var result)
            ? result
            : throw WrongType(name, "an integer", value);
    }

    /// <summary>Gets an optional boolean argument.</summary>
    /// <param name="name">The argument name.</param>
    /// <param name="defaultValue">The value when absent.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ToolArgumentException">The argument is present but not a boolean.</exception>
    public bool GetBoolean(string name, bool defaultValue)
    {
        if (!Json.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return defaultValue;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(name, "a boolean", value),
        };
    }

    /// <summary>Gets a list of strings; a single string is accepted as a list of one, as models often send.</summary>
    /// <param name="name">The argument name.</param>
    /// <returns>The values; empty when absent.</returns>
    /// <exception cref="ToolArgumentException">The argument is neither a string nor an array of strings.</exception>
    public IReadOnlyList<string> GetStringList(string name)
    {
        if (!Json.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return [value.GetString()!];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongType(name, "an array of strings", value);
        }

        var list = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw WrongType($"{name}[{index}]", "a string", item);
            }

            list.Add(item.GetString()!);
            index++;
        }

        return list;
    }

    private ToolArgumentException WrongType(string name, string expected, JsonElement actual) =>
        new(ToolName, name, $"Tool '{ToolName}': argument '{name}' must be {expected}, not {JsonSchemaValidator.Describe(actual)}.");
}
