namespace Qwen.Tools;

/// <summary>
/// Zeroes the field widths of a cross-reference stream (its <c>/W</c> array) that no file can mean: negative ones, ones over
/// <see cref="MaxWidth"/> bytes, and numbers too long to read. Such a width is a damaged or hostile file, and PdfPig 0.1.16 is
/// not safe against it: it converts the width to an int unchecked, so <c>/W [1 2 166666666666666666666666666]</c> (pdf.js's
/// REDHAT-1531897-0, 871 bytes) gives a negative line length, which it passes to <c>stackalloc</c>. That is a stack overflow,
/// which .NET cannot catch: the process ends, past every catch and the parse time limit.
/// </summary>
/// <remarks>
/// The number is overwritten in place by a 0 and spaces, so every offset in the file stays true; the stream then reads as
/// entries of the widths left, which PdfPig checks like any other, and a file whose cross-references are no use is read again
/// leniently or refused with a <see cref="DocumentParseException"/>. Only dictionaries that say <c>/Type /XRef</c> are
/// touched: a CIDFont's <c>/W</c> array of glyph widths, with numbers in the hundreds, is a different thing.
/// </remarks>
internal static class PdfXrefWidthRepair
{
    /// <summary>The widest field a cross-reference stream may declare, in bytes (real files use at most 8: a 64-bit offset).</summary>
    private const int MaxWidth = 32;

    // How far before "/XRef" its object's "obj" and after it its "stream" keyword are looked for.
    private const int DictionaryReach = 4096;

    /// <summary>The file with every impossible width of a cross-reference stream set to 0; <see langword="null"/> when it has none.</summary>
    public static byte[]? Repaired(ReadOnlySpan<byte> content)
    {
        byte[]? repaired = null;
        var offset = 0;
        while (content[offset..].IndexOf("/XRef"u8) is var found and >= 0)
        {
            var at = offset + found;
            offset = at + 5;
            var before = content[Math.Max(0, at - DictionaryReach)..at];
            var start = before.LastIndexOf("obj"u8);
            var end = content[at..Math.Min(content.Length, at + DictionaryReach)].IndexOf("stream"u8);
            if (start < 0 || end < 0)
            {
                continue;
            }

            var dictionaryStart = at - before.Length + start;
            foreach (var (tokenStart, tokenLength) in BadWidths(content[dictionaryStart..(at + end)]))
            {
                repaired ??= content.ToArray();
                var span = repaired.AsSpan(dictionaryStart + tokenStart, tokenLength);
                span.Fill((byte)' ');
                span[0] = (byte)'0';
            }
        }

        return repaired;
    }

    /// <summary>Where the impossible numbers of the dictionary's <c>/W</c> array lie (start and length in the dictionary's bytes).</summary>
    private static List<(int Start, int Length)> BadWidths(ReadOnlySpan<byte> dictionary)
    {
        var bad = new List<(int, int)>();
        var offset = 0;
        while (dictionary[offset..].IndexOf("/W"u8) is var found and >= 0)
        {
            var at = offset + found + 2;
            offset = at;
            // "/W" itself, not "/Width": whitespace or the array's bracket follows.
            if (at >= dictionary.Length || !(IsWhitespace(dictionary[at]) || dictionary[at] == (byte)'['))
            {
                continue;
            }

            var i = at;
            while (i < dictionary.Length && IsWhitespace(dictionary[i]))
            {
                i++;
            }

            if (i >= dictionary.Length || dictionary[i] != (byte)'[')
            {
                continue;
            }

            for (i++; i < dictionary.Length && dictionary[i] != (byte)']';)
            {
                if (IsWhitespace(dictionary[i]))
                {
                    i++;
                    continue;
                }

                var tokenStart = i;
                while (i < dictionary.Length && dictionary[i] != (byte)']' && !IsWhitespace(dictionary[i]))
                {
                    i++;
                }

                if (!IsWidth(dictionary[tokenStart..i]))
                {
                    bad.Add((tokenStart, i - tokenStart));
                }
            }
        }

        return bad;
    }

    /// <summary>Whether a token is a width PdfPig can take: a number from 0 to <see cref="MaxWidth"/>; what is not a number at all
    /// is left to the library's own checks.</summary>
    private static bool IsWidth(ReadOnlySpan<byte> token)
    {
        var i = token.Length > 0 && token[0] == (byte)'+' ? 1 : 0;
        if (token.Length == i || token[0] == (byte)'-')
        {
            return false;
        }

        var value = 0;
        for (; i < token.Length; i++)
        {
            var b = token[i];
            if (b is < (byte)'0' or > (byte)'9')
            {
                // A fraction (its whole part was in range) or no number at all.
                return true;
            }

            value = (value * 10) + (b - '0');
            if (value > MaxWidth)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\f' or 0;
}
