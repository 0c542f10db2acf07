using System.Globalization;
using System.Text;
using Jint;
using Jint.Native;
using Jint.Native.Error;
using Jint.Native.Function;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;

namespace Qwen.Tools;

/// <summary>
/// Shows a JavaScript value the way Node's console does (<c>{ a: 1, b: [ 1, 2 ] }</c>), within a character budget.
/// </summary>
/// <remarks>
/// It reads own data properties only and never calls script (no getters, no <c>toString</c>, no Proxy traps):
/// formatting runs after the engine's limits have stopped counting, so running script here would let code escape them.
/// </remarks>
internal sealed class JsValueFormatter
{
    private const int MaxDepth = 2;
    private const int MaxItems = 100;
    private const int LineWidth = 72;

    // Jint keeps its Proxy type internal; found by name, and when absent proxies are simply read like other objects.
    private static readonly Type? ProxyType = typeof(Engine).Assembly.GetType("Jint.Native.JsProxy");

    private readonly int _budget;
    private readonly HashSet<ObjectInstance> _path = new(ReferenceEqualityComparer.Instance);
    private int _spent;

    private JsValueFormatter(int budget) => _budget = budget;

    /// <summary>Formats <paramref name="value"/>; strings are shown bare unless <paramref name="quoteStrings"/>.</summary>
    public static string Format(JsValue value, bool quoteStrings, int budget)
    {
        if (value.IsString() && !quoteStrings)
        {
            return value.AsString();
        }

        return new JsValueFormatter(budget).Write(value, 0, 0);
    }

    /// <summary>Reads a property through the prototype chain without running script; accessors and proxies give <see langword="null"/>.</summary>
    public static JsValue? ReadData(ObjectInstance target, string name)
    {
        for (var current = target; current is not null && !IsProxy(current); current = current.Prototype)
        {
            var descriptor = current.GetOwnProperty(name);
            if (descriptor == PropertyDescriptor.Undefined)
            {
                continue;
            }

            return descriptor.IsDataDescriptor() ? descriptor.Value : null;
        }

        return null;
    }

    /// <summary><c>Name: message</c> of an error object, read without running script.</summary>
    public static string DescribeError(ObjectInstance error)
    {
        var name = ReadData(error, "name") is { } n && n.IsString() ? n.AsString() : "Error";
        var message = ReadData(error, "message") is { } m && m.IsString() ? m.AsString() : string.Empty;
        return message.Length == 0 ? name : $"{name}: {message}";
    }

    private string Write(JsValue value, int depth, int indent)
    {
        var text = value switch
        {
            JsString s => Quote(s.ToString(), Math.Max(_budget - _spent, 0) + 1),
            JsNumber n => NumberText(n),
            JsBigInt b => b.ToString() + "n",
            JsSymbol s => s.ToString(),
            ObjectInstance o => WriteObject(o, depth, indent),
            _ => value.IsUndefined() ? "undefined" : value.ToString(),
        };
        _spent += text.Length;
        return text;
    }

    private string WriteObject(ObjectInstance value, int depth, int indent)
    {
        switch (value)
        {
            case var proxy when IsProxy(proxy):
                return "[Proxy]";
            case Function function:
                var name = ReadOwn(function, "name") is { } n && n.IsString() && n.AsString().Length > 0 ? n.AsString() : null;
                return name is null ? "[Function (anonymous)]" : $"[Function: {name}]";
            case JsDate date:
                return double.IsNaN(date.DateValue)
                    ? "Invalid Date"
                    : DateTimeOffset.FromUnixTimeMilliseconds((long)date.DateValue).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            case JsRegExp regex:
                return $"/{regex.Source}/{regex.Flags}";
            case ErrorInstance error:
                return "[" + DescribeError(error) + "]";
        }

        if (!_path.Add(value))
        {
            return "[Circular]";
        }

        try
        {
            return value switch
            {
                JsArray array => WriteList(string.Empty, ArrayItems(array, depth, indent), array.Length, "[", "]", depth, indent, "[Array]"),
                JsTypedArray typed => WriteList(TypeName(typed) + $"({typed.Length}) ", TypedItems(typed, depth, indent), typed.Length, "[", "]", depth, indent, $"[{TypeName(typed)}]"),
                JsMap map => WriteList($"Map({map.Size}) ", MapItems(map, depth, indent), (uint)map.Size, "{", "}", depth, indent, "[Map]"),
                JsSet set => WriteList($"Set({set.Size}) ", SetItems(set, depth, indent), (uint)set.Size, "{", "}", depth, indent, "[Set]"),
                _ when value.IsPromise() => "Promise { }",
                _ => WritePlainObject(value, depth, indent),
            };
        }
        finally
        {
            _path.Remove(value);
        }
    }

    private string WritePlainObject(ObjectInstance value, int depth, int indent)
    {
        var prefix = Prefix(value);
        var entries = new List<KeyValuePair<JsValue, PropertyDescriptor>>();
        uint count = 0;
        foreach (var property in value.GetOwnProperties())
        {
            if (property.Value.Enumerable && count++ < MaxItems)
            {
                entries.Add(property);
            }
        }

        if (count == 0)
        {
            return prefix + "{}";
        }

        if (depth > MaxDepth)
        {
            return prefix.Length > 0 ? $"[{prefix.TrimEnd()}]" : "[Object]";
        }

        return WriteList(prefix, PropertyItems(entries, depth, indent), count, "{", "}", depth, indent, "[Object]");
    }

    private IEnumerable<string> PropertyItems(List<KeyValuePair<JsValue, PropertyDescriptor>> entries, int depth, int indent)
    {
        foreach (var (key, descriptor) in entries)
        {
            var keyText = key.IsSymbol() ? $"[{key}]" : Key(key.ToString());
            if (descriptor.IsAccessorDescriptor())
            {
                var kind = (descriptor.Get is not null && !descriptor.Get.IsUndefined(), descriptor.Set is not null && !descriptor.Set.IsUndefined()) switch
                {
                    (true, true) => "[Getter/Setter]",
                    (true, false) => "[Getter]",
                    _ => "[Setter]",
                };
                yield return $"{keyText}: {kind}";
            }
            else
            {
                yield return $"{keyText}: {Write(descriptor.Value, depth + 1, indent + 2)}";
            }
        }
    }

    private IEnumerable<string> ArrayItems(JsArray array, int depth, int indent)
    {
        for (uint i = 0; i < array.Length; i++)
        {
            yield return array.TryGetValue(i, out var item) ? Write(item, depth + 1, indent + 2) : "<empty>";
        }
    }

    private IEnumerable<string> TypedItems(JsTypedArray typed, int depth, int indent)
    {
        for (uint i = 0; i < typed.Length; i++)
        {
            yield return Write(typed[i], depth + 1, indent + 2);
        }
    }

    private IEnumerable<string> MapItems(JsMap map, int depth, int indent)
    {
        foreach (var (key, item) in map)
        {
            yield return $"{Write(key, depth + 1, indent + 2)} => {Write(item, depth + 1, indent + 2)}";
        }
    }

    private IEnumerable<string> SetItems(JsSet set, int depth, int indent)
    {
        foreach (var item in set)
        {
            yield return Write(item, depth + 1, indent + 2);
        }
    }

    private string WriteList(string prefix, IEnumerable<string> items, uint count, string open, string close, int depth, int indent, string collapsed)
    {
        if (count == 0)
        {
            return prefix + open + close;
        }

        if (depth > MaxDepth)
        {
            return collapsed;
        }

        var parts = new List<string>();
        foreach (var item in items)
        {
            if (parts.Count == MaxItems || _spent > _budget)
            {
                break;
            }

            parts.Add(item);
        }

        if (parts.Count < count)
        {
            var more = count - parts.Count;
            parts.Add($"... {more} more item{(more == 1 ? string.Empty : "s")}");
        }

        var oneLine = prefix + open + " " + string.Join(", ", parts) + " " + close;
        if (oneLine.Length + indent <= LineWidth && !oneLine.Contains('\n', StringComparison.Ordinal))
        {
            return oneLine;
        }

        var pad = new string(' ', indent + 2);
        var text = new StringBuilder(prefix).Append(open).Append('\n');
        for (var i = 0; i < parts.Count; i++)
        {
            text.Append(pad).Append(parts[i]).Append(i < parts.Count - 1 ? ",\n" : "\n");
        }

        return text.Append(' ', indent).Append(close).ToString();
    }

    private static string Prefix(ObjectInstance value)
    {
        var prototype = value.Prototype;
        if (prototype is null)
        {
            return "[Object: null prototype] ";
        }

        if (ReadOwn(prototype, "constructor") is ObjectInstance constructor && ReadOwn(constructor, "name") is { } name && name.IsString())
        {
            var text = name.AsString();
            return text is "Object" or "" ? string.Empty : text + " ";
        }

        return string.Empty;
    }

    private static JsValue? ReadOwn(ObjectInstance target, string name)
    {
        if (IsProxy(target))
        {
            return null;
        }

        var descriptor = target.GetOwnProperty(name);
        return descriptor != PropertyDescriptor.Undefined && descriptor.IsDataDescriptor() ? descriptor.Value : null;
    }

    private static bool IsProxy(ObjectInstance value) => ProxyType?.IsInstanceOfType(value) == true;

    private static string TypeName(JsTypedArray typed) => Prefix(typed).TrimEnd() is { Length: > 0 } name ? name : "TypedArray";

    private static string NumberText(JsNumber number)
    {
        var value = number.AsNumber();
        return value == 0 && double.IsNegative(value) ? "-0" : TypeConverter.ToString(number);
    }

    private static string Key(string key)
    {
        var identifier = key.Length > 0 && !char.IsAsciiDigit(key[0]) && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$');
        return identifier ? key : Quote(key, int.MaxValue);
    }

    /// <summary>The string in single quotes with escapes; only its first <paramref name="limit"/> characters when it is longer, since the rest would be cut anyway.</summary>
    private static string Quote(string text, int limit)
    {
        var shown = text.Length > limit ? text.AsSpan(0, limit) : text.AsSpan();
        var quoted = new StringBuilder(shown.Length + 2).Append('\'');
        foreach (var c in shown)
        {
            quoted.Append(c switch
            {
                '\'' => "\\'",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => c.ToString(),
            });
        }

        return shown.Length < text.Length ? quoted.ToString() : quoted.Append('\'').ToString();
    }
}
