using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Qwen.Tools;

/// <summary>
/// Inserts the end-of-line missing before <c>endstream</c> in files whose writer counted it in its cross-reference offsets but
/// did not write it, as pdf-lib's with_missing_endstream_eol_and_polluted_ctm (written by Qt) has it.
/// </summary>
/// <remarks>
/// PdfPig 0.1.16 checks a stream's length by looking for <c>endstream</c> at its end; when it is not there it scans for the end
/// instead. With the cross-reference offsets off by the missing bytes PdfPig reads the whole file object by object, where a stream
/// whose <c>/Length</c> is an indirect object is always scanned: when its data ends in "end" (every ToUnicode CMap does) the scan
/// misses the <c>endstream</c> that follows and fails with an <see cref="IndexOutOfRangeException"/> at the next <c>endobj</c>, and
/// the page's text is lost. The missing end-of-lines are inserted only when that makes every in-use entry of the last
/// cross-reference table point at its object ("12 0 obj"), as it did not before: the writer counted them, and the file is then as
/// it was meant to be. A file with a cross-reference stream, or whose table counts the bytes as they are, is left as it is.
/// </remarks>
internal static partial class PdfEndstreamRepair
{
    /// <summary>End-of-lines inserted per file at most.</summary>
    private const int MaxStreams = 10_000;

    /// <summary>Entries of the cross-reference table checked at most.</summary>
    private const int MaxEntriesChecked = 100_000;

    /// <summary>
    /// The file with the end-of-lines inserted before each <c>endstream</c> that lacks one; <see langword="null"/> when none lacks
    /// one, or when the cross-reference table does not count them (inserting them would then move the objects away from it).
    /// </summary>
    public static byte[]? Repaired(ReadOnlySpan<byte> content)
    {
        var missing = EndstreamsWithoutEndOfLine(content);
        if (missing.Count == 0)
        {
            return null;
        }

        var inserted = new byte[content.Length + missing.Count];
        var from = 0;
        var to = 0;
        foreach (var at in missing)
        {
            content[from..at].CopyTo(inserted.AsSpan(to));
            to += at - from;
            inserted[to++] = (byte)'\n';
            from = at;
        }

        content[from..].CopyTo(inserted.AsSpan(to));
        return CrossReferencesMatch(inserted) && !CrossReferencesMatch(content) ? inserted : null;
    }

    /// <summary>Where an <c>endstream</c> follows its data without an end-of-line (the cheap test every file gets), up to <see cref="MaxStreams"/>.</summary>
    private static List<int> EndstreamsWithoutEndOfLine(ReadOnlySpan<byte> content)
    {
        var found = new List<int>();
        var offset = 0;
        while (found.Count < MaxStreams && content[offset..].IndexOf("endstream"u8) is var next and >= 0)
        {
            var at = offset + next;
            if (at > 0 && content[at - 1] is not (byte)'\n' and not (byte)'\r')
            {
                found.Add(at);
            }

            offset = at + 9;
        }

        return found;
    }

    /// <summary>
    /// Whether the file's last cross-reference section is a table (not a stream) whose in-use entries each point at their object
    /// ("12 0 obj"), and <c>startxref</c> at the table.
    /// </summary>
    private static bool CrossReferencesMatch(ReadOnlySpan<byte> content)
    {
        var text = Encoding.Latin1.GetString(content[Math.Max(0, content.Length - 1024)..]);
        var start = StartXref().Matches(text).LastOrDefault();
        if (start is null || !int.TryParse(start.Groups["offset"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var table)
            || table >= content.Length || !content[table..].StartsWith("xref"u8))
        {
            return false;
        }

        var position = table + 4;
        var checkedEntries = 0;
        while (checkedEntries < MaxEntriesChecked && Subsection(content, ref position) is var (first, count))
        {
            for (var i = 0; i < count && checkedEntries < MaxEntriesChecked; i++, checkedEntries++)
            {
                if (Entry(content, ref position) is not var (offset, generation, inUse))
                {
                    return false;
                }

                var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{first + i} {generation} obj"));
                if (inUse && (offset >= content.Length || !content[offset..].TrimStart(" \t\r\n\f\0"u8).StartsWith(header)))
                {
                    return false;
                }
            }
        }

        return checkedEntries > 0;
    }

    /// <summary>The next subsection header of a cross-reference table ("0 40"); <see langword="null"/> at the trailer.</summary>
    private static (int First, int Count)? Subsection(ReadOnlySpan<byte> content, ref int position) =>
        Numbers(content, ref position, 2) is [var first, var count] && first <= int.MaxValue && count <= MaxEntriesChecked ? ((int)first, (int)count) : null;

    /// <summary>The next entry of a cross-reference table ("0000000015 00000 n").</summary>
    private static (int Offset, long Generation, bool InUse)? Entry(ReadOnlySpan<byte> content, ref int position)
    {
        if (Numbers(content, ref position, 2) is not [var offset, var generation] || offset > int.MaxValue)
        {
            return null;
        }

        var rest = content[position..].TrimStart(" \t\r\n"u8);
        position = content.Length - rest.Length + 1;
        return rest.Length > 0 && rest[0] is (byte)'n' or (byte)'f' ? ((int)offset, generation, rest[0] == (byte)'n') : null;
    }

    /// <summary><paramref name="count"/> unsigned numbers separated by white space, read from <paramref name="position"/> on.</summary>
    private static long[]? Numbers(ReadOnlySpan<byte> content, ref int position, int count)
    {
        var numbers = new long[count];
        for (var i = 0; i < count; i++)
        {
            var rest = content[position..].TrimStart(" \t\r\n"u8);
            var digits = 0;
            while (digits < rest.Length && digits < 12 && char.IsAsciiDigit((char)rest[digits]))
            {
                numbers[i] = (numbers[i] * 10) + (rest[digits++] - '0');
            }

            if (digits == 0)
            {
                return null;
            }

            position = content.Length - rest.Length + digits;
        }

        return numbers;
    }

    [GeneratedRegex(@"startxref\s+(?<offset>\d+)")]
    private static partial Regex StartXref();
}
