namespace Qwen.Core;

/// <summary>Classifies code points as the split pattern sees them: letter (<c>\p{L}</c>), number (<c>\p{N}</c>), white space (<c>\s</c>) or other.</summary>
internal static class CharClass
{
    /// <summary>None of the classes below.</summary>
    public const byte Other = 0;

    /// <summary>General category L.</summary>
    public const byte Letter = 1;

    /// <summary>General category N.</summary>
    public const byte Number = 2;

    /// <summary>The Unicode White_Space property (what Oniguruma's <c>\s</c> means).</summary>
    public const byte WhiteSpace = 4;

    private static readonly byte[] Bmp = BuildBmp();
    private static readonly int[] AstralLetters = AstralRanges(UnicodeRanges.Letters);
    private static readonly int[] AstralNumbers = AstralRanges(UnicodeRanges.Numbers);

    /// <summary>Gets the class of a code point.</summary>
    public static byte Of(int codePoint) => codePoint < 0x10000 ? Bmp[codePoint] : OfAstral(codePoint);

    /// <summary>Gets the class of a UTF-16 code unit outside the surrogate range, or of a lone surrogate (other).</summary>
    public static byte Of(char c) => Bmp[c];

    /// <summary>Reads the code point at <paramref name="index"/>; a lone surrogate reads as itself, one unit wide, as JavaScript's <c>u</c> flag treats it.</summary>
    public static int CodePointAt(ReadOnlySpan<char> text, int index, out int width)
    {
        var c = text[index];
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(c, text[index + 1]);
        }

        width = 1;
        return c;
    }

    private static byte OfAstral(int codePoint)
    {
        if (InRanges(AstralLetters, codePoint))
        {
            return Letter;
        }

        return InRanges(AstralNumbers, codePoint) ? Number : Other;
    }

    private static bool InRanges(int[] ranges, int codePoint)
    {
        // Pairs of inclusive bounds, sorted: find the last range starting at or before the code point.
        int lo = 0, hi = (ranges.Length / 2) - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ranges[2 * mid] <= codePoint)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return hi >= 0 && codePoint <= ranges[(2 * hi) + 1];
    }

    private static byte[] BuildBmp()
    {
        var table = new byte[0x10000];
        Fill(table, UnicodeRanges.Letters, Letter);
        Fill(table, UnicodeRanges.Numbers, Number);
        for (var c = 0; c < table.Length; c++)
        {
            // char.IsWhiteSpace is exactly the White_Space property, which has no code point above the BMP.
            if (char.IsWhiteSpace((char)c))
            {
                table[c] = WhiteSpace;
            }
        }

        return table;
    }

    private static void Fill(byte[] table, ReadOnlySpan<int> ranges, byte value)
    {
        for (var i = 0; i < ranges.Length; i += 2)
        {
            var last = Math.Min(ranges[i + 1], 0xFFFF);
            for (var cp = ranges[i]; cp <= last; cp++)
            {
                table[cp] = value;
            }
        }
    }

    private static int[] AstralRanges(ReadOnlySpan<int> ranges)
    {
        var list = new List<int>();
        for (var i = 0; i < ranges.Length; i += 2)
        {
            if (ranges[i + 1] >= 0x10000)
            {
                list.Add(Math.Max(ranges[i], 0x10000));
                list.Add(ranges[i + 1]);
            }
        }

        return [.. list];
    }
}
