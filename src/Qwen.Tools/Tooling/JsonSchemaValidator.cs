using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Json.Schema;

namespace Qwen.Tools;

/// <summary>
/// Checks tool arguments against a tool's JSON Schema. JsonSchema.Net decides validity, with every keyword of the schema's draft
/// (<c>$ref</c>/<c>$defs</c>, <c>allOf</c>/<c>anyOf</c>/<c>oneOf</c>, <c>not</c>, <c>if</c>/<c>then</c>, ...), as the schemas of
/// <c>AIFunctionFactory</c> and MCP servers use them. This class turns its result into messages a model can act on, naming the
/// argument (<c>order.lines[0].qty</c>) and the rule, with the allowed values where the schema lists them.
/// </summary>
internal sealed class JsonSchemaValidator
{
    private const int MaxErrors = 20;
    private const int MaxCachedSchemas = 256;

    private static readonly ConcurrentDictionary<string, JsonSchemaValidator> Cache = new(StringComparer.Ordinal);
    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.Hierarchical };

    private readonly JsonSchema _schema;
    private readonly JsonElement _root;

    private JsonSchemaValidator(JsonSchema schema, JsonElement root)
    {
        _schema = schema;
        _root = root;
    }

    /// <summary>Gets the validator of <paramref name="schema"/>, built once per distinct schema text.</summary>
    /// <exception cref="ArgumentException">The schema is not a JSON Schema that can be evaluated (an unknown draft, a <c>$ref</c> that
    /// points nowhere, a keyword with a value of the wrong kind).</exception>
    public static JsonSchemaValidator For(JsonElement schema)
    {
        var text = schema.GetRawText();
        if (Cache.TryGetValue(text, out var cached))
        {
            return cached;
        }

        var root = schema.Clone();
        JsonSchema built;
        try
        {
            // A registry of its own: two tools whose schemas share an $id must not collide in the process-wide one.
            built = JsonSchema.Build(root, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        }
        catch (Exception e) when (e is JsonSchemaException or JsonException or InvalidOperationException or ArgumentException or FormatException or UriFormatException)
        {
            throw new ArgumentException($"The JSON Schema cannot be used to check arguments: {e.Message}", nameof(schema), e);
        }

        if (Cache.Count >= MaxCachedSchemas)
        {
            Cache.Clear();
        }

        return Cache.GetOrAdd(text, new JsonSchemaValidator(built, root));
    }

    /// <summary>Validates <paramref name="instance"/> against <paramref name="schema"/>.</summary>
    /// <returns>One message per violation; empty when valid.</returns>
    /// <exception cref="ArgumentException">The schema cannot be evaluated (see <see cref="For"/>).</exception>
    public static IReadOnlyList<string> Validate(JsonElement schema, JsonElement instance) => For(schema).Validate(instance);

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

    /// <summary>Validates <paramref name="instance"/> against this validator's schema.</summary>
    /// <returns>One message per violation (at most 20); empty when valid.</returns>
    /// <exception cref="ArgumentException">The schema cannot be evaluated for this value (a <c>$ref</c> that points nowhere).</exception>
    public IReadOnlyList<string> Validate(JsonElement instance)
    {
        EvaluationResults results;
        try
        {
            results = _schema.Evaluate(instance, Options);
        }
        catch (Exception e) when (e is RefResolutionException or JsonSchemaException)
        {
            throw new ArgumentException($"The JSON Schema cannot be evaluated: {e.Message}", nameof(instance), e);
        }

        if (results.IsValid)
        {
            return [];
        }

        var problems = new List<Problem>();
        Collect(results, instance, problems);
        if (problems.Count == 0)
        {
            // The library said no without saying why at any node we read; still tell the model something true.
            problems.Add(new Problem(string.Empty, string.Empty, "The arguments do not match the tool's parameter schema."));
        }

        return [.. problems.Select(p => p.Message).Distinct(StringComparer.Ordinal).Take(MaxErrors)];
    }

    private void Collect(EvaluationResults node, JsonElement instance, List<Problem> problems)
    {
        if (node.IsValid || problems.Count >= MaxErrors)
        {
            return;
        }

        var path = InstancePath(node, instance, out var value);
        var subschema = SubschemaOf(node);
        var errors = node.Errors ?? new Dictionary<string, string>();

        if (errors.TryGetValue("type", out var typeMessage))
        {
            // A value of the wrong type fails most other rules too; the type is what the model must fix first.
            problems.Add(new Problem(path, "type", Keyword(subschema, "type") is { } type
                ? $"{Name(path)} must be {TypeWords(type)}, not {Describe(value)}."
                : $"{Name(path)}: {typeMessage}."));
            return;
        }

        foreach (var (keyword, message) in errors)
        {
            if (keyword is not "oneOf")
            {
                Describe(node, keyword, message, subschema, path, value, problems);
            }
        }

        var alternatives = new Dictionary<string, List<EvaluationResults>>(StringComparer.Ordinal);
        foreach (var child in node.Details ?? [])
        {
            if (AlternativeGroup(child) is { } group)
            {
                if (!alternatives.TryGetValue(group, out var branches))
                {
                    alternatives[group] = branches = [];
                }

                branches.Add(child);
            }
            else
            {
                Collect(child, instance, problems);
            }
        }

        foreach (var (group, branches) in alternatives)
        {
            DescribeAlternatives(group.EndsWith("/oneOf", StringComparison.Ordinal), branches, path, instance, problems);
        }
    }

    /// <summary>Describes the branches of an <c>anyOf</c> or <c>oneOf</c> when none, or for <c>oneOf</c> more than one, matched.</summary>
    private void DescribeAlternatives(bool isOneOf, List<EvaluationResults> branches, string path, JsonElement instance, List<Problem> problems)
    {
        var matched = branches.Count(b => b.IsValid);
        if (isOneOf && matched > 1)
        {
            problems.Add(new Problem(path, "oneOf", $"{Name(path)} matches {matched} of the allowed forms; it must match exactly one."));
            return;
        }

        if (matched > 0)
        {
            return;
        }

        // Every form failed. A form whose type the value has is the one the caller meant: its own problems say what to fix.
        var candidates = new List<List<Problem>>();
        foreach (var branch in branches)
        {
            var branchProblems = new List<Problem>();
            Collect(branch, instance, branchProblems);
            candidates.Add(branchProblems);
        }

        var fitting = candidates
            .Where(c => c.Count > 0 && !c.Exists(p => p.Keyword == "type" && p.Path == path))
            .OrderBy(c => c.Count)
            .FirstOrDefault();
        if (fitting is not null)
        {
            problems.AddRange(fitting);
            return;
        }

        var example = candidates.FirstOrDefault(c => c.Count > 0)?[0].Message;
        problems.Add(new Problem(path, "anyOf", example is null
            ? $"{Name(path)} matches none of the allowed forms."
            : $"{Name(path)} matches none of the allowed forms (for example: {example})"));
    }

    private void Describe(EvaluationResults node, string keyword, string message, JsonElement? subschema, string path, JsonElement value, List<Problem> problems)
    {
        var rule = Keyword(subschema, keyword);
        if (keyword == "required" && rule is { ValueKind: JsonValueKind.Array } required && value.ValueKind == JsonValueKind.Object)
        {
            DescribeMissing(subschema!.Value, required, path, value, problems);
            return;
        }

        string? text = keyword switch
        {
            "enum" when rule is { ValueKind: JsonValueKind.Array } options =>
                $"{Name(path)} must be one of {string.Join(", ", options.EnumerateArray().Select(o => o.GetRawText()))}, not {Describe(value)}.",
            "const" when rule is { } constant => $"{Name(path)} must be {constant.GetRawText()}, not {Describe(value)}.",
            "" => DescribeForbidden(node, path),
            "minItems" when Number(rule) is { } min => $"{Name(path)} must have at least {Format(min)} items, not {Count(value)}.",
            "maxItems" when Number(rule) is { } max => $"{Name(path)} must have at most {Format(max)} items, not {Count(value)}.",
            "minLength" when Number(rule) is { } min => $"{Name(path)} must be at least {Format(min)} characters long, not {Count(value)}.",
            "maxLength" when Number(rule) is { } max => $"{Name(path)} must be at most {Format(max)} characters long, not {Count(value)}.",
            "minimum" when Number(rule) is { } min => $"{Name(path)} must be at least {Format(min)}, not {value.GetRawText()}.",
            "maximum" when Number(rule) is { } max => $"{Name(path)} must be at most {Format(max)}, not {value.GetRawText()}.",
            "exclusiveMinimum" when Number(rule) is { } min => $"{Name(path)} must be greater than {Format(min)}, not {value.GetRawText()}.",
            "exclusiveMaximum" when Number(rule) is { } max => $"{Name(path)} must be less than {Format(max)}, not {value.GetRawText()}.",
            "pattern" when rule is { ValueKind: JsonValueKind.String } pattern => $"{Name(path)} must match the pattern {pattern.GetRawText()}.",
            _ => null,
        };

        if (text is not null)
        {
            problems.Add(new Problem(path, keyword, text));
        }
        else
        {
            problems.Add(new Problem(path, keyword, $"{Name(path)} breaks the schema's '{keyword}' rule: {message.TrimEnd('.')}."));
        }
    }

    private void DescribeMissing(JsonElement subschema, JsonElement required, string path, JsonElement value, List<Problem> problems)
    {
        subschema.TryGetProperty("properties", out var properties);
        foreach (var name in required.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.String).Select(n => n.GetString()!))
        {
            if (!value.TryGetProperty(name, out _))
            {
                var expected = properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var property)
                    && Keyword(Resolve(property), "type") is { } type
                    ? $" ({TypeWords(type)})"
                    : string.Empty;
                problems.Add(new Problem(Join(path, name), "required", $"{Name(Join(path, name))} is required but missing{expected}."));
            }
        }
    }

    private string DescribeForbidden(EvaluationResults node, string path)
    {
        // A false schema; under additionalProperties it means a property the tool does not know.
        if (node.EvaluationPath.ToString().EndsWith("/additionalProperties", StringComparison.Ordinal) && node.Parent is { } parent
            && Keyword(SubschemaOf(parent), "properties") is { ValueKind: JsonValueKind.Object } properties)
        {
            var known = string.Join(", ", properties.EnumerateObject().Select(p => $"'{p.Name}'"));
            return $"{Name(path)} is not a parameter of this tool (known parameters: {(known.Length == 0 ? "none" : known)}).";
        }

        return $"{Name(path)} is not allowed.";
    }

    /// <summary>The group (<c>.../anyOf</c> or <c>.../oneOf</c>) a result is a branch of, or null.</summary>
    private static string? AlternativeGroup(EvaluationResults child)
    {
        var path = child.EvaluationPath.ToString();
        var last = path.LastIndexOf('/');
        if (last <= 0 || !int.TryParse(path.AsSpan(last + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return null;
        }

        var group = path[..last];
        return group.EndsWith("/anyOf", StringComparison.Ordinal) || group.EndsWith("/oneOf", StringComparison.Ordinal) ? group : null;
    }

    /// <summary>The schema object a result node evaluated, found from its absolute schema location in our copy of the schema.</summary>
    private JsonElement? SubschemaOf(EvaluationResults node)
    {
        var fragment = node.SchemaLocation.Fragment;
        if (fragment.Length == 0 || fragment == "#")
        {
            return _root.ValueKind == JsonValueKind.Object ? _root : null;
        }

        var current = _root;
        var previous = string.Empty;
        foreach (var raw in Uri.UnescapeDataString(fragment.TrimStart('#')).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var next))
            {
                current = next;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else if (previous is "items" or "additionalItems" or "additionalProperties" or "unevaluatedItems" or "contains")
            {
                // JsonSchema.Net 8 appends the parent's name after these keywords' locations; the keyword's schema is the node itself.
                continue;
            }
            else
            {
                return null;
            }

            previous = segment;
        }

        return current.ValueKind == JsonValueKind.Object ? current : null;
    }

    /// <summary>Follows a local <c>$ref</c> (<c>#/$defs/x</c>, <c>#/properties/y</c>) once, for describing what a property expects.</summary>
    private JsonElement Resolve(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("$ref", out var reference)
            || reference.GetString() is not { } target || !target.StartsWith("#/", StringComparison.Ordinal))
        {
            return schema;
        }

        var current = _root;
        foreach (var raw in Uri.UnescapeDataString(target[2..]).Split('/'))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return schema;
            }
        }

        return current;
    }

    /// <summary>The argument path of a result (<c>order.lines[0].qty</c>) and the value found there.</summary>
    private static string InstancePath(EvaluationResults node, JsonElement instance, out JsonElement value)
    {
        value = instance;
        var path = string.Empty;
        foreach (var raw in node.InstanceLocation.ToString().Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (value.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && index < value.GetArrayLength())
            {
                value = value[index];
                path += $"[{segment}]";
            }
            else
            {
                value = value.ValueKind == JsonValueKind.Object && value.TryGetProperty(segment, out var member) ? member : default;
                path = Join(path, segment);
            }
        }

        return path;
    }

    private static JsonElement? Keyword(JsonElement? schema, string keyword) =>
        schema is { ValueKind: JsonValueKind.Object } s && s.TryGetProperty(keyword, out var value) ? value : null;

    private static double? Number(JsonElement? element) =>
        element is { ValueKind: JsonValueKind.Number } e && e.TryGetDouble(out var number) ? number : null;

    private static int Count(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => value.GetArrayLength(),
        JsonValueKind.String => value.GetString()!.EnumerateRunes().Count(),
        _ => 0,
    };

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

    private static string Format(double number) => number.ToString(CultureInfo.InvariantCulture);

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Name(string path) => path.Length == 0 ? "The arguments" : $"Argument '{path}'";

    private static string Shorten(string raw) => raw.Length <= 60 ? raw : raw[..57] + "...\"";

    /// <summary>One violation: where, which keyword, and the message for the model.</summary>
    private sealed record Problem(string Path, string Keyword, string Message);
}
