using System.Globalization;

namespace Qwen.Core;

/// <summary>
/// Compiles the regular-expression subset JSON schemas use in <c>pattern</c> into the body of a JSON string: literals,
/// classes (<c>[a-z]</c>, <c>\d \w \s</c> and their negations), <c>.</c>, groups, alternation, quantifiers and <c>^ $</c>
/// at the ends. Characters are matched as JSON writes them (a quote as <c>\"</c>). Lookaround, backreferences, word
/// boundaries and Unicode properties are refused with <see cref="NotSupportedException"/>; a class range beyond ASCII is
/// widened to any non-ASCII character (reported through <see cref="Approximations"/>).
/// </summary>
internal sealed class PatternCompiler
{
    private const int MaxRepeat = 256;
    private readonly string _pattern;
    private readonly JsonFragments _json;
    private int _at;

    private PatternCompiler(string pattern, JsonFragments json)
    {
        _pattern = pattern;
        _json = json;
    }

    private abstract record Node;

    private sealed record Alternation(List<Node> Options) : Node;

    private sealed record Concatenation(List<Node> Items) : Node;

    private sealed record Repetition(Node Item, int Min, int? Max) : Node;

    private sealed record CharClass(List<(int Lo, int Hi)> Ranges, bool Negated) : Node;

    private sealed record AnyCharacter : Node;

    private sealed record Anchor(bool AtStart) : Node;

    /// <summary>Gets what was widened (non-ASCII class ranges), for the grammar's warnings.</summary>
    public List<string> Approximations { get; } = [];

    /// <summary>The string body matching <paramref name="pattern"/> (unanchored ends match anything, as JSON Schema's search semantics say).</summary>
    /// <exception cref="NotSupportedException">The pattern uses a construct outside the subset; the message names it.</exception>
    public static Fragment Compile(string pattern, JsonFragments json, out List<string> approximations)
    {
        var compiler = new PatternCompiler(pattern, json);
        var tree = compiler.ParseAlternation();
        if (compiler._at < pattern.Length)
        {
            throw new NotSupportedException($"unbalanced ')' at offset {compiler._at}");
        }

        var options = tree is Alternation alternation ? alternation.Options : [tree];
        var b = json.Builder;
        var fragments = new List<Fragment>();
        foreach (var option in options)
        {
            var items = option is Concatenation c ? new List<Node>(c.Items) : [option];
            var anchoredStart = items.Count > 0 && items[0] is Anchor { AtStart: true };
            if (anchoredStart)
            {
                items.RemoveAt(0);
            }

            var anchoredEnd = items.Count > 0 && items[^1] is Anchor { AtStart: false };
            if (anchoredEnd)
            {
                items.RemoveAt(items.Count - 1);
            }

            var parts = new List<Fragment>();
            if (!anchoredStart)
            {
                parts.Add(b.Star(json.StringChar()));
            }

            parts.Add(compiler.Build(new Concatenation(items)));
            if (!anchoredEnd)
            {
                parts.Add(b.Star(json.StringChar()));
            }

            fragments.Add(b.Sequence(parts));
        }

        approximations = compiler.Approximations;
        return fragments.Count == 1 ? fragments[0] : b.Choice(fragments);
    }

    private Fragment Build(Node node)
    {
        var b = _json.Builder;
        switch (node)
        {
            case Alternation a:
                return b.Choice(a.Options.Select(Build).ToList());
            case Concatenation c:
                return b.Sequence(c.Items.Select(Build).ToList());
            case Repetition r:
                return b.Repeat(() => Build(r.Item), r.Min, r.Max);
            case AnyCharacter:
                return _json.StringChar();
            case CharClass set:
                return BuildClass(set);
            case Anchor:
                throw new NotSupportedException("an anchor (^ or $) inside the pattern");
            default:
                throw new InvalidOperationException(node.GetType().Name);
        }
    }

    private Fragment BuildClass(CharClass set)
    {
        var b = _json.Builder;
        if (!set.Negated && set.Ranges.Count == 1 && set.Ranges[0].Lo == set.Ranges[0].Hi)
        {
            return b.Bytes(JsonFragments.JsonCharBytes(set.Ranges[0].Lo));
        }

        var start = b.NewNode();
        var end = b.NewNode();
        for (var c = 0; c < 128; c++)
        {
            var inSet = set.Ranges.Any(r => r.Lo <= c && c <= r.Hi);
            if (inSet == set.Negated)
            {
                continue;
            }

            var bytes = JsonFragments.JsonCharBytes(c);
            if (bytes.Length == 1)
            {
                b.AddBytes(start, bytes[0], bytes[0], end);
            }
            else
            {
                var literal = b.Bytes(bytes);
                b.AddEmpty(start, literal.Start);
                b.AddEmpty(literal.End, end);
            }
        }

        var wide = set.Ranges.Where(r => r.Hi >= 128).ToList();
        if (set.Negated)
        {
            if (wide.Count > 0)
            {
                Approximations.Add($"non-ASCII characters excluded by a negated class in pattern '{_pattern}' are allowed");
            }

            _json.AddUtf8MultiByte(start, end);
        }
        else if (wide.Count > 0)
        {
            if (wide.All(r => r.Lo == r.Hi))
            {
                foreach (var (lo, _) in wide)
                {
                    var literal = b.Bytes(JsonFragments.JsonCharBytes(lo));
                    b.AddEmpty(start, literal.Start);
                    b.AddEmpty(literal.End, end);
                }
            }
            else
            {
                Approximations.Add($"a non-ASCII class range in pattern '{_pattern}' is widened to any non-ASCII character");
                _json.AddUtf8MultiByte(start, end);
            }
        }

        return new Fragment(start, end);
    }

    private Node ParseAlternation()
    {
        var options = new List<Node> { ParseConcatenation() };
        while (_at < _pattern.Length && _pattern[_at] == '|')
        {
            _at++;
            options.Add(ParseConcatenation());
        }

        return options.Count == 1 ? options[0] : new Alternation(options);
    }

    private Concatenation ParseConcatenation()
    {
        var items = new List<Node>();
        while (_at < _pattern.Length && _pattern[_at] is not ('|' or ')'))
        {
            var atom = ParseAtom();
            items.Add(atom is Anchor ? atom : ParseQuantifier(atom));
        }

        return new Concatenation(items);
    }

    private Node ParseAtom()
    {
        var c = _pattern[_at++];
        switch (c)
        {
            case '^':
                return new Anchor(AtStart: true);
            case '$':
                return new Anchor(AtStart: false);
            case '.':
                return new AnyCharacter();
            case '[':
                return ParseClass();
            case '(':
                if (_at < _pattern.Length && _pattern[_at] == '?')
                {
                    _at++;
                    if (_at < _pattern.Length && _pattern[_at] == ':')
                    {
                        _at++;
                    }
                    else if (_at + 1 < _pattern.Length && _pattern[_at] == '<' && _pattern[_at + 1] is not ('=' or '!'))
                    {
                        var close = _pattern.IndexOf('>', _at);
                        _at = close < 0 ? throw new NotSupportedException("an unterminated group name") : close + 1;
                    }
                    else
                    {
                        throw new NotSupportedException("lookaround or inline flags '(?" + _pattern[_at..Math.Min(_at + 2, _pattern.Length)] + "'");
                    }
                }

                var inner = ParseAlternation();
                if (_at >= _pattern.Length || _pattern[_at] != ')')
                {
                    throw new NotSupportedException("an unterminated group");
                }

                _at++;
                return inner;
            case '\\':
                return ParseEscape(inClass: false);
            case '*' or '+' or '?' or '{':
                throw new NotSupportedException($"a quantifier '{c}' with nothing to repeat at offset {_at - 1}");
            default:
                return Single(char.IsHighSurrogate(c) && _at < _pattern.Length ? char.ConvertToUtf32(c, _pattern[_at++]) : c);
        }
    }

    private Node ParseQuantifier(Node atom)
    {
        if (_at >= _pattern.Length)
        {
            return atom;
        }

        int min;
        int? max;
        switch (_pattern[_at])
        {
            case '*':
                (min, max) = (0, null);
                _at++;
                break;
            case '+':
                (min, max) = (1, null);
                _at++;
                break;
            case '?':
                (min, max) = (0, 1);
                _at++;
                break;
            case '{' when TryParseBraces(out min, out max):
                break;
            default:
                return atom;
        }

        if (_at < _pattern.Length && _pattern[_at] is '?' or '+')
        {
            _at++; // lazy or possessive: the same language
        }

        if (min > MaxRepeat || max > MaxRepeat)
        {
            throw new NotSupportedException($"a repetition count above {MaxRepeat}");
        }

        return new Repetition(atom, min, max);
    }

    private bool TryParseBraces(out int min, out int? max)
    {
        min = 0;
        max = null;
        var close = _pattern.IndexOf('}', _at);
        if (close < 0)
        {
            return false;
        }

        var body = _pattern[(_at + 1)..close];
        var comma = body.IndexOf(',', StringComparison.Ordinal);
        var low = comma < 0 ? body : body[..comma];
        if (!int.TryParse(low, NumberStyles.None, CultureInfo.InvariantCulture, out min))
        {
            return false;
        }

        if (comma < 0)
        {
            max = min;
        }
        else if (body[(comma + 1)..] is { Length: > 0 } high)
        {
            if (!int.TryParse(high, NumberStyles.None, CultureInfo.InvariantCulture, out var h) || h < min)
            {
                return false;
            }

            max = h;
        }

        _at = close + 1;
        return true;
    }

    private CharClass ParseClass()
    {
        var negated = _at < _pattern.Length && _pattern[_at] == '^';
        if (negated)
        {
            _at++;
        }

        var ranges = new List<(int, int)>();
        var first = true;
        while (true)
        {
            if (_at >= _pattern.Length)
            {
                throw new NotSupportedException("an unterminated character class");
            }

            var c = _pattern[_at];
            if (c == ']' && !first)
            {
                _at++;
                return new CharClass(ranges, negated);
            }

            first = false;
            _at++;
            int lo;
            if (c == '\\')
            {
                var escaped = ParseEscape(inClass: true);
                if (escaped.Negated || escaped.Ranges.Count != 1 || escaped.Ranges[0].Lo != escaped.Ranges[0].Hi)
                {
                    if (escaped.Negated)
                    {
                        throw new NotSupportedException("a negated shorthand (\\D, \\W, \\S) inside a class");
                    }

                    ranges.AddRange(escaped.Ranges);
                    continue;
                }

                lo = escaped.Ranges[0].Lo;
            }
            else
            {
                lo = c;
            }

            if (_at + 1 < _pattern.Length && _pattern[_at] == '-' && _pattern[_at + 1] != ']')
            {
                _at++;
                var hiChar = _pattern[_at++];
                var hi = hiChar == '\\' ? SingleOf(ParseEscape(inClass: true)) : hiChar;
                if (hi < lo)
                {
                    throw new NotSupportedException($"a reversed class range at offset {_at}");
                }

                ranges.Add((lo, hi));
            }
            else
            {
                ranges.Add((lo, lo));
            }
        }
    }

    private static int SingleOf(CharClass set) =>
        !set.Negated && set.Ranges.Count == 1 && set.Ranges[0].Lo == set.Ranges[0].Hi
            ? set.Ranges[0].Lo
            : throw new NotSupportedException("a shorthand class as a range bound");

    private CharClass ParseEscape(bool inClass)
    {
        if (_at >= _pattern.Length)
        {
            throw new NotSupportedException("a trailing backslash");
        }

        var c = _pattern[_at++];
        List<(int, int)> digits = [('0', '9')];
        List<(int, int)> word = [('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
        List<(int, int)> space = [(' ', ' '), ('\t', '\r'), (0xA0, 0xA0)];
        return c switch
        {
            'd' => new CharClass(digits, false),
            'D' => new CharClass(digits, true),
            'w' => new CharClass(word, false),
            'W' => new CharClass(word, true),
            's' => new CharClass(space, false),
            'S' => new CharClass(space, true),
            'n' => Single('\n'),
            't' => Single('\t'),
            'r' => Single('\r'),
            'f' => Single('\f'),
            'v' => Single('\v'),
            '0' => Single('\0'),
            'b' when inClass => Single('\b'),
            'u' => Single(ReadHex(4)),
            'x' => Single(ReadHex(2)),
            'b' or 'B' => throw new NotSupportedException("a word boundary (\\b, \\B)"),
            'p' or 'P' => throw new NotSupportedException("a Unicode property class (\\p{...})"),
            >= '1' and <= '9' => throw new NotSupportedException("a backreference"),
            _ when char.IsAsciiLetterOrDigit(c) => throw new NotSupportedException($"the escape '\\{c}'"),
            _ => Single(c),
        };
    }

    private int ReadHex(int length)
    {
        if (_at + length > _pattern.Length || !int.TryParse(_pattern.AsSpan(_at, length), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
        {
            throw new NotSupportedException($"a malformed hex escape at offset {_at}");
        }

        _at += length;
        return value;
    }

    private static CharClass Single(int c) => c is >= 0xD800 and <= 0xDFFF
        ? throw new NotSupportedException("a surrogate code unit escape")
        : new([(c, c)], false);
}
