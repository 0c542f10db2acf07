using System.Globalization;
using System.Text;

namespace Qwen.Core;

/// <summary>
/// Python's <c>json.dumps</c> byte for byte: the one JSON writer for the chat templates' <c>tojson</c> filter (as transformers calls it)
/// and for the function-call prompts Qwen-Agent writes (<c>json.dumps(value, ensure_ascii=False)</c>).
/// </summary>
/// <remarks>
/// Values are template values (<see langword="null"/>, <see cref="bool"/>, <see cref="long"/>, <see cref="double"/>, <see cref="string"/>,
/// lists and <see cref="JinjaDict"/>); .NET and JSON values are first turned into those by <see cref="JinjaValues.FromClr"/>, the way
/// Python's <c>json.loads</c> would see them, so a number is written as Python writes an int or a float.
/// </remarks>
internal static class PythonJson
{
    private const int MaxDepth = 500;

    /// <summary>Writes a .NET, JSON or template value with <c>json.dumps(value, ensure_ascii=False)</c>'s defaults.</summary>
    /// <param name="value">The value (a <see cref="System.Text.Json.JsonElement"/>, a dictionary of arguments, a CLR object, ...).</param>
    /// <returns>The JSON text, <c>", "</c> and <c>": "</c> separated, non-ASCII kept.</returns>
    public static string Serialize(object? value) => Serialize(JinjaValues.FromClr(value), PythonJsonFormat.Default);

    /// <summary>Writes a template value.</summary>
    /// <param name="value">The template value.</param>
    /// <param name="format">Escaping, indentation, separators and key order.</param>
    /// <returns>The JSON text.</returns>
    /// <exception cref="TemplateException">The value holds something JSON cannot represent, or is nested too deeply.</exception>
    public static string Serialize(object? value, PythonJsonFormat format)
    {
        var writer = new Writer(format);
        writer.Write(value, 0);
        return writer.ToString();
    }

    /// <summary>Python's JSON string encoding.</summary>
    /// <param name="builder">Receives the quoted string.</param>
    /// <param name="s">The string.</param>
    /// <param name="ensureAscii">Escape every character outside printable ASCII as <c>\uXXXX</c>.</param>
    public static void WriteString(StringBuilder builder, string s, bool ensureAscii = false)
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

    private sealed class Writer(PythonJsonFormat format)
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
                    WriteString(_builder, s, format.EnsureAscii);
                    break;
                case IReadOnlyList<object?> list:
                    WriteContainer('[', ']', list.Count, depth, i => Write(list[i], depth + 1));
                    break;
                case JinjaDict dict:
                    var pairs = dict.ToList();
                    if (format.SortKeys)
                    {
                        pairs = [.. pairs.OrderBy(p => p.Key, Comparer<object>.Create((x, y) => JinjaOps.Compare(x, y)))];
                    }

                    WriteContainer('{', '}', pairs.Count, depth, i =>
                    {
                        WriteString(_builder, Key(pairs[i].Key), format.EnsureAscii);
                        _builder.Append(format.KeySeparator);
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
                    _builder.Append(format.ItemSeparator);
                }

                NewLine(depth + 1);
                writeItem(i);
            }

            NewLine(depth);
            _builder.Append(close);
        }

        private void NewLine(int depth)
        {
            if (format.Indent is { } indent)
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
