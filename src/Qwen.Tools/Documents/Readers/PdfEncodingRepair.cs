using System.Text;
using System.Text.RegularExpressions;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Tokens;

namespace Qwen.Tools;

/// <summary>
/// Removes from a file the <c>/Encoding</c> entries of simple fonts that point at something other than an encoding (a stream, a
/// number), so that the fonts fall back to their standard or built-in encoding as poppler and pdf.js do.
/// </summary>
/// <remarks>
/// PdfPig 0.1.16 cannot load such a font and, with missing fonts skipped, drops all of its text (a merge tool that renumbered
/// objects left every font of issue14821 pointing at a content stream: 2 % of the text was read). The entry is overwritten with
/// spaces of the same length, so every offset in the cross-reference table stays right; an entry inside a compressed object
/// stream cannot be reached this way and stays as it is.
/// </remarks>
internal static partial class PdfEncodingRepair
{
    private static readonly NameToken SubtypeName = NameToken.Create("Subtype");
    private static readonly NameToken EncodingName = NameToken.Create("Encoding");

    /// <summary>The file with the wrong <c>/Encoding</c> entries blanked; <see langword="null"/> when it has none it can blank.</summary>
    public static byte[]? Repaired(ReadOnlyMemory<byte> content, PdfDocument pdf, IEnumerable<DictionaryToken?> pageResources)
    {
        var wrong = new HashSet<IndirectReference>();
        var checkedFonts = new HashSet<DictionaryToken>(ReferenceEqualityComparer.Instance);
        foreach (var resources in pageResources.Distinct(ReferenceEqualityComparer.Instance).Cast<DictionaryToken?>())
        {
            foreach (var font in PdfBuiltInEncodings.Fonts(pdf, resources))
            {
                if (checkedFonts.Add(font)
                    && PdfNestingGuard.Resolve(pdf, font.Data.GetValueOrDefault(SubtypeName.Data)) is NameToken { Data: "Type1" or "MMType1" or "TrueType" or "Type3" }
                    && font.Data.GetValueOrDefault(EncodingName.Data) is IndirectReferenceToken reference
                    && PdfNestingGuard.Resolve(pdf, reference) is not null and not NameToken and not DictionaryToken)
                {
                    wrong.Add(reference.Data);
                }
            }
        }

        if (wrong.Count == 0)
        {
            return null;
        }

        byte[]? repaired = null;
        foreach (Match entry in EncodingEntry().Matches(Encoding.Latin1.GetString(content.Span)))
        {
            if (wrong.Contains(new IndirectReference(long.Parse(entry.Groups[1].ValueSpan, provider: null), int.Parse(entry.Groups[2].ValueSpan, provider: null))))
            {
                repaired ??= content.ToArray();
                repaired.AsSpan(entry.Index, entry.Length).Fill((byte)' ');
            }
        }

        return repaired;
    }

    [GeneratedRegex(@"/Encoding\s*(\d{1,10})\s+(\d{1,5})\s+R", RegexOptions.CultureInvariant)]
    private static partial Regex EncodingEntry();
}
