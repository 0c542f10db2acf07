using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Qwen.Core;

/// <summary>
/// Compiles JSON schemas into grammar fragments. Sub-schemas are inlined; every <c>$ref</c> target becomes a rule (so
/// recursion works), and so does an item schema that an array repeats. Keywords that only narrow values further and are not
/// enforced are collected in <see cref="Warnings"/>; keywords whose meaning cannot be honoured throw <see cref="JsonGrammarException"/>.
/// </summary>
internal sealed class SchemaCompiler
{
    /// <summary>Most array items unrolled for minItems/maxItems; a larger maxItems is treated as unbounded (with a warning).</summary>
    private const int MaxUnrolledItems = 64;

    /// <summary>Most string characters unrolled for minLength/maxLength.</summary>
    private const int MaxUnrolledLength = 64;

    private static readonly HashSet<string> Annotations =
    [
        "title", "description", "default", "examples", "$schema", "$id", "$comment", "readOnly", "writeOnly", "deprecated",
        "$anchor", "$defs", "definitions", "$vocabulary", "discriminator", "xml", "externalDocs", "example",
    ];

    private static readonly HashSet<string> Handled =
    [
        "type", "properties", "required", "additionalProperties", "items", "prefixItems", "additionalItems", "enum", "const",
        "anyOf", "oneOf", "allOf", "$ref", "minItems", "maxItems", "pattern", "format", "nullable", "minLength", "maxLength",
        "minimum", "exclusiveMinimum",
    ];

    private static readonly HashSet<string> Narrowing =
    [
        "maximum", "exclusiveMaximum", "multipleOf", "uniqueItems", "minProperties", "maxProperties",
        "contentEncoding", "contentMediaType", "contentSchema", "propertyNames", "minContains", "maxContains",
    ];

    private static readonly HashSet<string> Refused =
    [
        "not", "if", "then", "else", "patternProperties", "dependentRequired", "dependentSchemas", "dependencies",
        "unevaluatedProperties", "unevaluatedItems", "contains", "$dynamicRef", "$recursiveRef", "$dynamicAnchor", "$recursiveAnchor",
    ];

    private static readonly JsonSerializerOptions LiteralOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly GrammarBuilder _b;
    private readonly JsonFragments _json;
    private readonly Dictionary<(int Document, string Pointer), int> _rules = [];
    private readonly List<JsonElement> _documents = [];

    public SchemaCompiler(GrammarBuilder builder)
    {
        _b = builder;
        _json = new JsonFragments(builder);
    }

    public JsonFragments Json => _json;

    /// <summary>Gets the keywords that were ignored or only approximated, each with its schema path.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The fragment for a schema that is a document of its own (its <c>$ref</c>s resolve inside it).</summary>
    public Fragment CompileDocument(JsonElement schema)
    {
        _documents.Add(schema.Clone());
        return Value(_documents[^1], _documents.Count - 1, "#");
    }

    /// <summary>The literal bytes of a JSON value as compact JSON (non-ASCII characters unescaped).</summary>
    public static byte[] LiteralBytes(JsonElement value) => JsonSerializer.SerializeToUtf8Bytes(value, LiteralOptions);

    private Fragment Value(JsonElement schema, int document, string path)
    {
        switch (schema.ValueKind)
        {
            case JsonValueKind.True:
                return _json.AnyValue();
            case JsonValueKind.False:
                throw new JsonGrammarException(path, "", "the schema 'false' admits no value");
            case JsonValueKind.Object:
                break;
            default:
                throw new JsonGrammarException(path, "", $"a schema must be an object or a boolean, found {schema.ValueKind}");
        }

        foreach (var property in schema.EnumerateObject())
        {
            var name = property.Name;
            if (Refused.Contains(name))
            {
                throw new JsonGrammarException(path, name, "is not supported by constrained decoding (it cannot be compiled into a grammar)");
            }

            if (Narrowing.Contains(name))
            {
                Warnings.Add($"{path}: '{name}' is not enforced");
            }
            else if (!Handled.Contains(name) && !Annotations.Contains(name))
            {
                Warnings.Add($"{path}: unknown keyword '{name}' is ignored");
            }
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            return _b.Call(RuleForReference(reference, document, path));
        }

        var value = Structure(schema, document, path);
        if (schema.TryGetProperty("nullable", out var nullable) && nullable.ValueKind == JsonValueKind.True)
        {
            value = _b.Choice([value, _b.Literal("null")]);
        }

        return value;
    }

    private Fragment Structure(JsonElement schema, int document, string path)
    {
        if (schema.TryGetProperty("const", out var constant))
        {
            return _b.Bytes(LiteralBytes(constant));
        }

        if (schema.TryGetProperty("enum", out var values))
        {
            if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0)
            {
                throw new JsonGrammarException(path, "enum", "must be a non-empty array");
            }

            return _b.Choice(values.EnumerateArray().Select(v => _b.Bytes(LiteralBytes(v))).ToList());
        }

        foreach (var keyword in (string[])["anyOf", "oneOf"])
        {
            if (schema.TryGetProperty(keyword, out var options))
            {
                return _b.Choice(SubSchemas(options, keyword, path).Select(s => Value(s.Schema, document, s.Path)).ToList());
            }
        }

        if (schema.TryGetProperty("allOf", out var all))
        {
            return AllOf(schema, SubSchemas(all, "allOf", path), document, path);
        }

        var types = Types(schema, path);
        return _b.Choice(types.Select(type => type switch
        {
            "string" => String(schema, path),
            "number" => Bounded(schema, path, _json.Number(negative: !NonNegative(schema))),
            "integer" => Bounded(schema, path, _json.Integer(negative: !NonNegative(schema), IntegerDigits(schema))),
            "boolean" => _b.Choice([_b.Literal("true"), _b.Literal("false")]),
            "null" => _b.Literal("null"),
            "object" => Object(schema, document, path),
            "array" => Array(schema, document, path),
            "any" => _json.AnyValue(),
            _ => throw new JsonGrammarException(path, "type", $"'{type}' is not a JSON Schema type"),
        }).ToList());
    }

    private static List<(JsonElement Schema, string Path)> SubSchemas(JsonElement list, string keyword, string path)
    {
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw new JsonGrammarException(path, keyword, "must be a non-empty array of schemas");
        }

        return [.. list.EnumerateArray().Select((s, i) => (s, $"{path}/{keyword}/{i}"))];
    }

    private Fragment AllOf(JsonElement schema, List<(JsonElement Schema, string Path)> parts, int document, string path)
    {
        if (parts.Count == 1 && schema.EnumerateObject().All(p => p.Name == "allOf" || Annotations.Contains(p.Name)))
        {
            return Value(parts[0].Schema, document, parts[0].Path);
        }

        // Objects side by side merge into one: the union of their properties and required lists.
        var objects = parts.Select(p => p.Schema).Prepend(schema).ToList();
        if (objects.Any(s => s.ValueKind != JsonValueKind.Object || s.TryGetProperty("$ref", out _) || s.TryGetProperty("anyOf", out _) || s.TryGetProperty("oneOf", out _)
            || (s.TryGetProperty("type", out var t) && !(t.ValueKind == JsonValueKind.String && t.GetString() == "object"))))
        {
            throw new JsonGrammarException(path, "allOf", "is supported only for a single schema or for plain object schemas to merge");
        }

        var merged = new System.Text.Json.Nodes.JsonObject { ["type"] = "object" };
        var properties = new System.Text.Json.Nodes.JsonObject();
        var required = new System.Text.Json.Nodes.JsonArray();
        foreach (var part in objects)
        {
            if (part.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in props.EnumerateObject())
                {
                    properties[p.Name] = System.Text.Json.Nodes.JsonNode.Parse(p.Value.GetRawText());
                }
            }

            if (part.TryGetProperty("required", out var req) && req.ValueKind == JsonValueKind.Array)
            {
                foreach (var r in req.EnumerateArray())
                {
                    required.Add(r.GetString());
                }
            }

            if (part.TryGetProperty("additionalProperties", out var extra))
            {
                merged["additionalProperties"] = System.Text.Json.Nodes.JsonNode.Parse(extra.GetRawText());
            }
        }

        merged["properties"] = properties;
        merged["required"] = required;
        using var doc = JsonDocument.Parse(merged.ToJsonString());
        return Object(doc.RootElement.Clone(), document, path);
    }

    private static List<string> Types(JsonElement schema, string path)
    {
        if (schema.TryGetProperty("type", out var type))
        {
            return type.ValueKind switch
            {
                JsonValueKind.String => [type.GetString()!],
                JsonValueKind.Array when type.GetArrayLength() > 0 && type.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String) =>
                    [.. type.EnumerateArray().Select(t => t.GetString()!).Distinct(StringComparer.Ordinal)],
                _ => throw new JsonGrammarException(path, "type", "must be a type name or a non-empty array of type names"),
            };
        }

        bool Has(params string[] names) => names.Any(n => schema.TryGetProperty(n, out _));
        return Has("properties", "additionalProperties", "required") ? ["object"]
            : Has("items", "prefixItems", "minItems", "maxItems") ? ["array"]
            : Has("pattern", "format", "minLength", "maxLength") ? ["string"]
            : ["any"];
    }

    private int RuleForReference(JsonElement reference, int document, string path)
    {
        var pointer = reference.ValueKind == JsonValueKind.String ? reference.GetString()! : throw new JsonGrammarException(path, "$ref", "must be a string");
        if (!pointer.StartsWith('#'))
        {
            throw new JsonGrammarException(path, "$ref", $"'{pointer}' refers outside the schema; only local references (#/...) are supported");
        }

        if (_rules.TryGetValue((document, pointer), out var rule))
        {
            return rule;
        }

        var target = Resolve(_documents[document], pointer, path);
        rule = _b.NewRule();
        _rules[(document, pointer)] = rule;
        _b.DefineRule(rule, Value(target, document, pointer));
        return rule;
    }

    private static JsonElement Resolve(JsonElement root, string pointer, string path)
    {
        var at = root;
        foreach (var raw in pointer[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var token = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (at.ValueKind == JsonValueKind.Object && at.TryGetProperty(token, out var next))
            {
                at = next;
            }
            else if (at.ValueKind == JsonValueKind.Array && int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < at.GetArrayLength())
            {
                at = at[index];
            }
            else
            {
                throw new JsonGrammarException(path, "$ref", $"'{pointer}' does not resolve ('{token}' not found)");
            }
        }

        return at;
    }

    private static bool NonNegative(JsonElement schema) =>
        (schema.TryGetProperty("minimum", out var min) && min.ValueKind == JsonValueKind.Number && min.GetDouble() >= 0)
        || (schema.TryGetProperty("exclusiveMinimum", out var exclusive) && exclusive.ValueKind == JsonValueKind.Number && exclusive.GetDouble() >= 0);

    /// <summary>At most 9 digits (every value fits a .NET int), unless the schema's bounds need more.</summary>
    private static int IntegerDigits(JsonElement schema)
    {
        var digits = 9;
        foreach (var name in (string[])["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"])
        {
            if (schema.TryGetProperty(name, out var bound) && bound.ValueKind == JsonValueKind.Number)
            {
                var magnitude = Math.Abs(bound.GetDouble());
                digits = Math.Max(digits, magnitude < 1 ? 1 : (int)Math.Min(18, Math.Floor(Math.Log10(magnitude)) + 1));
            }
        }

        return digits;
    }

    private void WarnBounds(JsonElement schema, string path)
    {
        foreach (var name in (string[])["minimum", "exclusiveMinimum"])
        {
            if (schema.TryGetProperty(name, out var bound) && !(bound.ValueKind == JsonValueKind.Number && bound.GetDouble() == 0 && name == "minimum"))
            {
                Warnings.Add($"{path}: '{name}' is enforced only as far as its sign (no minus sign when it is at least 0)");
            }
        }
    }

    private Fragment Bounded(JsonElement schema, string path, Fragment number)
    {
        WarnBounds(schema, path);
        return number;
    }

    private Fragment String(JsonElement schema, string path)
    {
        if (schema.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.String
            && FormatBody(format.GetString()!) is { } formatted)
        {
            return _json.String(formatted);
        }

        if (schema.TryGetProperty("format", out format))
        {
            Warnings.Add($"{path}: 'format' '{format}' is not enforced");
        }

        if (schema.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.String)
        {
            try
            {
                var body = PatternCompiler.Compile(pattern.GetString()!, _json, out var approximations);
                Warnings.AddRange(approximations.Select(a => $"{path}: {a}"));
                if (schema.TryGetProperty("minLength", out _) || schema.TryGetProperty("maxLength", out _))
                {
                    Warnings.Add($"{path}: 'minLength'/'maxLength' are not enforced together with 'pattern'");
                }

                return _json.String(body);
            }
            catch (NotSupportedException e)
            {
                Warnings.Add($"{path}: 'pattern' is not enforced: it uses {e.Message}");
            }
        }

        var min = Count(schema, "minLength", path) ?? 0;
        var max = Count(schema, "maxLength", path);
        if (min > MaxUnrolledLength || max > MaxUnrolledLength)
        {
            Warnings.Add($"{path}: 'minLength'/'maxLength' above {MaxUnrolledLength} are not enforced");
            return _json.String();
        }

        return _json.String(min == 0 && max is null ? null : _b.Repeat(() => _json.StringChar(), min, max));
    }

    private static int? Count(JsonElement schema, string keyword, string path)
    {
        if (!schema.TryGetProperty(keyword, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) && count >= 0
            ? count
            : throw new JsonGrammarException(path, keyword, "must be a non-negative integer");
    }

    /// <summary>The string body of a format we enforce: date, time, date-time (RFC 3339) and uuid; null for others.</summary>
    private Fragment? FormatBody(string format)
    {
        Fragment Digit() => _b.Range(((byte)'0', (byte)'9'));
        Fragment Two(char firstLo, char firstHi, char secondLo, char secondHi) =>
            _b.Sequence(_b.Range(((byte)firstLo, (byte)firstHi)), _b.Range(((byte)secondLo, (byte)secondHi)));
        Fragment Days(char thirtyLast) => _b.Choice([Two('0', '0', '1', '9'), Two('1', '2', '0', '9'), Two('3', '3', '0', thirtyLast)]);
        Fragment Months(params string[] months) => _b.Choice(months.Select(m => _b.Literal(m)).ToList());

        // Days per month (February to 28, so every date is valid in every year).
        Fragment Date() => _b.Sequence(
            Digit(), Digit(), Digit(), Digit(), _b.Literal("-"),
            _b.Choice([
                _b.Sequence(Months("01", "03", "05", "07", "08", "10", "12"), _b.Literal("-"), Days('1')),
                _b.Sequence(Months("04", "06", "09", "11"), _b.Literal("-"), Days('0')),
                _b.Sequence(Months("02"), _b.Literal("-"), _b.Choice([Two('0', '0', '1', '9'), Two('1', '1', '0', '9'), Two('2', '2', '0', '8')])),
            ]));
        Fragment Hour() => _b.Choice([Two('0', '1', '0', '9'), Two('2', '2', '0', '3')]);
        Fragment Minute() => Two('0', '5', '0', '9');
        Fragment Offset() => _b.Choice([_b.Literal("Z"), _b.Sequence(_b.Range(((byte)'+', (byte)'+'), ((byte)'-', (byte)'-')), Hour(), _b.Literal(":"), Minute())]);
        Fragment Time() => _b.Sequence(
            Hour(), _b.Literal(":"), Minute(), _b.Literal(":"), Minute(),
            _b.Optional(_b.Sequence(_b.Literal("."), _json.Digits(1, 9))),
            Offset());
        Fragment Hex(int count) => _b.Repeat(() => { var s = _b.NewNode(); var e = _b.NewNode(); _json.AddHex(s, e); return new Fragment(s, e); }, count, count);

        return format switch
        {
            "date" => Date(),
            "time" => Time(),
            "date-time" => _b.Sequence(Date(), _b.Literal("T"), Time()),
            "uuid" => _b.Sequence(Hex(8), _b.Literal("-"), Hex(4), _b.Literal("-"), Hex(4), _b.Literal("-"), Hex(4), _b.Literal("-"), Hex(12)),
            _ => null,
        };
    }

    private Fragment Object(JsonElement schema, int document, string path)
    {
        var properties = new List<(string Name, JsonElement Schema)>();
        if (schema.TryGetProperty("properties", out var props))
        {
            if (props.ValueKind != JsonValueKind.Object)
            {
                throw new JsonGrammarException(path, "properties", "must be an object");
            }

            properties.AddRange(props.EnumerateObject().Select(p => (p.Name, p.Value)));
        }

        var required = new HashSet<string>(StringComparer.Ordinal);
        if (schema.TryGetProperty("required", out var req))
        {
            if (req.ValueKind != JsonValueKind.Array || req.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
            {
                throw new JsonGrammarException(path, "required", "must be an array of property names");
            }

            foreach (var name in req.EnumerateArray().Select(r => r.GetString()!))
            {
                required.Add(name);
                if (!properties.Any(p => p.Name == name))
                {
                    properties.Add((name, JsonSerializer.SerializeToElement(true)));
                }
            }
        }

        // Undeclared properties are generated only when asked for (an explicit schema or true), or when none are declared.
        JsonElement? extras = null;
        if (schema.TryGetProperty("additionalProperties", out var additional))
        {
            extras = additional.ValueKind == JsonValueKind.False ? null : additional;
        }
        else if (properties.Count == 0)
        {
            extras = JsonSerializer.SerializeToElement(true);
        }

        var end = _b.NewNode();
        int nextFirst = end, nextRest = end;
        if (extras is { } extraSchema)
        {
            nextFirst = _b.NewNode();
            nextRest = _b.NewNode();
            _b.AddEmpty(nextFirst, end);
            _b.AddEmpty(nextRest, end);
            var member = _b.Sequence(_json.String(), _json.Space(), _b.Literal(":"), _json.Space(), Value(extraSchema, document, path + "/additionalProperties"));
            var separator = _b.Sequence(_b.Literal(","), _json.Space());
            _b.AddEmpty(nextFirst, member.Start);
            _b.AddEmpty(nextRest, separator.Start);
            _b.AddEmpty(separator.End, member.Start);
            _b.AddEmpty(member.End, nextRest);
        }

        // Built from the last property back: "first" nodes come before any member was written (no comma), "rest" nodes after one.
        for (var i = properties.Count - 1; i >= 0; i--)
        {
            var (name, propertySchema) = properties[i];
            var key = _b.Bytes(LiteralBytes(JsonSerializer.SerializeToElement(name)));
            var member = _b.Sequence(key, _json.Space(), _b.Literal(":"), _json.Space(), Value(propertySchema, document, $"{path}/properties/{name}"));
            _b.AddEmpty(member.End, nextRest);
            var first = _b.NewNode();
            var rest = _b.NewNode();
            var separator = _b.Sequence(_b.Literal(","), _json.Space());
            _b.AddEmpty(first, member.Start);
            _b.AddEmpty(rest, separator.Start);
            _b.AddEmpty(separator.End, member.Start);
            if (!required.Contains(name))
            {
                _b.AddEmpty(first, nextFirst);
                _b.AddEmpty(rest, nextRest);
            }

            nextFirst = first;
            nextRest = rest;
        }

        return _b.Sequence(_b.Literal("{"), _json.Space(), new Fragment(nextFirst, end), _json.Space(), _b.Literal("}"));
    }

    private Fragment Array(JsonElement schema, int document, string path)
    {
        var prefix = new List<(JsonElement Schema, string Path)>();
        JsonElement? rest = null;
        var restPath = path + "/items";
        if (schema.TryGetProperty("prefixItems", out var prefixItems))
        {
            prefix.AddRange(SubSchemas(prefixItems, "prefixItems", path));
        }

        if (schema.TryGetProperty("items", out var items))
        {
            if (items.ValueKind == JsonValueKind.Array)
            {
                // Draft 4-2019 tuples: items is the prefix, additionalItems the rest.
                prefix.AddRange(SubSchemas(items, "items", path));
                if (schema.TryGetProperty("additionalItems", out var additional))
                {
                    rest = additional;
                    restPath = path + "/additionalItems";
                }
            }
            else
            {
                rest = items;
            }
        }

        var restAllowed = rest is not { ValueKind: JsonValueKind.False };
        var min = Count(schema, "minItems", path) ?? 0;
        var max = Count(schema, "maxItems", path);
        if (!restAllowed)
        {
            max = Math.Min(max ?? prefix.Count, prefix.Count);
        }

        if (min > (max ?? int.MaxValue))
        {
            throw new JsonGrammarException(path, "minItems", $"{min} exceeds the most items the schema allows ({max})");
        }

        if (min > MaxUnrolledItems * 4)
        {
            throw new JsonGrammarException(path, "minItems", $"{min} is more than the {MaxUnrolledItems * 4} items constrained decoding unrolls");
        }

        if (max > Math.Max(MaxUnrolledItems, min))
        {
            Warnings.Add($"{path}: 'maxItems' {max} is not enforced (more than {MaxUnrolledItems})");
            max = null;
        }

        // An item schema repeated more than once becomes a rule, so it is compiled once.
        int? restRule = null;
        Fragment Item(int i)
        {
            if (i < prefix.Count)
            {
                return Value(prefix[i].Schema, document, prefix[i].Path);
            }

            if (rest is not { } schemaOfRest || schemaOfRest.ValueKind == JsonValueKind.True)
            {
                return _json.AnyValue();
            }

            if (restRule is null)
            {
                restRule = _b.NewRule();
                _b.DefineRule(restRule.Value, Value(schemaOfRest, document, restPath));
            }

            return _b.Call(restRule.Value);
        }

        var limit = max ?? Math.Max(min, prefix.Count);
        var end = _b.NewNode();
        var start = _b.NewNode();
        var node = start;
        for (var i = 0; i < limit; i++)
        {
            if (i >= min)
            {
                _b.AddEmpty(node, end);
            }

            var step = i == 0 ? Item(0) : _b.Sequence(_b.Literal(","), _json.Space(), Item(i));
            _b.AddEmpty(node, step.Start);
            node = step.End;
        }

        _b.AddEmpty(node, end);
        if (max is null && restAllowed)
        {
            if (limit == 0)
            {
                var first = Item(0);
                _b.AddEmpty(node, first.Start);
                node = first.End;
                _b.AddEmpty(node, end);
            }

            var more = _b.Sequence(_b.Literal(","), _json.Space(), Item(Math.Max(limit, 1)));
            _b.AddEmpty(node, more.Start);
            _b.AddEmpty(more.End, node);
        }

        return _b.Sequence(_b.Literal("["), _json.Space(), new Fragment(start, end), _json.Space(), _b.Literal("]"));
    }
}
