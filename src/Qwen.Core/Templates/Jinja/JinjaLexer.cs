using System.Globalization;
using System.Text;

namespace Qwen.Core;

/// <summary>
/// Splits a Jinja template into tokens the way Jinja2's lexer does with the settings Hugging Face transformers uses
/// for chat templates: <c>trim_blocks</c> and <c>lstrip_blocks</c> on, <c>keep_trailing_newline</c> off, <c>\r\n</c>/<c>\r</c> read as <c>\n</c>.
/// </summary>
internal sealed class JinjaLexer
{
    private static readonly string[] TwoCharOperators = ["//", "**", "==", "!=", ">=", "<="];
    private const string OneCharOperators = "+-/*%~[](){}><=.:|,;";

    private readonly string _source;
    private readonly List<int> _lineStarts = [0];
    private readonly List<JinjaToken> _tokens = [];
    private int _pos;

    // Jinja2 lets lstrip_blocks strip the start of a text only when the previous match ended a line.
    private bool _lineStarting = true;

    private JinjaLexer(string source)
    {
        _source = source;
        for (var i = 0; i < source.Length; i++)
        {
            if (source[i] == '\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    /// <summary>Tokenizes <paramref name="template"/>.</summary>
    /// <exception cref="TemplateException">The template is not lexically valid (unclosed tag, comment or string, bad character).</exception>
    public static List<JinjaToken> Tokenize(string template)
    {
        var lexer = new JinjaLexer(NormalizeNewlines(template));
        lexer.Run();
        return lexer._tokens;
    }

    /// <summary>Reads <c>\r\n</c> and <c>\r</c> as <c>\n</c> and drops one trailing newline, as Jinja2 does.</summary>
    internal static string NormalizeNewlines(string template)
    {
        var text = template.Contains('\r', StringComparison.Ordinal)
            ? template.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n')
            : template;
        return text.EndsWith('\n') ? text[..^1] : text;
    }

    private void Run()
    {
        while (_pos < _source.Length)
        {
            var open = FindTagOpen(_pos);
            if (open < 0)
            {
                AddText(_source[_pos..], _pos);
                break;
            }

            var kind = _source[open + 1];
            var afterOpen = open + 2;
            var sign = afterOpen < _source.Length && (_source[afterOpen] == '-' || _source[afterOpen] == '+') ? _source[afterOpen] : '\0';
            var rawEnd = kind == '%' ? MatchRawBegin(open) : -1;
            var text = StripBeforeTag(_source[_pos..open], sign, isVariable: kind == '{');
            AddText(text, _pos);
            _lineStarting = false;

            if (rawEnd >= 0)
            {
                _pos = rawEnd;
                _lineStarting = _source[rawEnd - 1] == '\n';
                LexRawBody(open);
            }
            else if (kind == '#')
            {
                LexComment(open, sign == '\0' ? afterOpen : afterOpen + 1);
            }
            else
            {
                LexTag(open, kind == '%', sign == '\0' ? afterOpen : afterOpen + 1);
            }
        }

        var (line, column) = Position(_source.Length);
        _tokens.Add(new JinjaToken(JinjaTokenKind.EndOfTemplate, string.Empty, line, column));
    }

    private int FindTagOpen(int from)
    {
        for (var i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
        {
            if (_source[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Applies <c>{%-</c> (strip all whitespace before) and lstrip_blocks (strip a line's indentation before a block or comment tag).</summary>
    private string StripBeforeTag(string text, char sign, bool isVariable)
    {
        if (sign == '-')
        {
            return PyText.RStrip(text);
        }

        if (sign == '+' || isVariable)
        {
            return text;
        }

        var lineStart = text.LastIndexOf('\n') + 1;
        if ((lineStart > 0 || _lineStarting) && lineStart < text.Length && PyText.IsAllWhitespace(text.AsSpan(lineStart)))
        {
            return text[..lineStart];
        }

        return text;
    }

    /// <summary>Matches <c>{%[-+]?\s*raw\s*(-%}\s*|%})</c> at <paramref name="open"/>; returns the index after it, or -1.</summary>
    private int MatchRawBegin(int open)
    {
        var p = open + 2;
        if (p < _source.Length && _source[p] is '-' or '+')
        {
            p++;
        }

        p = SkipWhitespace(p);
        if (string.CompareOrdinal(_source, p, "raw", 0, 3) != 0)
        {
            return -1;
        }

        p = SkipWhitespace(p + 3);
        if (string.CompareOrdinal(_source, p, "-%}", 0, 3) == 0)
        {
            return SkipWhitespace(p + 3);
        }

        return string.CompareOrdinal(_source, p, "%}", 0, 2) == 0 ? p + 2 : -1;
    }

    private void LexRawBody(int rawOpen)
    {
        for (var i = _source.IndexOf("{%", _pos, StringComparison.Ordinal); i >= 0; i = _source.IndexOf("{%", i + 2, StringComparison.Ordinal))
        {
            var p = i + 2;
            var sign = p < _source.Length && _source[p] is '-' or '+' ? _source[p] : '\0';
            if (sign != '\0')
            {
                p++;
            }

            p = SkipWhitespace(p);
            if (string.CompareOrdinal(_source, p, "endraw", 0, 6) != 0)
            {
                continue;
            }

            var end = MatchBlockEnd(SkipWhitespace(p + 6));
            if (end < 0)
            {
                continue;
            }

            AddText(StripBeforeTag(_source[_pos..i], sign, isVariable: false), _pos);
            _pos = end;
            _lineStarting = _source[end - 1] == '\n';
            return;
        }

        throw Error("missing end of raw directive: '{% raw %}' has no '{% endraw %}'", rawOpen);
    }

    private void LexComment(int open, int bodyStart)
    {
        for (var i = bodyStart; i < _source.Length; i++)
        {
            if (_source[i] == '+' && At(i + 1, "#}"))
            {
                Finish(i + 3);
                return;
            }

            if (_source[i] == '-' && At(i + 1, "#}"))
            {
                Finish(SkipWhitespace(i + 3));
                return;
            }

            if (At(i, "#}"))
            {
                Finish(i + 2 < _source.Length && _source[i + 2] == '\n' ? i + 3 : i + 2);
                return;
            }
        }

        throw Error("missing end of comment tag: '{#' has no '#}'", open);

        void Finish(int end)
        {
            _pos = end;
            _lineStarting = _source[end - 1] == '\n';
        }
    }

    private void LexTag(int open, bool isBlock, int p)
    {
        var (line, column) = Position(open);
        _tokens.Add(new JinjaToken(isBlock ? JinjaTokenKind.BlockBegin : JinjaTokenKind.VariableBegin, isBlock ? "{%" : "{{", line, column));
        var brackets = new Stack<(char Close, int Pos)>();
        while (true)
        {
            if (p >= _source.Length)
            {
                throw Error($"unexpected end of template: the tag opened here is not closed with '{(isBlock ? "%}" : "}}")}'", open);
            }

            if (brackets.Count == 0)
            {
                var end = isBlock ? MatchBlockEnd(p) : MatchVariableEnd(p);
                if (end >= 0)
                {
                    var (endLine, endColumn) = Position(p);
                    _tokens.Add(new JinjaToken(isBlock ? JinjaTokenKind.BlockEnd : JinjaTokenKind.VariableEnd, isBlock ? "%}" : "}}", endLine, endColumn));
                    _pos = end;
                    _lineStarting = _source[end - 1] == '\n';
                    return;
                }
            }

            var c = _source[p];
            if (PyText.IsWhiteSpace(c))
            {
                p++;
                continue;
            }

            var (tokenLine, tokenColumn) = Position(p);
            if (TryLexNumber(p, out var numberEnd, out var number))
            {
                _tokens.Add(new JinjaToken(number is long ? JinjaTokenKind.Integer : JinjaTokenKind.Float, _source[p..numberEnd], tokenLine, tokenColumn, number));
                p = numberEnd;
            }
            else if (c == '_' || char.IsLetter(c))
            {
                var start = p;
                while (p < _source.Length && (_source[p] == '_' || char.IsLetterOrDigit(_source[p])))
                {
                    p++;
                }

                _tokens.Add(new JinjaToken(JinjaTokenKind.Name, _source[start..p], tokenLine, tokenColumn));
            }
            else if (c is '"' or '\'')
            {
                p = LexString(p, tokenLine, tokenColumn);
            }
            else
            {
                var op = TwoCharOperators.FirstOrDefault(o => At(p, o)) ?? (OneCharOperators.Contains(c, StringComparison.Ordinal) ? c.ToString() : null);
                if (op is null)
                {
                    throw Error($"unexpected character '{c}'", p);
                }

                switch (op)
                {
                    case "(":
                        brackets.Push((')', p));
                        break;
                    case "[":
                        brackets.Push((']', p));
                        break;
                    case "{":
                        brackets.Push(('}', p));
                        break;
                    case ")" or "]" or "}":
                        if (brackets.Count == 0)
                        {
                            throw Error($"unexpected '{op}'", p);
                        }

                        var (expected, _) = brackets.Pop();
                        if (expected != op[0])
                        {
                            throw Error($"unexpected '{op}', expected '{expected}'", p);
                        }

                        break;
                }

                _tokens.Add(new JinjaToken(JinjaTokenKind.Operator, op, tokenLine, tokenColumn));
                p += op.Length;
            }
        }
    }

    /// <summary>Matches <c>+%}</c>, <c>-%}\s*</c> or <c>%}\n?</c> (trim_blocks); returns the index after it, or -1.</summary>
    private int MatchBlockEnd(int p)
    {
        if (At(p, "+%}"))
        {
            return p + 3;
        }

        if (At(p, "-%}"))
        {
            return SkipWhitespace(p + 3);
        }

        if (At(p, "%}"))
        {
            return p + 2 < _source.Length && _source[p + 2] == '\n' ? p + 3 : p + 2;
        }

        return -1;
    }

    /// <summary>Matches <c>-}}\s*</c> or <c>}}</c>; returns the index after it, or -1.</summary>
    private int MatchVariableEnd(int p)
    {
        if (At(p, "-}}"))
        {
            return SkipWhitespace(p + 3);
        }

        return At(p, "}}") ? p + 2 : -1;
    }

    private bool TryLexNumber(int p, out int end, out object? value)
    {
        end = p;
        value = null;
        if (!char.IsAsciiDigit(_source[p]))
        {
            return false;
        }

        // After a dot (`foo.0.1`) only an integer is read, as Jinja2's float pattern has a (?<!\.) look-behind.
        var afterDot = p > 0 && _source[p - 1] == '.';
        var q = SkipDigits(p);
        var isFloat = false;
        if (!afterDot)
        {
            var r = q;
            if (r + 1 < _source.Length && _source[r] == '.' && char.IsAsciiDigit(_source[r + 1]))
            {
                r = SkipDigits(r + 1);
                isFloat = true;
            }

            if (r < _source.Length && _source[r] is 'e' or 'E')
            {
                var s = r + 1;
                if (s < _source.Length && _source[s] is '+' or '-')
                {
                    s++;
                }

                if (s < _source.Length && char.IsAsciiDigit(_source[s]))
                {
                    r = SkipDigits(s);
                    isFloat = true;
                }
            }

            if (isFloat)
            {
                end = r;
                value = double.Parse(_source[p..r].Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
                return true;
            }
        }

        if (_source[p] == '0' && p + 1 < _source.Length && _source[p + 1] is 'x' or 'X' or 'o' or 'O' or 'b' or 'B')
        {
            return TryLexPrefixedInteger(p, out end, out value);
        }

        // Jinja2 reads "0(_?0)*" or "[1-9](_?\d)*": a leading zero ends the literal.
        var text = _source[p..q].Replace("_", string.Empty, StringComparison.Ordinal);
        if (text[0] == '0')
        {
            q = p + 1;
            while (q + 1 < _source.Length && (_source[q] == '0' || (_source[q] == '_' && _source[q + 1] == '0')))
            {
                q += _source[q] == '_' ? 2 : 1;
            }

            end = q;
            value = 0L;
            return true;
        }

        end = q;
        value = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw Error($"integer literal '{text}' is too large", p);
        return true;
    }

    private bool TryLexPrefixedInteger(int p, out int end, out object? value)
    {
        var radix = char.ToLowerInvariant(_source[p + 1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
        var q = p + 2;
        var digits = new StringBuilder();
        while (q < _source.Length)
        {
            var c = _source[q];
            if (c == '_' && q + 1 < _source.Length && IsRadixDigit(_source[q + 1], radix))
            {
                q++;
                continue;
            }

            if (!IsRadixDigit(c, radix))
            {
                break;
            }

            digits.Append(c);
            q++;
        }

        if (digits.Length == 0)
        {
            // "0x" with no digits: Jinja2 reads the "0" alone.
            end = p + 1;
            value = 0L;
            return true;
        }

        try
        {
            value = Convert.ToInt64(digits.ToString(), radix);
        }
        catch (OverflowException)
        {
            throw Error($"integer literal '{_source[p..q]}' is too large", p);
        }

        end = q;
        return true;

        static bool IsRadixDigit(char c, int radix) => radix switch
        {
            16 => char.IsAsciiHexDigit(c),
            8 => c is >= '0' and <= '7',
            _ => c is '0' or '1',
        };
    }

    /// <summary>Skips digits with single underscores between them, as Jinja2's <c>(\d+_)*\d+</c>.</summary>
    private int SkipDigits(int p)
    {
        while (p < _source.Length)
        {
            if (char.IsAsciiDigit(_source[p]))
            {
                p++;
            }
            else if (_source[p] == '_' && p + 1 < _source.Length && char.IsAsciiDigit(_source[p + 1]) && p > 0 && char.IsAsciiDigit(_source[p - 1]))
            {
                p++;
            }
            else
            {
                break;
            }
        }

        return p;
    }

    /// <summary>Reads a quoted string literal, decoding escapes as Python's <c>unicode-escape</c> codec does.</summary>
    private int LexString(int start, int line, int column)
    {
        var quote = _source[start];
        var value = new StringBuilder();
        var p = start + 1;
        while (true)
        {
            if (p >= _source.Length)
            {
                throw Error("unterminated string literal", start);
            }

            var c = _source[p];
            if (c == quote)
            {
                _tokens.Add(new JinjaToken(JinjaTokenKind.String, value.ToString(), line, column));
                return p + 1;
            }

            if (c != '\\')
            {
                value.Append(c);
                p++;
                continue;
            }

            if (p + 1 >= _source.Length)
            {
                throw Error("unterminated string literal", start);
            }

            var e = _source[p + 1];
            p += 2;
            switch (e)
            {
                case '\n':
                    break;
                case '\\' or '\'' or '"':
                    value.Append(e);
                    break;
                case 'a':
                    value.Append('\a');
                    break;
                case 'b':
                    value.Append('\b');
                    break;
                case 'f':
                    value.Append('\f');
                    break;
                case 'n':
                    value.Append('\n');
                    break;
                case 'r':
                    value.Append('\r');
                    break;
                case 't':
                    value.Append('\t');
                    break;
                case 'v':
                    value.Append('\v');
                    break;
                case >= '0' and <= '7':
                    var octal = e - '0';
                    for (var n = 0; n < 2 && p < _source.Length && _source[p] is >= '0' and <= '7'; n++, p++)
                    {
                        octal = (octal * 8) + (_source[p] - '0');
                    }

                    value.Append((char)octal);
                    break;
                case 'x' or 'u' or 'U':
                    var width = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (p + width > _source.Length || !long.TryParse(_source.AsSpan(p, width), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw Error($"truncated \\{e} escape in string literal", p - 2);
                    }

                    if (code > 0x10FFFF)
                    {
                        throw Error($"illegal Unicode character \\{e}{_source.Substring(p, width)} in string literal", p - 2);
                    }

                    value.Append(code < 0x10000 ? ((char)code).ToString() : char.ConvertFromUtf32((int)code));
                    p += width;
                    break;
                case 'N':
                    throw Error("\\N{...} escapes in string literals are not supported", p - 2);
                default:
                    // Python keeps unknown escapes as they are.
                    value.Append('\\').Append(e);
                    break;
            }
        }
    }

    private int SkipWhitespace(int p)
    {
        while (p < _source.Length && PyText.IsWhiteSpace(_source[p]))
        {
            p++;
        }

        return p;
    }

    private bool At(int p, string text) => p + text.Length <= _source.Length && string.CompareOrdinal(_source, p, text, 0, text.Length) == 0;

    private void AddText(string text, int start)
    {
        if (text.Length > 0)
        {
            var (line, column) = Position(start);
            _tokens.Add(new JinjaToken(JinjaTokenKind.Text, text, line, column));
        }
    }

    private (int Line, int Column) Position(int offset)
    {
        var index = _lineStarts.BinarySearch(offset);
        var line = index >= 0 ? index : ~index - 1;
        return (line + 1, offset - _lineStarts[line] + 1);
    }

    private TemplateException Error(string message, int offset)
    {
        var (line, column) = Position(offset);
        return new TemplateException($"syntax error: {message}", line, column);
    }
}
