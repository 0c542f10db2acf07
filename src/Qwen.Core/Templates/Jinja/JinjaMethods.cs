using System.Globalization;
using System.Text;

namespace Qwen.Core;

/// <summary>
/// The Python methods templates call on values (<c>content.startswith('...')</c>, <c>message.get('x')</c>, <c>d.items()</c>),
/// with the rules of transformers' immutable sandbox: methods that would modify a list or dict are refused.
/// </summary>
internal static class JinjaMethods
{
    // Every method Python's str has; the ones not implemented here fail with a clear message when called.
    private static readonly HashSet<string> StrMethods =
    [
        "capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs", "find", "format", "format_map", "index",
        "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower", "isnumeric", "isprintable", "isspace",
        "istitle", "isupper", "join", "ljust", "lower", "lstrip", "maketrans", "partition", "removeprefix", "removesuffix", "replace",
        "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title",
        "translate", "upper", "zfill",
    ];

    private static readonly HashSet<string> UnsafeDictMethods = ["clear", "pop", "popitem", "setdefault", "update"];
    private static readonly HashSet<string> UnsafeListMethods = ["append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"];

    /// <summary>Binds <paramref name="name"/> as a method of <paramref name="target"/> when the target's Python type has such a method.</summary>
    public static bool TryBind(object? target, string name, out JinjaCallable? method)
    {
        method = target switch
        {
            string s when StrMethods.Contains(name) => new JinjaFunction(name, (_, args) => CallString(s, name, args)),
            JinjaDict d when name is "get" or "items" or "keys" or "values" or "copy" => new JinjaFunction(name, (_, args) => CallDict(d, name, args)),
            JinjaDict when UnsafeDictMethods.Contains(name) => Refused("dict", name),
            List<object?> l when name is "index" or "count" or "copy" => new JinjaFunction(name, (_, args) => CallList(l, name, args)),
            List<object?> when UnsafeListMethods.Contains(name) => Refused("list", name),
            object?[] t when name is "index" or "count" => new JinjaFunction(name, (_, args) => CallList(t, name, args)),
            _ => null,
        };
        return method is not null;
    }

    private static JinjaFunction Refused(string type, string name) =>
        new(name, (_, _) => throw new TemplateException($"access to attribute '{name}' of '{type}' object is unsafe: chat templates run in an immutable sandbox, as in transformers"));

    private static object? CallString(string s, string name, JinjaArguments args)
    {
        object?[] a;
        switch (name)
        {
            case "startswith" or "endswith":
                a = args.Bind(name, ["prefix", "start", "end"], JinjaArguments.Missing, null, null);
                var text = Window(s, a[1], a[2]);
                var candidates = a[0] switch
                {
                    string one => [one],
                    object?[] many => many.Select(x => x as string ?? throw new TemplateException($"{name}() tuple items must be str, not {JinjaOps.TypeName(x)}")).ToArray(),
                    _ => throw new TemplateException($"{name}() first arg must be str or a tuple of str, not {JinjaOps.TypeName(a[0])}"),
                };
                return name == "startswith"
                    ? candidates.Any(c => text.StartsWith(c, StringComparison.Ordinal))
                    : candidates.Any(c => text.EndsWith(c, StringComparison.Ordinal));
            case "strip" or "lstrip" or "rstrip":
                a = args.Bind(name, ["chars"], [null]);
                var chars = OptionalString(name, a[0]);
                return name == "strip" ? PyText.Strip(s, chars) : name == "lstrip" ? PyText.LStrip(s, chars) : PyText.RStrip(s, chars);
            case "split" or "rsplit":
                a = args.Bind(name, ["sep", "maxsplit"], null, -1L);
                var separator = OptionalString(name, a[0]);
                var max = JinjaOps.ToLong(a[1]);
                return name == "split" ? PyText.Split(s, separator, max) : PyText.RSplit(s, separator, max);
            case "splitlines":
                a = args.Bind(name, ["keepends"], false);
                return PyText.SplitLines(s, JinjaOps.IsTruthy(a[0]));
            case "upper":
                args.Bind(name, []);
                return PyText.Upper(s);
            case "lower" or "casefold":
                args.Bind(name, []);
                return PyText.Lower(s);
            case "title":
                args.Bind(name, []);
                return PyText.Title(s);
            case "capitalize":
                args.Bind(name, []);
                return PyText.Capitalize(s);
            case "swapcase":
                args.Bind(name, []);
                return string.Concat(s.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.IsLower(c) ? char.ToUpperInvariant(c) : c));
            case "replace":
                a = args.Bind(name, ["old", "new", "count"], JinjaArguments.Missing, JinjaArguments.Missing, -1L);
                return PyText.Replace(s, RequireString(name, a[0]), RequireString(name, a[1]), JinjaOps.ToLong(a[2]));
            case "find" or "rfind" or "index" or "rindex":
                a = args.Bind(name, ["sub", "start", "end"], JinjaArguments.Missing, null, null);
                var sub = RequireString(name, a[0]);
                var offset = a[1] is null ? 0 : Math.Max(0, PySlice.Bounds(PyText.Length(s), JinjaOps.ToLong(a[1]), null).From);
                var found = PyText.Find(Window(s, a[1], a[2]), sub, fromRight: name[0] == 'r');
                return found >= 0 ? found + offset
                    : name.EndsWith("index", StringComparison.Ordinal) ? throw new TemplateException("substring not found") : -1L;
            case "count":
                a = args.Bind(name, ["sub", "start", "end"], JinjaArguments.Missing, null, null);
                return PyText.Count(Window(s, a[1], a[2]), RequireString(name, a[0]));
            case "join":
                a = args.Bind(name, ["iterable"]);
                return string.Join(s, JinjaOps.Iterate(a[0]).Select((x, i) =>
                    x as string ?? throw new TemplateException($"sequence item {i}: expected str instance, {JinjaOps.TypeName(x)} found")));
            case "removeprefix":
                a = args.Bind(name, ["prefix"]);
                var prefix = RequireString(name, a[0]);
                return s.StartsWith(prefix, StringComparison.Ordinal) ? s[prefix.Length..] : s;
            case "removesuffix":
                a = args.Bind(name, ["suffix"]);
                var suffix = RequireString(name, a[0]);
                return suffix.Length > 0 && s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s;
            case "partition" or "rpartition":
                a = args.Bind(name, ["sep"]);
                var sep = RequireString(name, a[0]);
                var at = name == "partition" ? s.IndexOf(sep, StringComparison.Ordinal) : s.LastIndexOf(sep, StringComparison.Ordinal);
                return at < 0
                    ? (name == "partition" ? new object?[] { s, string.Empty, string.Empty } : [string.Empty, string.Empty, s])
                    : new object?[] { s[..at], sep, s[(at + sep.Length)..] };
            case "center" or "ljust" or "rjust":
                a = args.Bind(name, ["width", "fillchar"], JinjaArguments.Missing, " ");
                return Justify(s, name, JinjaOps.ToLong(a[0]), RequireString(name, a[1]));
            case "zfill":
                a = args.Bind(name, ["width"]);
                var width = (int)Math.Min(JinjaOps.ToLong(a[0]), JinjaOps.MaxBuiltLength);
                var sign = s.Length > 0 && s[0] is '+' or '-' ? s[..1] : string.Empty;
                return s.Length >= width ? s : sign + new string('0', (int)(width - s.Length)) + s[sign.Length..];
            case "isdigit" or "isdecimal" or "isnumeric":
                args.Bind(name, []);
                return s.Length > 0 && s.All(char.IsDigit);
            case "isalpha":
                args.Bind(name, []);
                return s.Length > 0 && s.All(char.IsLetter);
            case "isalnum":
                args.Bind(name, []);
                return s.Length > 0 && s.All(char.IsLetterOrDigit);
            case "isspace":
                args.Bind(name, []);
                return s.Length > 0 && PyText.IsAllWhitespace(s);
            case "isupper":
                args.Bind(name, []);
                return s.Any(char.IsUpper) && !s.Any(char.IsLower);
            case "islower":
                args.Bind(name, []);
                return s.Any(char.IsLower) && !s.Any(char.IsUpper);
            case "isascii":
                args.Bind(name, []);
                return s.All(char.IsAscii);
            case "format":
                return Format(s, args);
            default:
                throw new TemplateException($"the string method '{name}' is not supported by this chat-template interpreter");
        }
    }

    private static object? CallDict(JinjaDict d, string name, JinjaArguments args)
    {
        switch (name)
        {
            case "get":
                var a = args.Bind("get", ["key", "default"], JinjaArguments.Missing, null);
                return a[0] is not null && a[0] is string or long or double or bool or object?[] && d.TryGetValue(a[0]!, out var value) ? value : a[1];
            case "items":
                args.Bind(name, []);
                return new JinjaView("dict_items", [.. d.Select(pair => (object?)new object?[] { pair.Key, pair.Value })]);
            case "keys":
                args.Bind(name, []);
                return new JinjaView("dict_keys", [.. d.Keys]);
            case "values":
                args.Bind(name, []);
                return new JinjaView("dict_values", [.. d.Values]);
            default:
                args.Bind(name, []);
                var copy = new JinjaDict(d.Count);
                foreach (var (key, item) in d)
                {
                    copy.Add(key, item);
                }

                return copy;
        }
    }

    private static object? CallList(IReadOnlyList<object?> list, string name, JinjaArguments args)
    {
        switch (name)
        {
            case "index":
                var a = args.Bind(name, ["value"]);
                for (var i = 0; i < list.Count; i++)
                {
                    if (JinjaOps.AreEqual(list[i], a[0]))
                    {
                        return (long)i;
                    }
                }

                throw new TemplateException($"{JinjaOps.Repr(a[0])} is not in list");
            case "count":
                var c = args.Bind(name, ["value"]);
                return (long)list.Count(x => JinjaOps.AreEqual(x, c[0]));
            default:
                args.Bind(name, []);
                return list.ToList();
        }
    }

    /// <summary>The part of <paramref name="s"/> that <c>start</c>/<c>end</c> arguments select.</summary>
    private static string Window(string s, object? start, object? end) =>
        start is null && end is null ? s : PyText.Slice(s, start is null ? null : JinjaOps.ToLong(start), end is null ? null : JinjaOps.ToLong(end), null);

    private static string? OptionalString(string method, object? value) => value switch
    {
        null => null,
        string s => s,
        _ => throw new TemplateException($"{method}() argument must be str or None, not {JinjaOps.TypeName(value)}"),
    };

    private static string RequireString(string method, object? value) =>
        value as string ?? throw new TemplateException($"{method}() argument must be str, not {JinjaOps.TypeName(value)}");

    private static string Justify(string s, string name, long width, string fill)
    {
        if (fill.Length != 1)
        {
            throw new TemplateException($"{name}() the fill character must be exactly one character long");
        }

        var length = PyText.Length(s);
        if (width <= length)
        {
            return s;
        }

        var padding = (int)Math.Min(width - length, JinjaOps.MaxBuiltLength);
        var left = name switch
        {
            "ljust" => 0,
            "rjust" => padding,

            // Python's centring puts the odd space on the left only when the width is odd.
            _ => (padding / 2) + (padding & (int)(width & 1)),
        };
        return new string(fill[0], left) + s + new string(fill[0], padding - left);
    }

    /// <summary>Python's <c>str.format</c> for plain replacement fields (<c>{}</c>, <c>{0}</c>, <c>{name}</c>) without conversions or format specs.</summary>
    private static string Format(string s, JinjaArguments args)
    {
        var builder = new StringBuilder();
        var auto = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '{' && i + 1 < s.Length && s[i + 1] == '{')
            {
                builder.Append('{');
                i++;
                continue;
            }

            if (c == '}' && i + 1 < s.Length && s[i + 1] == '}')
            {
                builder.Append('}');
                i++;
                continue;
            }

            if (c != '{')
            {
                builder.Append(c);
                continue;
            }

            var close = s.IndexOf('}', i);
            if (close < 0)
            {
                throw new TemplateException("Single '{' encountered in format string");
            }

            var field = s[(i + 1)..close];
            if (field.AsSpan().IndexOfAny(":!.[") >= 0)
            {
                throw new TemplateException($"format field '{{{field}}}' uses a conversion or format spec, which is not supported by this chat-template interpreter");
            }

            object? value;
            if (field.Length == 0 || int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                var index = field.Length == 0 ? auto++ : int.Parse(field, CultureInfo.InvariantCulture);
                value = index < args.Positional.Count ? args.Positional[index] : throw new TemplateException($"Replacement index {index} out of range for positional args tuple");
            }
            else
            {
                var named = args.Named.FindIndex(p => p.Key == field);
                value = named >= 0 ? args.Named[named].Value : throw new TemplateException($"format() has no argument named '{field}'");
            }

            builder.Append(JinjaOps.ToStr(value));
            i = close;
        }

        return builder.ToString();
    }
}
