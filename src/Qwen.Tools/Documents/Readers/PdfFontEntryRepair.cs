using System.Text;
using System.Text.RegularExpressions;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Tokens;

namespace Qwen.Tools;

/// <summary>
/// Removes from a file the font dictionary entries PdfPig cannot load a font with but poppler and pdf.js ignore: an
/// <c>/Encoding</c> of a simple font that points at something other than an encoding (a stream, a number), and a <c>/BaseFont</c>
/// given as a string instead of a name. The fonts then fall back to their standard or built-in encoding, and take their name
/// from the font descriptor.
/// </summary>
/// <remarks>
/// PdfPig 0.1.16 cannot load such a font and, with missing fonts skipped, drops all of its text (a merge tool that renumbered
/// objects left every font of pdf.js's issue14821 pointing at a content stream: 2 % of the text was read; issue1350 names its
/// TrueType fonts with UTF-16 strings: nothing was read). An entry is overwritten with spaces of the same length, so every offset
/// in the cross-reference table stays right; an entry inside a compressed object stream cannot be reached this way and stays.
/// </remarks>
internal static partial class PdfFontEntryRepair
{
    private static readonly NameToken SubtypeName = NameToken.Create("Subtype");
    private static readonly NameToken EncodingName = NameToken.Create("Encoding");
    private static readonly NameToken BaseFontName = NameToken.Create("BaseFont");

    /// <summary>The file with the wrong entries blanked; <see langword="null"/> when it has none it can blank.</summary>
    public static byte[]? Repaired(ReadOnlyMemory<byte> content, PdfDocument pdf, IEnumerable<DictionaryToken?> pageResources)
    {
        var wrongEncodings = new HashSet<IndirectReference>();
        var stringNames = false;
        var checkedFonts = new HashSet<DictionaryToken>(ReferenceEqualityComparer.Instance);
        foreach (var resources in pageResources.Distinct(ReferenceEqualityComparer.Instance).Cast<DictionaryToken?>())
        {
            foreach (var font in PdfBuiltInEncodings.Fonts(pdf, resources))
            {
                if (!checkedFonts.Add(font))
                {
                    continue;
                }

                stringNames |= PdfNestingGuard.Resolve(pdf, font.Data.GetValueOrDefault(BaseFontName.Data)) is StringToken or HexToken;
                if (PdfNestingGuard.Resolve(pdf, font.Data.GetValueOrDefault(SubtypeName.Data)) is NameToken { Data: "Type1" or "MMType1" or "TrueType" or "Type3" }
                    && font.Data.GetValueOrDefault(EncodingName.Data) is IndirectReferenceToken reference
                    && PdfNestingGuard.Resolve(pdf, reference) is not null and not NameToken and not DictionaryToken)
                {
                    wrongEncodings.Add(reference.Data);
                }
            }
        }

        if (wrongEncodings.Count == 0 && !stringNames)
        {
            return null;
        }

        byte[]? repaired = null;
        var text = Encoding.Latin1.GetString(content.Span);
        foreach (Match entry in EncodingEntry().Matches(text))
        {
            if (wrongEncodings.Contains(new IndirectReference(long.Parse(entry.Groups[1].ValueSpan, provider: null), int.Parse(entry.Groups[2].ValueSpan, provider: null))))
            {
                Blank(ref repaired, content, entry);
            }
        }

        if (stringNames)
        {
            foreach (Match entry in StringBaseFontEntry().Matches(text))
            {
                Blank(ref repaired, content, entry);
            }
        }

        return repaired;
    }

    private static void Blank(ref byte[]? repaired, ReadOnlyMemory<byte> content, Match entry)
    {
        repaired ??= content.ToArray();
        repaired.AsSpan(entry.Index, entry.Length).Fill((byte)' ');
    }

    [GeneratedRegex(@"/Encoding\s*(\d{1,10})\s+(\d{1,5})\s+R", RegexOptions.CultureInvariant)]
    private static partial Regex EncodingEntry();

    [GeneratedRegex(@"/BaseFont\s*(?:<[0-9A-Fa-f\s]{0,4096}>|\((?:[^()\\]|\\.){0,1024}\))", RegexOptions.CultureInvariant)]
    private static partial Regex StringBaseFontEntry();
}
