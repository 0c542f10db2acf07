using System.Globalization;
using System.Text;

namespace Qwen.Core;

/// <summary>Python's <c>str</c> operations, counting in code points as Python does (a character outside the BMP is one, not two).</summary>
internal static class PyText
{
    /// <summary>Python's <c>str.isspace</c> for one UTF-16 unit (also what <c>\s</c> matches in Jinja2's regular expressions).</summary>
    public static bool IsWhiteSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    public static bool IsAllWhitespace(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!IsWhiteSpace(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool HasSurrogates(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    /// <summary>Splits a string into code points; a lone surrogate is its own code point, as in Python.</summary>
    public static int[] CodePoints(string s)
    {
        var result = new List<int>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                result.Add(char.ConvertToUtf32(s[i], s[i + 1]));
                i++;
            }
            else
            {
                result.Add(s[i]);
            }
        }

        return [.. result];
    }

    public static string FromCodePoints(IEnumerable<int> codePoints)
    {
        var builder = new StringBuilder();
        foreach (var c in codePoints)
        {
            AppendCodePoint(builder, c);
        }

        return builder.ToString();
    }

    public static void AppendCodePoint(StringBuilder builder, int c)
    {
        if (c < 0x10000)
        {
            builder.Append((char)c);
        }
        else
        {
            builder.Append(char.ConvertFromUtf32(c));
        }
    }

    /// <summary>Python's <c>len(s)</c>.</summary>
    public static int Length(string s) => HasSurrogates(s) ? CodePoints(s).Length : s.Length;

    /// <summary>The characters of <paramref name="s"/>, each as a string, as iterating a Python <c>str</c> gives them.</summary>
    public static List<object?> Characters(string s)
    {
        var result = new List<object?>(s.Length);
        if (!HasSurrogates(s))
        {
            foreach (var c in s)
            {
                result.Add(c.ToString());
            }

            return result;
        }

        foreach (var c in CodePoints(s))
        {
            result.Add(FromCodePoints([c]));
        }

        return result;
    }

    /// <summary>Python's <c>s[index]</c>: the character, or <see langword="null"/> when out of range.</summary>
    public static string? CharAt(string s, long index)
    {
        if (!HasSurrogates(s))
        {
            var i = index < 0 ? index + s.Length : index;
            return i >= 0 && i < s.Length ? s[(int)i].ToString() : null;
        }

        var points = CodePoints(s);
        var j = index < 0 ? index + points.Length : index;
        return j >= 0 && j < points.Length ? FromCodePoints([points[(int)j]]) : null;
    }

    /// <summary>Python's <c>s[start:stop:step]</c>.</summary>
    public static string Slice(string s, long? start, long? stop, long? step)
    {
        if (!HasSurrogates(s) && (step ?? 1) == 1)
        {
            var (from, to) = PySlice.Bounds(s.Length, start, stop);
            return to > from ? s[from..to] : string.Empty;
        }

        var points = CodePoints(s);
        var builder = new StringBuilder();
        foreach (var i in PySlice.Indices(points.Length, start, stop, step))
        {
            AppendCodePoint(builder, points[i]);
        }

        return builder.ToString();
    }

    /// <summary>Python's <c>s.find(sub)</c> as a code-point index, or -1.</summary>
    public static long Find(string s, string sub, bool fromRight)
    {
        var index = fromRight ? s.LastIndexOf(sub, StringComparison.Ordinal) : s.IndexOf(sub, StringComparison.Ordinal);
        return index < 0 ? -1 : Length(s[..index]);
    }

    public static long Count(string s, string sub)
    {
        if (sub.Length == 0)
        {
            return Length(s) + 1;
        }

        long count = 0;
        for (var i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    public static string Strip(string s, string? chars) => RStrip(LStrip(s, chars), chars);

    public static string LStrip(string s, string? chars = null)
    {
        var i = 0;
        while (i < s.Length && (chars is null ? IsWhiteSpace(s[i]) : chars.Contains(s[i], StringComparison.Ordinal)))
        {
            i++;
        }

        return s[i..];
    }

    public static string RStrip(string s, string? chars = null)
    {
        var i = s.Length;
        while (i > 0 && (chars is null ? IsWhiteSpace(s[i - 1]) : chars.Contains(s[i - 1], StringComparison.Ordinal)))
        {
            i--;
        }

        return s[..i];
    }

    /// <summary>Python's <c>s.replace(old, new, count)</c>; <paramref name="count"/> below zero replaces all.</summary>
    public static string Replace(string s, string oldValue, string newValue, long count)
    {
        if (count < 0 && oldValue.Length > 0)
        {
            return s.Replace(oldValue, newValue, StringComparison.Ordinal);
        }

        var builder = new StringBuilder();
        if (oldValue.Length == 0)
        {
            // Python inserts the replacement between every character (and at both ends).
            var chars = Characters(s);
            long done = 0;
            foreach (var c in chars)
            {
                if (count < 0 || done < count)
                {
                    builder.Append(newValue);
                    done++;
                }

                builder.Append((string)c!);
            }

            if (count < 0 || done < count)
            {
                builder.Append(newValue);
            }

            return builder.ToString();
        }

        var start = 0;
        for (long n = 0; n < count; n++)
        {
            var index = s.IndexOf(oldValue, start, StringComparison.Ordinal);
            if (index < 0)
            {
                break;
            }

            builder.Append(s, start, index - start).Append(newValue);
            start = index + oldValue.Length;
        }

        return builder.Append(s, start, s.Length - start).ToString();
    }

    /// <summary>Python's <c>s.split(sep, maxsplit)</c>.</summary>
    public static List<object?> Split(string s, string? separator, long maxSplit)
    {
        var result = new List<object?>();
        if (separator is null)
        {
            var i = 0;
            while (true)
            {
                while (i < s.Length && IsWhiteSpace(s[i]))
                {
                    i++;
                }

                if (i >= s.Length)
                {
                    return result;
                }

                if (maxSplit >= 0 && result.Count >= maxSplit)
                {
                    result.Add(s[i..]);
                    return result;
                }

                var start = i;
                while (i < s.Length && !IsWhiteSpace(s[i]))
                {
                    i++;
                }

                result.Add(s[start..i]);
            }
        }

        if (separator.Length == 0)
        {
            throw new TemplateException("empty separator");
        }

        var from = 0;
        while (maxSplit < 0 || result.Count < maxSplit)
        {
            var index = s.IndexOf(separator, from, StringComparison.Ordinal);
            if (index < 0)
            {
                break;
            }

            result.Add(s[from..index]);
            from = index + separator.Length;
        }

        result.Add(s[from..]);
        return result;
    }

    /// <summary>Python's <c>s.rsplit(sep, maxsplit)</c>.</summary>
    public static List<object?> RSplit(string s, string? separator, long maxSplit)
    {
        var result = new List<object?>();
        if (separator is null)
        {
            var i = s.Length;
            while (true)
            {
                while (i > 0 && IsWhiteSpace(s[i - 1]))
                {
                    i--;
                }

                if (i <= 0)
                {
                    break;
                }

                if (maxSplit >= 0 && result.Count >= maxSplit)
                {
                    result.Add(s[..i]);
                    break;
                }

                var end = i;
                while (i > 0 && !IsWhiteSpace(s[i - 1]))
                {
                    i--;
                }

                result.Add(s[i..end]);
            }

            result.Reverse();
            return result;
        }

        if (separator.Length == 0)
        {
            throw new TemplateException("empty separator");
        }

        var to = s.Length;
        while (maxSplit < 0 || result.Count < maxSplit)
        {
            var index = to - separator.Length < 0 ? -1 : s.LastIndexOf(separator, to - 1, to, StringComparison.Ordinal);
            if (index < 0)
            {
                break;
            }

            result.Add(s[(index + separator.Length)..to]);
            to = index;
        }

        result.Add(s[..to]);
        result.Reverse();
        return result;
    }

    /// <summary>Python's <c>s.splitlines(keepends)</c>.</summary>
    public static List<object?> SplitLines(string s, bool keepEnds)
    {
        var result = new List<object?>();
        var start = 0;
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')
            {
                var end = i;
                i += c == '\r' && i + 1 < s.Length && s[i + 1] == '\n' ? 2 : 1;
                result.Add(keepEnds ? s[start..i] : s[start..end]);
                start = i;
            }
            else
            {
                i++;
            }
        }

        if (start < s.Length)
        {
            result.Add(s[start..]);
        }

        return result;
    }

    /// <summary>Python's <c>str.title()</c>: a cased character after an uncased one is upper-cased, the others lower-cased.</summary>
    public static string Title(string s)
    {
        var builder = new StringBuilder(s.Length);
        var previousCased = false;
        foreach (var c in s)
        {
            var cased = char.IsUpper(c) || char.IsLower(c);
            builder.Append(cased ? (previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)) : c);
            previousCased = cased;
        }

        return builder.ToString();
    }

    /// <summary>Python's <c>str.capitalize()</c>.</summary>
    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    public static string Upper(string s) => s.ToUpperInvariant();

    public static string Lower(string s) => s.ToLowerInvariant();

    /// <summary>Python's ordering of strings: by code point.</summary>
    public static int CompareOrdinal(string a, string b)
    {
        if (!HasSurrogates(a) && !HasSurrogates(b))
        {
            return Math.Sign(string.CompareOrdinal(a, b));
        }

        var x = CodePoints(a);
        var y = CodePoints(b);
        for (var i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            if (x[i] != y[i])
            {
                return x[i] < y[i] ? -1 : 1;
            }
        }

        return x.Length.CompareTo(y.Length);
    }

    /// <summary>Python's <c>repr(s)</c> of a string.</summary>
    public static void AppendRepr(StringBuilder builder, string s)
    {
        var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        builder.Append(quote);
        foreach (var c in CodePoints(s))
        {
            if (CommonEscape(c) is { } escape)
            {
                builder.Append(escape);
            }
            else if (c == quote)
            {
                builder.Append('\\').Append(quote);
            }
            else if (c < 0x20 || c == 0x7f)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\x{c:x2}");
            }
            else if (c < 0x7f || IsPrintable(c))
            {
                AppendCodePoint(builder, c);
            }
            else if (c <= 0xff)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\x{c:x2}");
            }
            else if (c <= 0xffff)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{c:x4}");
            }
            else
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\U{c:x8}");
            }
        }

        builder.Append(quote);
    }

    /// <summary>The escape Python's <c>repr</c> and <c>json.dumps</c> both write for a backslash, newline, carriage return or tab; otherwise <see langword="null"/>.</summary>
    public static string? CommonEscape(int c) => c switch
    {
        '\\' => "\\\\",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        _ => null,
    };

    /// <summary>Python's <c>str.isprintable</c> for one code point.</summary>
    private static bool IsPrintable(int c)
    {
        if (c is >= 0xD800 and <= 0xDFFF)
        {
            return false;
        }

        var category = CharUnicodeInfo.GetUnicodeCategory(c);
        return category switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => false,
            UnicodeCategory.SpaceSeparator => c == ' ',
            _ => true,
        };
    }
}
