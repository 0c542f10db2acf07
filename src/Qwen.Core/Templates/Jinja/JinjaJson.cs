using System.Globalization;
using System.Text;

namespace Qwen.Core;

/// <summary>Python's <c>json.dumps</c> byte for byte, as transformers' <c>tojson</c> filter calls it: default separators <c>", "</c> and <c>": "</c>, float <c>repr</c>, non-ASCII kept unless <c>ensure_ascii</c>.</summary>
internal static class JinjaJson
{
    private const int MaxDepth = 500;

    /// <summary>Serializes <paramref name="value"/>.</summary>
    /// <param name="value">The template value.</param>
    /// <param name="ensureAscii">Escape every character outside printable ASCII as <c>\uXXXX</c>.</param>
    /// <param name="indent">None, a number of spaces or an indentation string.</param>
    /// <param name="separators">None or an (item separator, key separator) pair.</param>
    /// <param name="sortKeys">Sort dict keys.</param>
    public static string Serialize(object? value, bool ensureAscii, object? indent, object? separators, bool sortKeys)
    {
        var indentText = indent switch
        {
            null => null,
            string s => s,
            long or bool => new string(' ', (int)Math.Clamp(JinjaOps.ToLong(indent), 0, 1000)),
            _ => throw new TemplateException($"tojson() indent must be an int or a string, not {JinjaOps.TypeName(indent)}"),
        };
        var (itemSeparator, keySeparator) = separators switch
        {
            null => (indentText is null ? ", " : ",", ": "),
            IReadOnlyList<object?> { Count: 2 } pair when pair[0] is string item && pair[1] is string key => (item, key),
            _ => throw new TemplateException("tojson() separators must be an (item_separator, key_separator) pair of strings"),
        };
        var writer = new Writer(ensureAscii, indentText, itemSeparator, keySeparator, sortKeys);
        writer.Write(value, 0);
        return writer.ToString();
    }

    /// <summary>Python's JSON string encoding.</summary>
    public static void WriteString(StringBuilder builder, string s, bool ensureAscii)
    {
        builder.Append('"');
        foreach (var c in s)
        {
            var escape = c switch
            {
                '"' => "\\\"",
                '\b' => "\\b",
                '\f' => "\\f",
                _ => PyText.CommonEscape(c),
            };
            if (escape is not null)
            {
                builder.Append(escape);
            }
            else if (c < ' ' || (ensureAscii && c > '~'))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        builder.Append('"');
    }

    private sealed class Writer(bool ensureAscii, string? indent, string itemSeparator, string keySeparator, bool sortKeys)
    {
        private readonly StringBuilder _builder = new();

        public override string ToString() => _builder.ToString();

        public void Write(object? value, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new TemplateException("tojson(): value nested too deeply");
            }

            switch (value)
            {
                case null:
                    _builder.Append("null");
                    break;
                case bool b:
                    _builder.Append(b ? "true" : "false");
                    break;
                case long l:
                    _builder.Append(l.ToString(CultureInfo.InvariantCulture));
                    break;
                case double d:
                    _builder.Append(Float(d));
                    break;
                case string s:
                    WriteString(_builder, s, ensureAscii);
                    break;
                case IReadOnlyList<object?> list:
                    WriteContainer('[', ']', list.Count, depth, i => Write(list[i], depth + 1));
                    break;
                case JinjaDict dict:
                    var pairs = dict.ToList();
                    if (sortKeys)
                    {
                        pairs = [.. pairs.OrderBy(p => p.Key, Comparer<object>.Create((x, y) => JinjaOps.Compare(x, y)))];
                    }

                    WriteContainer('{', '}', pairs.Count, depth, i =>
                    {
                        WriteString(_builder, Key(pairs[i].Key), ensureAscii);
                        _builder.Append(keySeparator);
                        Write(pairs[i].Value, depth + 1);
                    });
                    break;
                default:
                    throw new TemplateException($"Object of type {JinjaOps.TypeName(value)} is not JSON serializable");
            }
        }

        private void WriteContainer(char open, char close, int count, int depth, Action<int> writeItem)
        {
            if (count == 0)
            {
                _builder.Append(open).Append(close);
                return;
            }

            _builder.Append(open);
            for (var i = 0; i < count; i++)
            {
                if (i > 0)
                {
                    _builder.Append(itemSeparator);
                }

                NewLine(depth + 1);
                writeItem(i);
            }

            NewLine(depth);
            _builder.Append(close);
        }

        private void NewLine(int depth)
        {
            if (indent is not null)
            {
                _builder.Append('\n');
                for (var i = 0; i < depth; i++)
                {
                    _builder.Append(indent);
                }
            }
        }

        private static string Key(object key) => key switch
        {
            string s => s,
            bool b => b ? "true" : "false",
            long l => l.ToString(CultureInfo.InvariantCulture),
            double d => Float(d),
            _ => throw new TemplateException($"keys must be str, int, float, bool or None, not {JinjaOps.TypeName(key)}"),
        };

        private static string Float(double d) => double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : JinjaOps.FloatRepr(d);
    }
}
