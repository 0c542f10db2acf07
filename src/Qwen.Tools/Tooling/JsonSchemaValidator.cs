using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Qwen.Tools;

/// <summary>
/// Checks tool arguments against the subset of JSON Schema that tool signatures use: <c>type</c> (one or a list), <c>enum</c>,
/// <c>const</c>, <c>properties</c>, <c>required</c>, <c>additionalProperties</c>, <c>items</c>, <c>minItems</c>/<c>maxItems</c>,
/// <c>minimum</c>/<c>maximum</c> (and the exclusive forms), <c>minLength</c>/<c>maxLength</c>, <c>pattern</c>, <c>anyOf</c>/<c>oneOf</c>.
/// Other keywords are ignored. Each violation is reported in words a model can act on, naming the argument and the rule.
/// </summary>
internal static class JsonSchemaValidator
{
    private const int MaxErrors = 20;

    /// <summary>Validates <paramref name="instance"/> against <paramref name="schema"/>.</summary>
    /// <returns>One message per violation; empty when valid.</returns>
    public static IReadOnlyList<string> Validate(JsonElement schema, JsonElement instance)
    {
        var errors = new List<string>();
        Check(schema, instance, string.Empty, errors);
        return errors;
    }

    /// <summary>Describes a JSON value briefly, for error messages.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string {Shorten(value.GetRawText())}",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => $"an array of {value.GetArrayLength()} items",
        JsonValueKind.Object => "an object",
        _ => "nothing",
    };

    private static void Check(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        if (errors.Count >= MaxErrors || schema.ValueKind != JsonValueKind.Object)
        {
            // A boolean schema (true) or an unknown shape accepts anything.
            if (schema.ValueKind == JsonValueKind.False)
            {
                errors.Add($"{Name(path)} is not allowed.");
            }

            return;
        }

        if (schema.TryGetProperty("type", out var type) && !MatchesType(type, value))
        {
            errors.Add($"{Name(path)} must be {TypeWords(type)}, not {Describe(value)}.");
            return;
        }

        if (schema.TryGetProperty("enum", out var allowed) && allowed.ValueKind == JsonValueKind.Array
            && !allowed.EnumerateArray().Any(option => JsonElement.DeepEquals(option, value)))
        {
            var options = string.Join(", ", allowed.EnumerateArray().Select(o => o.GetRawText()));
            errors.Add($"{Name(path)} must be one of {options}, not {Describe(value)}.");
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(constant, value))
        {
            errors.Add($"{Name(path)} must be {constant.GetRawText()}, not {Describe(value)}.");
        }

        CheckAlternatives(schema, value, path, errors);

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                CheckObject(schema, value, path, errors);
                break;
            case JsonValueKind.Array:
                CheckArray(schema, value, path, errors);
                break;
            case JsonValueKind.String:
                CheckString(schema, value.GetString()!, path, errors);
                break;
            case JsonValueKind.Number:
                CheckNumber(schema, value.GetDouble(), path, errors);
                break;
        }
    }

    private static void CheckAlternatives(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        foreach (var keyword in (string[])["anyOf", "oneOf"])
        {
            if (!schema.TryGetProperty(keyword, out var branches) || branches.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            List<string>? firstErrors = null;
            var matched = false;
            foreach (var branch in branches.EnumerateArray())
            {
                var branchErrors = new List<string>();
                Check(branch, value, path, branchErrors);
                if (branchErrors.Count == 0)
                {
                    matched = true;
                    break;
                }

                firstErrors ??= branchErrors;
            }

            if (!matched && firstErrors is not null)
            {
                errors.Add($"{Name(path)} matches none of the allowed forms (for example: {firstErrors[0]})");
            }
        }
    }

    private static void CheckObject(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        schema.TryGetProperty("properties", out var properties);
        var hasProperties = properties.ValueKind == JsonValueKind.Object;

        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.String).Select(n => n.GetString()!))
            {
                if (!value.TryGetProperty(name, out _))
                {
                    var expected = hasProperties && properties.TryGetProperty(name, out var property) && property.TryGetProperty("type", out var t)
                        ? $" ({TypeWords(t)})"
                        : string.Empty;
                    errors.Add($"{Name(Join(path, name))} is required but missing{expected}.");
                }
            }
        }

        schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var member in value.EnumerateObject())
        {
            var memberPath = Join(path, member.Name);
            if (hasProperties && properties.TryGetProperty(member.Name, out var memberSchema))
            {
                Check(memberSchema, member.Value, memberPath, errors);
            }
            else if (additional.ValueKind == JsonValueKind.False)
            {
                var known = hasProperties ? string.Join(", ", properties.EnumerateObject().Select(p => $"'{p.Name}'")) : "none";
                errors.Add($"{Name(memberPath)} is not a parameter of this tool (known parameters: {known}).");
            }
            else if (additional.ValueKind == JsonValueKind.Object)
            {
                Check(additional, member.Value, memberPath, errors);
            }
        }
    }

    private static void CheckArray(JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        var count = value.GetArrayLength();
        if (TryGetNumber(schema, "minItems", out var minItems) && count < minItems)
        {
            errors.Add($"{Name(path)} must have at least {minItems} items, not {count}.");
        }

        if (TryGetNumber(schema, "maxItems", out var maxItems) && count > maxItems)
        {
            errors.Add($"{Name(path)} must have at most {maxItems} items, not {count}.");
        }

        if (schema.TryGetProperty("items", out var items) && items.ValueKind is JsonValueKind.Object or JsonValueKind.False)
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(items, item, $"{path}[{index++}]", errors);
            }
        }
    }

    private static void CheckString(JsonElement schema, string value, string path, List<string> errors)
    {
        var length = value.EnumerateRunes().Count();
        if (TryGetNumber(schema, "minLength", out var minLength) && length < minLength)
        {
            errors.Add($"{Name(path)} must be at least {minLength} characters long, not {length}.");
        }

        if (TryGetNumber(schema, "maxLength", out var maxLength) && length > maxLength)
        {
            errors.Add($"{Name(path)} must be at most {maxLength} characters long, not {length}.");
        }

        if (schema.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.String)
        {
            bool matches;
            try
            {
                matches = Regex.IsMatch(value, pattern.GetString()!, RegexOptions.None, TimeSpan.FromMilliseconds(200));
            }
            catch (RegexMatchTimeoutException)
            {
                matches = false;
            }

            if (!matches)
            {
                errors.Add($"{Name(path)} must match the pattern {pattern.GetRawText()}.");
            }
        }
    }

    private static void CheckNumber(JsonElement schema, double value, string path, List<string> errors)
    {
        var shown = value.ToString(CultureInfo.InvariantCulture);
        if (TryGetNumber(schema, "minimum", out var minimum) && value < minimum)
        {
            errors.Add($"{Name(path)} must be at least {Format(minimum)}, not {shown}.");
        }

        if (TryGetNumber(schema, "maximum", out var maximum) && value > maximum)
        {
            errors.Add($"{Name(path)} must be at most {Format(maximum)}, not {shown}.");
        }

        if (TryGetNumber(schema, "exclusiveMinimum", out var exclusiveMinimum) && value <= exclusiveMinimum)
        {
            errors.Add($"{Name(path)} must be greater than {Format(exclusiveMinimum)}, not {shown}.");
        }

        if (TryGetNumber(schema, "exclusiveMaximum", out var exclusiveMaximum) && value >= exclusiveMaximum)
        {
            errors.Add($"{Name(path)} must be less than {Format(exclusiveMaximum)}, not {shown}.");
        }
    }

    private static bool MatchesType(JsonElement type, JsonElement value) => type.ValueKind switch
    {
        JsonValueKind.String => MatchesType(type.GetString()!, value),
        JsonValueKind.Array => type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && MatchesType(t.GetString()!, value)),
        _ => true,
    };

    private static bool MatchesType(string type, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && IsInteger(value),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static bool IsInteger(JsonElement value) =>
        value.TryGetInt64(out _) || (value.TryGetDouble(out var d) && Math.Abs(d % 1) == 0 && !double.IsInfinity(d));

    private static string TypeWords(JsonElement type)
    {
        static string One(string t) => t switch
        {
            "integer" => "an integer",
            "array" => "an array",
            "object" => "an object",
            "null" => "null",
            _ => "a " + t,
        };

        return type.ValueKind switch
        {
            JsonValueKind.String => One(type.GetString()!),
            JsonValueKind.Array => string.Join(" or ", type.EnumerateArray().Select(t => One(t.GetString() ?? "value"))),
            _ => "a value",
        };
    }

    private static bool TryGetNumber(JsonElement schema, string keyword, out double number)
    {
        number = 0;
        return schema.TryGetProperty(keyword, out var element) && element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out number);
    }

    private static string Format(double number) => number.ToString(CultureInfo.InvariantCulture);

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Name(string path) => path.Length == 0 ? "The arguments" : $"Argument '{path}'";

    private static string Shorten(string raw) => raw.Length <= 60 ? raw : raw[..57] + "...\"";
}
