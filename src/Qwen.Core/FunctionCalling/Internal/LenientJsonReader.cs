using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;

namespace Qwen.Core;

/// <summary>
/// A small recursive-descent JSON reader that accepts the mistakes models make (JSON5-like rules)
/// and repairs them where the intent is unambiguous; see <see cref="LenientJson"/> for the rules.
/// </summary>
internal sealed class LenientJsonReader
{
    private const int MaxDepth = 128;

    private readonly string _text;
    private readonly int _end;
    private int _pos;

    private LenientJsonReader(string text, int start, int end)
    {
        _text = text;
        _pos = start;
        _end = end;
    }

    /// <summary>Parses one JSON value; with <paramref name="allowTrailingText"/> anything after a complete value is ignored.</summary>
    public static bool TryParse(string text, bool allowTrailingText, out JsonNode? value, [NotNullWhen(false)] out string? error)
    {
        var (start, end) = StripJsonFence(text);
        var reader = new LenientJsonReader(text, start, end);
        try
        {
            value = reader.ParseDocument(allowTrailingText);
            error = null;
            return true;
        }
        catch (RepairException exception)
        {
            value = null;
            error = exception.Message;
            return false;
        }
    }

    public static bool TryParseObject(string text, bool allowTrailingText, [NotNullWhen(true)] out JsonObject? value, [NotNullWhen(false)] out string? error)
    {
        if (!TryParse(text, allowTrailingText, out var node, out error))
        {
            value = null;
            return false;
        }

        value = node as JsonObject;
        if (value is null)
        {
            error = $"expected a JSON object but found {Describe(node)}";
            return false;
        }

        return true;
    }

    public static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "an array",
        JsonObject => "an object",
        _ => $"the value {node.ToJsonString()}",
    };

    /// <summary>Finds the body of a <c>```json</c> (or bare <c>```</c>) fence around the whole text, else the whole text.</summary>
    private static (int Start, int End) StripJsonFence(string text)
    {
        var span = text.AsSpan();
        var start = 0;
        while (start < span.Length && char.IsWhiteSpace(span[start]))
        {
            start++;
        }

        if (!span[start..].StartsWith("```", StringComparison.Ordinal))
        {
            return (0, text.Length);
        }

        var newline = span[start..].IndexOf('\n');
        if (newline < 0)
        {
            return (0, text.Length);
        }

        var info = span.Slice(start + 3, newline - 3).Trim();
        if (!(info.IsEmpty || info.Equals("json", StringComparison.OrdinalIgnoreCase) || info.Equals("json5", StringComparison.OrdinalIgnoreCase)))
        {
            return (0, text.Length);
        }

        var bodyStart = start + newline + 1;
        var end = span.TrimEnd().Length;
        if (end - bodyStart >= 3 && span[(end - 3)..end].SequenceEqual("```"))
        {
            end -= 3;
        }

        return (bodyStart, Math.Max(bodyStart, end));
    }

    private JsonNode? ParseDocument(bool allowTrailingText)
    {
        SkipTrivia();
        if (AtEnd)
        {
            throw Fail("the input is empty; expected a JSON value");
        }

        var value = ParseValue(0);
        if (allowTrailingText)
        {
            return value;
        }

        SkipTrivia();

        // A surplus closing bracket after a complete value is a common slip and cannot mean anything else.
        while (!AtEnd && _text[_pos] is '}' or ']')
        {
            _pos++;
            SkipTrivia();
        }

        if (!AtEnd)
        {
            throw Fail($"unexpected text after the JSON value: {Excerpt(_pos)}");
        }

        return value;
    }

    private bool AtEnd => _pos >= _end;

    private JsonNode? ParseValue(int depth)
    {
        SkipTrivia();
        if (AtEnd)
        {
            throw Fail("the input ends where a value was expected");
        }

        var c = _text[_pos];
        return c switch
        {
            '{' => ParseObject(depth + 1),
            '[' => ParseArray(depth + 1),
            '"' or '\'' => JsonValue.Create(ParseString()),
            '-' or '+' or '.' or (>= '0' and <= '9') => ParseNumber(),
            _ when char.IsLetter(c) || c is '_' or '$' => ParseWord(),
            _ => throw Fail($"unexpected character {Excerpt(_pos)} where a value was expected"),
        };
    }

    private JsonObject ParseObject(int depth)
    {
        CheckDepth(depth);
        var opened = _pos++;
        var result = new JsonObject();
        while (MoveToNextItem('}'))
        {
            if (_text[_pos] == ']')
            {
                throw Fail($"found ']' where the object opened at offset {opened} expects a property or '}}'");
            }

            var key = ParseKey();
            SkipTrivia();
            if (AtEnd)
            {
                throw Fail($"the input ends after the property name '{key}' without a value");
            }

            if (_text[_pos] is not (':' or '='))
            {
                throw Fail($"expected ':' after the property name '{key}' but found {Excerpt(_pos)}");
            }

            _pos++;
            SkipTrivia();
            if (AtEnd)
            {
                throw Fail($"the input ends before the value of property '{key}'");
            }

            result[key] = ParseValue(depth);
            SkipTrivia();

            // After a value: a separator, the end, or a property name (a missing comma); anything else is not an object.
            if (!AtEnd && !(_text[_pos] is ',' or '}' or '"' or '\'' || IsKeyChar(_text[_pos])))
            {
                throw Fail($"expected ',' or '}}' after the value of property '{key}' but found {Excerpt(_pos)}");
            }
        }

        return result;
    }

    private JsonArray ParseArray(int depth)
    {
        CheckDepth(depth);
        var opened = _pos++;
        var result = new JsonArray();
        while (MoveToNextItem(']'))
        {
            if (_text[_pos] == '}')
            {
                throw Fail($"found '}}' where the array opened at offset {opened} expects a value or ']'");
            }

            result.Add(ParseValue(depth));
        }

        return result;
    }

    /// <summary>Skips trivia and commas (leading, doubled and trailing ones are harmless) up to the next item of a container.</summary>
    /// <returns><see langword="false"/> when the container ends: at its closing bracket (consumed) or, truncated, at the end of the input.</returns>
    private bool MoveToNextItem(char close)
    {
        while (true)
        {
            SkipTrivia();
            if (AtEnd)
            {
                return false;
            }

            if (_text[_pos] == close)
            {
                _pos++;
                return false;
            }

            if (_text[_pos] != ',')
            {
                return true;
            }

            _pos++;
        }
    }

    private string ParseKey()
    {
        var c = _text[_pos];
        if (c is '"' or '\'')
        {
            return ParseString();
        }

        if (!IsKeyChar(c))
        {
            throw Fail($"expected a property name but found {Excerpt(_pos)}");
        }

        var start = _pos;
        while (!AtEnd && IsKeyChar(_text[_pos]))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    private static bool IsKeyChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '$' or '-' or '.';

    private string ParseString()
    {
        var opened = _pos;
        var quote = _text[_pos++];
        var builder = new StringBuilder();
        var guessedQuote = false;
        while (true)
        {
            if (AtEnd)
            {
                if (guessedQuote)
                {
                    throw Fail($"the string opened at offset {opened} is unterminated and contains unescaped quotes, so where it ends is ambiguous");
                }

                return builder.ToString(); // truncated: close the string
            }

            var c = _text[_pos++];
            if (c == quote)
            {
                if (IsClosingQuote())
                {
                    return builder.ToString();
                }

                // An unescaped quote inside the text: only a quote followed by a delimiter ends a string.
                guessedQuote = true;
                builder.Append(c);
            }
            else if (c == '\\')
            {
                ReadEscape(builder);
            }
            else
            {
                builder.Append(c); // raw newlines and tabs are kept as the characters they are
            }
        }
    }

    private bool IsClosingQuote()
    {
        var i = _pos;
        while (i < _end && char.IsWhiteSpace(_text[i]))
        {
            i++;
        }

        if (i >= _end)
        {
            return true;
        }

        var next = _text[i];
        return next is ',' or '}' or ']' or ':' or '"' or '\''
            || (next == '/' && i + 1 < _end && _text[i + 1] is '/' or '*');
    }

    private void ReadEscape(StringBuilder builder)
    {
        if (AtEnd)
        {
            return; // truncated right after a backslash
        }

        var e = _text[_pos++];
        switch (e)
        {
            case 'b': builder.Append('\b'); break;
            case 'f': builder.Append('\f'); break;
            case 'n': builder.Append('\n'); break;
            case 'r': builder.Append('\r'); break;
            case 't': builder.Append('\t'); break;
            case 'v': builder.Append('\v'); break;
            case '0' when AtEnd || !char.IsAsciiDigit(_text[_pos]): builder.Append('\0'); break;
            case 'u': ReadHexEscape(builder, 4); break;
            case 'x': ReadHexEscape(builder, 2); break;
            case '\n' or '\u2028' or '\u2029': break; // line continuation
            case '\r':
                if (!AtEnd && _text[_pos] == '\n')
                {
                    _pos++;
                }

                break;
            case '"' or '\'' or '\\' or '/': builder.Append(e); break;
            default:
                // An unknown escape such as \d in a regular expression: the backslash was meant literally.
                builder.Append('\\').Append(e);
                break;
        }
    }

    private void ReadHexEscape(StringBuilder builder, int digits)
    {
        if (_end - _pos >= digits
            && int.TryParse(_text.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
        {
            builder.Append((char)code);
            _pos += digits;
        }
        else
        {
            builder.Append('\\').Append(_text[_pos - 1]);
        }
    }

    private JsonNode ParseNumber()
    {
        var start = _pos;
        var negative = false;
        if (_text[_pos] is '+' or '-')
        {
            negative = _text[_pos] == '-';
            _pos++;
        }

        if (StartsWithWord("Infinity") || StartsWithWord("NaN"))
        {
            throw Fail("NaN and Infinity cannot be represented in JSON");
        }

        if (_end - _pos >= 2 && _text[_pos] == '0' && _text[_pos + 1] is 'x' or 'X')
        {
            _pos += 2;
            var hexStart = _pos;
            while (!AtEnd && char.IsAsciiHexDigit(_text[_pos]))
            {
                _pos++;
            }

            if (_pos == hexStart)
            {
                throw Fail($"the hexadecimal number at offset {start} has no digits");
            }

            var magnitude = BigInteger.Parse("0" + _text[hexStart.._pos], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            return JsonNode.Parse((negative ? -magnitude : magnitude).ToString(CultureInfo.InvariantCulture))!;
        }

        var integer = ReadDigits();
        var fraction = string.Empty;
        if (!AtEnd && _text[_pos] == '.')
        {
            _pos++;
            fraction = ReadDigits();
        }

        if (integer.Length == 0 && fraction.Length == 0)
        {
            throw Fail($"the number at offset {start} has no digits");
        }

        var exponent = string.Empty;
        if (!AtEnd && _text[_pos] is 'e' or 'E')
        {
            _pos++;
            var exponentSign = string.Empty;
            if (!AtEnd && _text[_pos] is '+' or '-')
            {
                exponentSign = _text[_pos] == '-' ? "-" : string.Empty;
                _pos++;
            }

            var exponentDigits = ReadDigits();
            if (exponentDigits.Length == 0)
            {
                throw Fail($"the exponent of the number at offset {start} has no digits");
            }

            exponent = "e" + exponentSign + exponentDigits;
        }

        integer = integer.TrimStart('0');
        var normalized = (negative ? "-" : string.Empty)
            + (integer.Length == 0 ? "0" : integer)
            + (fraction.Length == 0 ? string.Empty : "." + fraction)
            + exponent;
        return JsonNode.Parse(normalized)!;
    }

    private string ReadDigits()
    {
        var start = _pos;
        while (!AtEnd && char.IsAsciiDigit(_text[_pos]))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    private bool StartsWithWord(string word) =>
        _end - _pos >= word.Length && string.CompareOrdinal(_text, _pos, word, 0, word.Length) == 0;

    private JsonNode? ParseWord()
    {
        var start = _pos;
        while (!AtEnd && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '$'))
        {
            _pos++;
        }

        var word = _text[start.._pos];
        switch (word)
        {
            case "true" or "True":
                return JsonValue.Create(true);
            case "false" or "False":
                return JsonValue.Create(false);
            case "null" or "None":
                return null;
            case "NaN" or "Infinity":
                throw Fail("NaN and Infinity cannot be represented in JSON");
        }

        if (AtEnd && IsLiteralPrefix(word))
        {
            throw Fail($"the input ends inside the literal '{word}'");
        }

        throw Fail($"unexpected word '{word}' where a value was expected (strings must be quoted)");
    }

    private static bool IsLiteralPrefix(string word) =>
        "true".StartsWith(word, StringComparison.Ordinal) || "True".StartsWith(word, StringComparison.Ordinal)
        || "false".StartsWith(word, StringComparison.Ordinal) || "False".StartsWith(word, StringComparison.Ordinal)
        || "null".StartsWith(word, StringComparison.Ordinal) || "None".StartsWith(word, StringComparison.Ordinal);

    private void SkipTrivia()
    {
        while (!AtEnd)
        {
            var c = _text[_pos];
            if (char.IsWhiteSpace(c) || c == '\uFEFF')
            {
                _pos++;
            }
            else if (c == '/' && _pos + 1 < _end && _text[_pos + 1] == '/')
            {
                var newline = _text.IndexOf('\n', _pos, _end - _pos);
                _pos = newline < 0 ? _end : newline + 1;
            }
            else if (c == '/' && _pos + 1 < _end && _text[_pos + 1] == '*')
            {
                var close = _text.IndexOf("*/", _pos + 2, _end - _pos - 2, StringComparison.Ordinal);
                _pos = close < 0 ? _end : close + 2;
            }
            else
            {
                return;
            }
        }
    }

    private void CheckDepth(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Fail($"the value nests deeper than {MaxDepth} levels");
        }
    }

    private string Excerpt(int at)
    {
        var length = Math.Min(20, _end - at);
        return length <= 0 ? "the end of the input" : $"'{_text.Substring(at, length)}'";
    }

    private RepairException Fail(string detail) => new($"invalid JSON at offset {Math.Min(_pos, _end)}: {detail}");

    /// <summary>Unwinds the recursive descent to <see cref="TryParse"/>; never escapes this class.</summary>
    private sealed class RepairException(string message) : Exception(message);
}
