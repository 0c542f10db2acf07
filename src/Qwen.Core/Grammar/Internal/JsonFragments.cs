using System.Text;

namespace Qwen.Core;

/// <summary>The lexical pieces of JSON text as grammar fragments: whitespace, strings (valid UTF-8, JSON escapes), numbers, literals, any value.</summary>
internal sealed class JsonFragments(GrammarBuilder builder)
{
    /// <summary>Most whitespace characters after a newline between tokens (llama.cpp's json-schema grammars use the same bound).</summary>
    private const int IndentLimit = 20;

    /// <summary>Most digits of a number's integer or fraction part; keeps a runaway model's numbers parseable as doubles.</summary>
    public const int NumberDigits = 16;

    /// <summary>UTF-8 lead bytes, the second byte each allows (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), and the continuation bytes after it.</summary>
    private static readonly (byte Lo, byte Hi, byte SecondLo, byte SecondHi, int More)[] Utf8Leads =
    [
        (0xC2, 0xDF, 0x80, 0xBF, 0), (0xE0, 0xE0, 0xA0, 0xBF, 1), (0xE1, 0xEC, 0x80, 0xBF, 1), (0xED, 0xED, 0x80, 0x9F, 1),
        (0xEE, 0xEF, 0x80, 0xBF, 1), (0xF0, 0xF0, 0x90, 0xBF, 2), (0xF1, 0xF3, 0x80, 0xBF, 2), (0xF4, 0xF4, 0x80, 0x8F, 2),
    ];

    private int _anyRule = -1;

    public GrammarBuilder Builder => builder;

    /// <summary>Whitespace between JSON tokens: nothing, one space, or a newline and up to 20 spaces or tabs.</summary>
    public Fragment Space()
    {
        var indent = builder.Repeat(() => builder.Range((0x20, 0x20), (0x09, 0x09)), 0, IndentLimit);
        return builder.Choice([builder.Empty(), builder.Literal(" "), builder.Sequence(builder.Literal("\n"), indent)]);
    }

    /// <summary>Whitespace before the top-level value: up to two spaces or newlines (a model often starts an answer with a newline).</summary>
    public Fragment Leading() => builder.Repeat(() => builder.Range((0x20, 0x20), (0x0A, 0x0A)), 0, 2);

    /// <summary>One character of a JSON string body: unescaped valid UTF-8 (no quote, backslash or control) or an escape.</summary>
    public Fragment StringChar(bool allowEscapes = true)
    {
        var start = builder.NewNode();
        var end = builder.NewNode();
        builder.AddBytes(start, 0x20, 0x21, end);
        builder.AddBytes(start, 0x23, 0x5B, end);
        builder.AddBytes(start, 0x5D, 0x7F, end);
        AddUtf8MultiByte(start, end);
        if (allowEscapes)
        {
            var escape = builder.NewNode();
            builder.AddBytes(start, (byte)'\\', (byte)'\\', escape);
            foreach (var c in "\"\\/bfnrt")
            {
                builder.AddBytes(escape, (byte)c, (byte)c, end);
            }

            var u = builder.NewNode();
            builder.AddBytes(escape, (byte)'u', (byte)'u', u);
            var at = u;
            for (var i = 0; i < 4; i++)
            {
                var next = i == 3 ? end : builder.NewNode();
                AddHex(at, next);
                at = next;
            }
        }

        return new Fragment(start, end);
    }

    /// <summary>Any non-ASCII character as well-formed UTF-8 (no overlongs, no surrogates), from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public void AddUtf8MultiByte(int start, int end)
    {
        // continuation[k]: the node from which k continuation bytes lead to the end.
        var continuation = new int[3];
        continuation[0] = end;
        for (var k = 1; k < continuation.Length; k++)
        {
            continuation[k] = builder.NewNode();
            builder.AddBytes(continuation[k], 0x80, 0xBF, continuation[k - 1]);
        }

        foreach (var (lo, hi, secondLo, secondHi, more) in Utf8Leads)
        {
            var second = builder.NewNode();
            builder.AddBytes(start, lo, hi, second);
            builder.AddBytes(second, secondLo, secondHi, continuation[more]);
        }
    }

    public void AddHex(int from, int to)
    {
        builder.AddBytes(from, (byte)'0', (byte)'9', to);
        builder.AddBytes(from, (byte)'a', (byte)'f', to);
        builder.AddBytes(from, (byte)'A', (byte)'F', to);
    }

    /// <summary>A quoted string whose body is <paramref name="body"/> (any characters when null).</summary>
    public Fragment String(Fragment? body = null) =>
        builder.Sequence(builder.Literal("\""), body ?? builder.Star(StringChar()), builder.Literal("\""));

    public Fragment Digits(int min, int max) => builder.Repeat(() => builder.Range(((byte)'0', (byte)'9')), min, max);

    /// <summary>An integer: optional minus (unless <paramref name="negative"/> is false), then 0 or up to <paramref name="digits"/> digits without a leading zero.</summary>
    public Fragment Integer(bool negative, int digits)
    {
        var magnitude = builder.Choice([
            builder.Literal("0"),
            builder.Sequence(builder.Range(((byte)'1', (byte)'9')), Digits(0, digits - 1)),
        ]);
        return negative ? builder.Sequence(builder.Optional(builder.Literal("-")), magnitude) : magnitude;
    }

    /// <summary>A JSON number with bounded digit counts.</summary>
    public Fragment Number(bool negative)
    {
        var fraction = builder.Optional(builder.Sequence(builder.Literal("."), Digits(1, NumberDigits)));
        var exponent = builder.Optional(builder.Sequence(
            builder.Range(((byte)'e', (byte)'e'), ((byte)'E', (byte)'E')),
            builder.Optional(builder.Range(((byte)'+', (byte)'+'), ((byte)'-', (byte)'-'))),
            Digits(1, 3)));
        return builder.Sequence(Integer(negative, NumberDigits), fraction, exponent);
    }

    /// <summary>Any JSON value (a recursive rule, made once per grammar).</summary>
    public Fragment AnyValue()
    {
        if (_anyRule < 0)
        {
            _anyRule = builder.NewRule();
            var member = builder.Sequence(String(), Space(), builder.Literal(":"), Space(), builder.Call(_anyRule));
            var obj = Container("{", "}", member, builder.Sequence(String(), Space(), builder.Literal(":"), Space(), builder.Call(_anyRule)));
            var arr = Container("[", "]", builder.Call(_anyRule), builder.Call(_anyRule));
            builder.DefineRule(_anyRule, builder.Choice([
                obj, arr, String(), Number(negative: true), builder.Literal("true"), builder.Literal("false"), builder.Literal("null"),
            ]));
        }

        return builder.Call(_anyRule);
    }

    /// <summary><paramref name="open"/>, then zero or more comma-separated items (the first is <paramref name="first"/>, later ones <paramref name="rest"/>), then <paramref name="close"/>.</summary>
    public Fragment Container(string open, string close, Fragment first, Fragment rest)
    {
        var more = builder.Star(builder.Sequence(builder.Literal(","), Space(), rest));
        var items = builder.Optional(builder.Sequence(first, more, Space()));
        return builder.Sequence(builder.Literal(open), Space(), items, builder.Literal(close));
    }

    /// <summary>The exact bytes of <paramref name="codePoint"/> inside a JSON string (escaped where JSON requires it).</summary>
    public static byte[] JsonCharBytes(int codePoint) => codePoint switch
    {
        '"' => "\\\""u8.ToArray(),
        '\\' => "\\\\"u8.ToArray(),
        '\n' => "\\n"u8.ToArray(),
        '\r' => "\\r"u8.ToArray(),
        '\t' => "\\t"u8.ToArray(),
        '\b' => "\\b"u8.ToArray(),
        '\f' => "\\f"u8.ToArray(),
        < 0x20 => Encoding.ASCII.GetBytes($"\\u{codePoint:x4}"),
        _ => Encoding.UTF8.GetBytes(char.ConvertFromUtf32(codePoint)),
    };
}
