using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Qwen.Core;

/// <summary>A filter: <c>value | name(args)</c>.</summary>
internal delegate object? JinjaFilter(JinjaContext context, object? value, JinjaArguments args);

/// <summary>Jinja2's built-in filters (its <c>filters.py</c>, behaviour for behaviour) plus transformers' own <c>tojson</c>.</summary>
internal static class JinjaFilters
{
    // Jinja2 filters a chat template could name but this interpreter does not implement; named in the error so it is clear why.
    private static readonly HashSet<string> KnownUnsupported =
        ["filesizeformat", "groupby", "pprint", "random", "slice", "striptags", "urlencode", "urlize", "wordwrap", "xmlattr"];

    private static readonly FrozenDictionary<string, JinjaFilter> Filters = new Dictionary<string, JinjaFilter>(StringComparer.Ordinal)
    {
        ["abs"] = (_, v, a) => Abs(v, a),
        ["attr"] = (_, v, a) => Attr(v, a),
        ["batch"] = (_, v, a) => Batch(v, a),
        ["capitalize"] = (_, v, a) => StringFilter("capitalize", v, a, PyText.Capitalize),
        ["center"] = (_, v, a) => Center(v, a),
        ["count"] = (_, v, a) => Length(v, a),
        ["d"] = (_, v, a) => Default(v, a),
        ["default"] = (_, v, a) => Default(v, a),
        ["dictsort"] = (_, v, a) => DictSort(v, a),
        ["e"] = (_, v, a) => StringFilter("escape", v, a, Escape),
        ["escape"] = (_, v, a) => StringFilter("escape", v, a, Escape),
        ["first"] = (_, v, a) => First(v, a),
        ["float"] = (_, v, a) => Float(v, a),
        ["format"] = (_, v, a) => Format(v, a),
        ["forceescape"] = (_, v, a) => StringFilter("forceescape", v, a, Escape),
        ["indent"] = (_, v, a) => Indent(v, a),
        ["int"] = (_, v, a) => Int(v, a),
        ["items"] = (_, v, a) => Items(v, a),
        ["join"] = (_, v, a) => Join(v, a),
        ["keys"] = (_, v, a) => Keys(v, a),
        ["last"] = (_, v, a) => Last(v, a),
        ["length"] = (_, v, a) => Length(v, a),
        ["list"] = (_, v, a) => ListOf(v, a),
        ["lower"] = (_, v, a) => StringFilter("lower", v, a, PyText.Lower),
        ["map"] = Map,
        ["max"] = (_, v, a) => MinMax("max", v, a, 1),
        ["min"] = (_, v, a) => MinMax("min", v, a, -1),
        ["reject"] = (c, v, a) => Select(c, v, a, byAttribute: false, keep: false),
        ["rejectattr"] = (c, v, a) => Select(c, v, a, byAttribute: true, keep: false),
        ["replace"] = (_, v, a) => Replace(v, a),
        ["reverse"] = (_, v, a) => Reverse(v, a),
        ["round"] = (_, v, a) => Round(v, a),
        ["safe"] = (_, v, a) => StringFilter("safe", v, a, s => s),
        ["select"] = (c, v, a) => Select(c, v, a, byAttribute: false, keep: true),
        ["selectattr"] = (c, v, a) => Select(c, v, a, byAttribute: true, keep: true),
        ["sort"] = (_, v, a) => Sort(v, a),
        ["string"] = (_, v, a) => StringFilter("string", v, a, s => s),
        ["sum"] = (_, v, a) => Sum(v, a),
        ["title"] = (_, v, a) => StringFilter("title", v, a, Title),
        ["tojson"] = (_, v, a) => ToJson(v, a),
        ["trim"] = (_, v, a) => Trim(v, a),
        ["truncate"] = (_, v, a) => Truncate(v, a),
        ["unique"] = (_, v, a) => Unique(v, a),
        ["upper"] = (_, v, a) => StringFilter("upper", v, a, PyText.Upper),
        ["values"] = (_, v, a) => Values(v, a),
        ["wordcount"] = (_, v, a) => WordCount(v, a),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static JinjaFilter? Find(string name) => Filters.GetValueOrDefault(name);

    public static bool Exists(string name) => Filters.ContainsKey(name);

    public static string UnknownMessage(string name) => KnownUnsupported.Contains(name)
        ? $"the filter '{name}' is not supported by this chat-template interpreter"
        : $"no filter named '{name}'";

    /// <summary>Applies the filter <paramref name="name"/> (for <c>map('name')</c>).</summary>
    public static object? Apply(JinjaContext context, string name, object? value, JinjaArguments args) =>
        Find(name) is { } filter ? filter(context, value, args) : throw new TemplateException(UnknownMessage(name));

    /// <summary>A lazy result, as the Jinja filters that are Python generators return.</summary>
    private static JinjaIterator Lazy(string typeName, Func<IEnumerable<object?>> source) => new(typeName, source);

    private static object? StringFilter(string name, object? value, JinjaArguments args, Func<string, string> transform)
    {
        args.Bind(name, []);
        return transform(JinjaOps.ToStr(value));
    }

    private static object? Abs(object? value, JinjaArguments args)
    {
        args.Bind("abs", []);
        return JinjaOps.Undefined(value) switch
        {
            long l => (object)checked(Math.Abs(l)),
            bool b => b ? 1L : 0L,
            double d => Math.Abs(d),
            _ => throw new TemplateException($"bad operand type for abs(): '{JinjaOps.TypeName(value)}'"),
        };
    }

    private static object? Attr(object? value, JinjaArguments args)
    {
        var name = args.Bind("attr", ["name"])[0] as string ?? throw new TemplateException("attr() name must be a string");
        return value switch
        {
            JinjaUndefined undefined => throw undefined.Error(),
            JinjaNamespace or JinjaLoop => JinjaOps.GetAttribute(value, name),
            _ => JinjaMethods.TryBind(value, name, out var method) ? method : JinjaUndefined.Attribute(value, name),
        };
    }

    private static object? Batch(object? value, JinjaArguments args)
    {
        var a = args.Bind("batch", ["linecount", "fill_with"], JinjaArguments.Missing, null);
        var size = JinjaOps.ToLong(a[0]);
        if (size <= 0)
        {
            throw new TemplateException("batch() linecount must be positive");
        }

        return Lazy("generator", () => Batches(JinjaOps.Iterate(value), size, a[1]));
    }

    private static IEnumerable<object?> Batches(IReadOnlyList<object?> items, long size, object? fill)
    {
        List<object?>? current = null;
        foreach (var item in items)
        {
            if (current is not null && current.Count == size)
            {
                yield return current;
                current = null;
            }

            (current ??= []).Add(item);
        }

        if (current is not null)
        {
            while (fill is not null && current.Count < size)
            {
                current.Add(fill);
            }

            yield return current;
        }
    }

    private static object? Center(object? value, JinjaArguments args)
    {
        var width = JinjaOps.ToLong(args.Bind("center", ["width"], 80L)[0]);
        var s = JinjaOps.ToStr(value);
        var length = PyText.Length(s);
        if (width <= length)
        {
            return s;
        }

        var padding = (int)Math.Min(width - length, JinjaOps.MaxBuiltLength);
        var left = (padding / 2) + (padding & (int)width & 1);
        return new string(' ', left) + s + new string(' ', padding - left);
    }

    private static object? Length(object? value, JinjaArguments args)
    {
        args.Bind("length", []);
        return JinjaOps.Length(value);
    }

    private static object? Default(object? value, JinjaArguments args)
    {
        var a = args.Bind("default", ["default_value", "boolean"], string.Empty, false);
        return value is JinjaUndefined || (JinjaOps.IsTruthy(a[1]) && !JinjaOps.IsTruthy(value)) ? a[0] : value;
    }

    private static object? DictSort(object? value, JinjaArguments args)
    {
        var a = args.Bind("dictsort", ["case_sensitive", "by", "reverse"], false, "key", false);
        var position = a[1] switch
        {
            "key" => 0,
            "value" => 1,
            _ => throw new TemplateException("dictsort() can only sort by either \"key\" or \"value\""),
        };
        if (JinjaOps.Undefined(value) is not JinjaDict dict)
        {
            throw new TemplateException($"dictsort() needs a dict, not {JinjaOps.TypeName(value)}");
        }

        var caseSensitive = JinjaOps.IsTruthy(a[0]);
        var pairs = dict.Select(p => new object?[] { p.Key, p.Value }).ToList();
        return SortBy(pairs, pair => caseSensitive ? pair[position] : IgnoreCase(pair[position]), JinjaOps.IsTruthy(a[2]))
            .Cast<object?>().ToList();
    }

    private static object? First(object? value, JinjaArguments args)
    {
        args.Bind("first", []);
        var items = JinjaOps.Iterate(value);
        return items.Count > 0 ? items[0] : JinjaUndefined.WithHint("No first item, sequence was empty.");
    }

    private static object? Last(object? value, JinjaArguments args)
    {
        args.Bind("last", []);
        if (value is JinjaIterator iterator)
        {
            throw new TemplateException($"'{iterator.TypeName}' object is not reversible");
        }

        var items = JinjaOps.Iterate(value);
        return items.Count > 0 ? items[^1] : JinjaUndefined.WithHint("No last item, sequence was empty.");
    }

    private static object? Float(object? value, JinjaArguments args)
    {
        var fallback = args.Bind("float", ["default"], 0.0)[0];
        return JinjaOps.Undefined(value) switch
        {
            double d => d,
            long or bool => JinjaOps.ToDouble(value),
            string s when TryParsePythonFloat(s, out var parsed) => parsed,
            _ => fallback,
        };
    }

    private static object? Int(object? value, JinjaArguments args)
    {
        var a = args.Bind("int", ["default", "base"], 0L, 10L);
        var numberBase = (int)JinjaOps.ToLong(a[1]);
        switch (JinjaOps.Undefined(value))
        {
            case long or bool:
                return JinjaOps.ToLong(value);
            case double d:
                return double.IsFinite(d) ? checked((long)Math.Truncate(d)) : a[0];
            case string s:
                if (TryParsePythonInt(s, numberBase, out var parsed))
                {
                    return parsed;
                }

                // Jinja2 falls back to int(float(s)), so "42.23"|int is 42.
                return TryParsePythonFloat(s, out var d2) && double.IsFinite(d2) && Math.Abs(d2) < 9.2e18 ? (long)Math.Truncate(d2) : a[0];
            default:
                return a[0];
        }
    }

    private static object? Items(object? value, JinjaArguments args)
    {
        args.Bind("items", []);
        return Lazy("generator", () => value switch
        {
            JinjaUndefined => [],
            JinjaDict dict => dict.Select(p => (object?)new object?[] { p.Key, p.Value }).ToList(),
            _ => throw new TemplateException("Can only get item pairs from a mapping."),
        });
    }

    private static object? Keys(object? value, JinjaArguments args)
    {
        args.Bind("keys", []);
        return value switch
        {
            JinjaUndefined => new List<object?>(),
            JinjaDict dict => dict.Keys.Cast<object?>().ToList(),
            _ => throw new TemplateException("Can only get keys from a mapping."),
        };
    }

    private static object? Values(object? value, JinjaArguments args)
    {
        args.Bind("values", []);
        return value switch
        {
            JinjaUndefined => new List<object?>(),
            JinjaDict dict => dict.Values.ToList(),
            _ => throw new TemplateException("Can only get values from a mapping."),
        };
    }

    private static object? Join(object? value, JinjaArguments args)
    {
        var a = args.Bind("join", ["d", "attribute"], string.Empty, null);
        var items = JinjaOps.Iterate(value);
        var getter = AttributeGetter(a[1], null);
        return string.Join(JinjaOps.ToStr(a[0]), items.Select(item => JinjaOps.ToStr(getter(item))));
    }

    private static object? ListOf(object? value, JinjaArguments args)
    {
        args.Bind("list", []);
        return JinjaOps.Iterate(value).ToList();
    }

    private static object? Map(JinjaContext context, object? value, JinjaArguments args)
    {
        Func<object?, object?> map;
        if (args.Positional.Count == 0 && args.Named.Any(p => p.Key == "attribute"))
        {
            var a = args.Bind("map", ["attribute", "default"], JinjaArguments.Missing, null);
            map = AttributeGetter(a[0], a[1]);
        }
        else
        {
            if (args.Positional.Count == 0 || args.Positional[0] is not string name)
            {
                throw new TemplateException("map requires a filter argument");
            }

            var rest = new JinjaArguments(args.Positional[1..], args.Named);
            map = item => Apply(context, name, item, rest);
        }

        return Lazy("generator", () => JinjaOps.Iterate(value).Select(map));
    }

    private static object? MinMax(string name, object? value, JinjaArguments args, int sign)
    {
        var a = args.Bind(name, ["case_sensitive", "attribute"], false, null);
        var items = JinjaOps.Iterate(value);
        if (items.Count == 0)
        {
            return JinjaUndefined.WithHint("No aggregated item, sequence was empty.");
        }

        var key = KeyFunction(a[1], JinjaOps.IsTruthy(a[0]));
        var best = items[0];
        var bestKey = key(best);
        foreach (var item in items.Skip(1))
        {
            var k = key(item);
            if (JinjaOps.Compare(k, bestKey) * sign > 0)
            {
                (best, bestKey) = (item, k);
            }
        }

        return best;
    }

    private static object? Select(JinjaContext context, object? value, JinjaArguments args, bool byAttribute, bool keep)
    {
        var name = keep ? (byAttribute ? "selectattr" : "select") : (byAttribute ? "rejectattr" : "reject");
        if (!JinjaOps.IsTruthy(value))
        {
            return Lazy("generator", () => []);
        }

        var positional = args.Positional;
        var offset = 0;
        Func<object?, object?> transform = item => item;
        if (byAttribute)
        {
            if (positional.Count == 0)
            {
                throw new TemplateException($"{name}() missing parameter for attribute name");
            }

            transform = AttributeGetter(positional[0], null);
            offset = 1;
        }

        Func<object?, bool> test;
        if (positional.Count > offset)
        {
            var testName = positional[offset] as string ?? throw new TemplateException($"{name}() test name must be a string");
            var rest = new JinjaArguments(positional[(offset + 1)..], args.Named);
            test = item => JinjaTests.Apply(context, testName, item, rest);
        }
        else
        {
            test = JinjaOps.IsTruthy;
        }

        return Lazy("generator", () => JinjaOps.Iterate(value).Where(item => test(transform(item)) == keep));
    }

    private static object? Replace(object? value, JinjaArguments args)
    {
        var a = args.Bind("replace", ["old", "new", "count"], JinjaArguments.Missing, JinjaArguments.Missing, null);
        var count = a[2] is null ? -1 : JinjaOps.ToLong(a[2]);
        return PyText.Replace(JinjaOps.ToStr(value), JinjaOps.ToStr(a[0]), JinjaOps.ToStr(a[1]), count);
    }

    private static object? Reverse(object? value, JinjaArguments args)
    {
        args.Bind("reverse", []);
        return value switch
        {
            string s => PyText.Slice(s, null, null, -1),
            List<object?> or object?[] or JinjaUndefined => Lazy("list_reverseiterator", () => JinjaOps.Iterate(value).Reverse()),
            JinjaDict => Lazy("dict_reversekeyiterator", () => JinjaOps.Iterate(value).Reverse()),
            JinjaView view => Lazy(view.TypeName.Replace("dict_", "dict_reverse", StringComparison.Ordinal) + "iterator", () => JinjaOps.Iterate(value).Reverse()),
            JinjaIterator iterator => iterator.Drain().AsEnumerable().Reverse().ToList(),
            _ => throw new TemplateException("reverse() argument must be iterable"),
        };
    }

    private static object? Round(object? value, JinjaArguments args)
    {
        var a = args.Bind("round", ["precision", "method"], 0L, "common");
        var precision = (int)Math.Clamp(JinjaOps.ToLong(a[0]), -400, 400);
        var method = a[1] as string;
        if (method is not ("common" or "ceil" or "floor"))
        {
            throw new TemplateException("round() method must be common, ceil or floor");
        }

        if (JinjaOps.IsInteger(JinjaOps.Undefined(value)) && method == "common")
        {
            // Python's round(int, n) stays an int.
            return precision >= 0 ? JinjaOps.ToLong(value) : (long)PyFormat.RoundHalfEven(JinjaOps.ToLong(value), precision);
        }

        var x = JinjaOps.ToDouble(value);
        if (method == "common")
        {
            return double.IsFinite(x) ? PyFormat.RoundHalfEven(x, precision) : x;
        }

        var scale = Math.Pow(10, precision);
        return (method == "ceil" ? Math.Ceiling(x * scale) : Math.Floor(x * scale)) / scale;
    }

    private static object? Sort(object? value, JinjaArguments args)
    {
        var a = args.Bind("sort", ["reverse", "case_sensitive", "attribute"], false, false, null);
        var items = JinjaOps.Iterate(value);
        var caseSensitive = JinjaOps.IsTruthy(a[1]);
        List<Func<object?, object?>> keys = a[2] is string names
            ? [.. names.Split(',').Select(n => AttributeGetter(n, null))]
            : [AttributeGetter(a[2], null)];
        return SortBy(items, item => keys.Select(k => caseSensitive ? k(item) : IgnoreCase(k(item))).ToList(), JinjaOps.IsTruthy(a[0]));
    }

    private static List<T> SortBy<T>(IEnumerable<T> items, Func<T, object?> key, bool reverse)
    {
        var comparer = Comparer<object?>.Create((x, y) => JinjaOps.Compare(x, y));
        var keyed = items.Select(item => (Item: item, Key: key(item))).ToList();
        var sorted = reverse ? keyed.OrderByDescending(p => p.Key, comparer) : keyed.OrderBy(p => p.Key, comparer);
        return [.. sorted.Select(p => p.Item)];
    }

    private static object? Sum(object? value, JinjaArguments args)
    {
        var a = args.Bind("sum", ["attribute", "start"], null, 0L);
        var getter = AttributeGetter(a[0], null);
        var total = a[1];
        foreach (var item in JinjaOps.Iterate(value))
        {
            total = JinjaOps.Add(total, getter(item));
        }

        return total;
    }

    private static string Title(string s)
    {
        // Jinja's title: each run between '-', whitespace, '(', '{', '[' or '<' gets its first character upper-cased and the rest lower-cased.
        var builder = new StringBuilder(s.Length);
        var atWordStart = true;
        foreach (var c in s)
        {
            var separator = c is '-' or '(' or '{' or '[' or '<' || PyText.IsWhiteSpace(c);
            builder.Append(separator ? c : atWordStart ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            atWordStart = separator;
        }

        return builder.ToString();
    }

    private static object? ToJson(object? value, JinjaArguments args)
    {
        // transformers replaces Jinja's tojson: json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False), parameters in that order.
        var a = args.Bind("tojson", ["ensure_ascii", "indent", "separators", "sort_keys"], false, null, null, false);
        var indent = a[1] switch
        {
            null => null,
            string s => s,
            long or bool => new string(' ', (int)Math.Clamp(JinjaOps.ToLong(a[1]), 0, 1000)),
            _ => throw new TemplateException($"tojson() indent must be an int or a string, not {JinjaOps.TypeName(a[1])}"),
        };
        var (itemSeparator, keySeparator) = a[2] switch
        {
            null => (indent is null ? ", " : ",", ": "),
            IReadOnlyList<object?> { Count: 2 } pair when pair[0] is string item && pair[1] is string key => (item, key),
            _ => throw new TemplateException("tojson() separators must be an (item_separator, key_separator) pair of strings"),
        };
        return PythonJson.Serialize(value, new PythonJsonFormat(JinjaOps.IsTruthy(a[0]), indent, itemSeparator, keySeparator, JinjaOps.IsTruthy(a[3])));
    }

    private static object? Trim(object? value, JinjaArguments args)
    {
        var chars = args.Bind("trim", ["chars"], [null])[0];
        return PyText.Strip(JinjaOps.ToStr(value), chars is null ? null : JinjaOps.ToStr(chars));
    }

    private static object? Truncate(object? value, JinjaArguments args)
    {
        var a = args.Bind("truncate", ["length", "killwords", "end", "leeway"], 255L, false, "...", 5L);
        var length = JinjaOps.ToLong(a[0]);
        if (value is not string s)
        {
            // Jinja's truncate measures its input with len() before anything else: short containers and undefined come back as they are.
            return JinjaOps.Length(value) <= length + JinjaOps.ToLong(a[3] ?? 5L)
                ? value
                : throw new TemplateException($"truncate() needs a string, not {JinjaOps.TypeName(value)}");
        }

        var end = JinjaOps.ToStr(a[2]);
        var leeway = JinjaOps.ToLong(a[3] ?? 5L);
        if (length < end.Length || leeway < 0)
        {
            throw new TemplateException($"truncate() expected length >= {end.Length} and leeway >= 0");
        }

        if (PyText.Length(s) <= length + leeway)
        {
            return s;
        }

        var head = PyText.Slice(s, null, length - end.Length, null);
        if (JinjaOps.IsTruthy(a[1]))
        {
            return head + end;
        }

        return (string?)PyText.RSplit(head, " ", 1)[0] + end;
    }

    private static object? Unique(object? value, JinjaArguments args)
    {
        var a = args.Bind("unique", ["case_sensitive", "attribute"], false, null);
        var key = KeyFunction(a[1], JinjaOps.IsTruthy(a[0]));
        return Lazy("generator", () =>
        {
            var seen = new HashSet<object>(JinjaKeyComparer.Instance);
            return JinjaOps.Iterate(value).Where(item => key(item) is var k && seen.Add(k is null ? NullKey : JinjaDict.CheckKey(k))).ToList();
        });
    }

    private static readonly object NullKey = new();

    private static object? WordCount(object? value, JinjaArguments args)
    {
        args.Bind("wordcount", []);
        long count = 0;
        var inWord = false;
        foreach (var c in JinjaOps.ToStr(value))
        {
            var word = char.IsLetterOrDigit(c) || c == '_';
            if (word && !inWord)
            {
                count++;
            }

            inWord = word;
        }

        return count;
    }

    private static object? Format(object? value, JinjaArguments args)
    {
        if (args.Positional.Count > 0 && args.Named.Count > 0)
        {
            throw new TemplateException("format() can't handle positional and keyword arguments at the same time");
        }

        if (args.Named.Count == 0)
        {
            return PyFormat.Percent(JinjaOps.ToStr(value), args.Positional.ToArray());
        }

        var named = new JinjaDict(args.Named.Count);
        foreach (var (key, item) in args.Named)
        {
            named[key] = item;
        }

        return PyFormat.Percent(JinjaOps.ToStr(value), named);
    }

    private static object? Indent(object? value, JinjaArguments args)
    {
        var a = args.Bind("indent", ["width", "first", "blank"], 4L, false, false);
        if (JinjaOps.Undefined(value) is not string)
        {
            // Jinja's indent appends "\n" to its input first, which only a string allows.
            throw new TemplateException($"unsupported operand type(s) for +=: '{JinjaOps.TypeName(value)}' and 'str'");
        }

        var indentation = a[0] is string text ? text : new string(' ', (int)Math.Clamp(JinjaOps.ToLong(a[0]), 0, 10_000));
        var lines = PyText.SplitLines(JinjaOps.ToStr(value) + "\n", keepEnds: false).Cast<string>().ToList();
        string result;
        if (JinjaOps.IsTruthy(a[2]))
        {
            result = string.Join("\n" + indentation, lines);
        }
        else
        {
            result = lines[0];
            if (lines.Count > 1)
            {
                result += "\n" + string.Join("\n", lines.Skip(1).Select(line => line.Length > 0 ? indentation + line : line));
            }
        }

        return JinjaOps.IsTruthy(a[1]) ? indentation + result : result;
    }

    private static string Escape(string s) => s
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&#34;", StringComparison.Ordinal)
        .Replace("'", "&#39;", StringComparison.Ordinal);

    private static object? IgnoreCase(object? value) => value is string s ? s.ToLowerInvariant() : value;

    /// <summary>Jinja's <c>make_attrgetter</c>: follows a dotted path (<c>"a.b.0"</c>) with item access.</summary>
    private static Func<object?, object?> AttributeGetter(object? attribute, object? fallback)
    {
        if (attribute is null)
        {
            return item => item;
        }

        object?[] parts = attribute is string path
            ? [.. path.Split('.').Select(p => p.Length > 0 && p.All(char.IsAsciiDigit) ? (object?)long.Parse(p, CultureInfo.InvariantCulture) : p)]
            : [attribute];
        return item =>
        {
            foreach (var part in parts)
            {
                item = JinjaOps.GetItem(item, part);
                if (fallback is not null && item is JinjaUndefined)
                {
                    item = fallback;
                }
            }

            return item;
        };
    }

    private static Func<object?, object?> KeyFunction(object? attribute, bool caseSensitive)
    {
        var getter = AttributeGetter(attribute, null);
        return caseSensitive ? getter : item => IgnoreCase(getter(item));
    }

    /// <summary>Python's <c>float(str)</c>: surrounding whitespace, underscores between digits, <c>inf</c>/<c>nan</c>.</summary>
    internal static bool TryParsePythonFloat(string s, out double value)
    {
        var text = s.Trim();
        var lower = text.ToLowerInvariant().TrimStart('+', '-');
        var sign = text.StartsWith('-') ? -1 : 1;
        if (lower is "inf" or "infinity" or "nan")
        {
            value = lower == "nan" ? double.NaN : sign * double.PositiveInfinity;
            return text.Length - lower.Length <= 1;
        }

        value = 0;
        if (text.Contains("__", StringComparison.Ordinal) || text.StartsWith('_') || text.EndsWith('_'))
        {
            return false;
        }

        return text.Length > 0
            && text.All(c => char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-' or '_')
            && double.TryParse(text.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Python's <c>int(str, base)</c>.</summary>
    private static bool TryParsePythonInt(string s, int numberBase, out long value)
    {
        value = 0;
        var text = s.Trim().Replace("_", string.Empty, StringComparison.Ordinal);
        var negative = text.StartsWith('-');
        if (text.StartsWith('-') || text.StartsWith('+'))
        {
            text = text[1..];
        }

        // Python accepts the prefix matching the base (and infers the base from it when the base is 0).
        var prefixBase = text.Length > 1 && text[0] == '0' ? char.ToLowerInvariant(text[1]) switch { 'x' => 16, 'o' => 8, 'b' => 2, _ => 0 } : 0;
        if (prefixBase != 0 && (numberBase == 0 || numberBase == prefixBase))
        {
            numberBase = prefixBase;
            text = text[2..];
        }
        else if (numberBase == 0)
        {
            numberBase = 10;
        }

        if (text.Length == 0 || numberBase is < 2 or > 36)
        {
            return false;
        }

        foreach (var c in text)
        {
            var digit = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
            if (digit >= numberBase)
            {
                return false;
            }

            try
            {
                value = checked((value * numberBase) + digit);
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        value = negative ? -value : value;
        return true;
    }
}
