using System.Globalization;
using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Tools.Tests.Documents;

/// <summary>
/// Glyphs whose ToUnicode map gives a private-use code (U+E000-U+F8FF): ligatures such as "ft" that a font has no standard
/// character for. Their text comes from the span's /ActualText or the glyph's name; without either they are dropped.
/// </summary>
public sealed class PdfPrivateUseTests : IDisposable
{
    private readonly DocumentParser _parser = new();

    public void Dispose() => _parser.Dispose();

    /// <summary>A ToUnicode map that gives printable ASCII codes their own character, except those in <paramref name="special"/>.</summary>
    private static string ToUnicode(IReadOnlyDictionary<byte, string> special)
    {
        var chars = string.Concat(special.Select(s => string.Create(CultureInfo.InvariantCulture,
            $"<{s.Key:X2}> <{string.Concat(s.Value.Select(c => ((int)c).ToString("X4", CultureInfo.InvariantCulture)))}>\n")));
        var ranges = string.Concat(Enumerable.Range(0x20, 0x7F - 0x20).Where(c => !special.ContainsKey((byte)c))
            .Select(c => string.Create(CultureInfo.InvariantCulture, $"<{c:X2}> <{c:X2}> <{c:X4}>\n")));
        return PdfFiles.Stream(string.Empty, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Test-UCS def\n/CMapType 2 def\n"
            + "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
            + string.Create(CultureInfo.InvariantCulture, $"{special.Count} beginbfchar\n{chars}endbfchar\n")
            + string.Create(CultureInfo.InvariantCulture, $"{0x7F - 0x20 - special.Count} beginbfrange\n{ranges}endbfrange\n")
            + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend");
    }

    [Fact]
    public async Task ParseAsync_LigatureMappedToPrivateUseInsideAnActualTextSpan_ReadsTheActualText()
    {
        // As Chrome prints a web page (PyMuPDF's bug1945): the "ft" ligature maps to U+F603, and a /Span's /ActualText says "ft".
        var pdf = PdfFiles.OnePage(
            "BT /F1 12 Tf 72 700 Td (Hurricane Ian nears Carolinas a) Tj /Span << /ActualText <FEFF00660074> >> BDC (A) Tj EMC (er battering Florida) Tj ET",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
            ToUnicode(new Dictionary<byte, string> { [(byte)'A'] = "\uF603" }));

        var document = await _parser.ParseAsync(pdf, "ligature.pdf");

        Assert.Contains("Hurricane Ian nears Carolinas after battering Florida", document.Text);
    }

    [Fact]
    public async Task ParseAsync_ActualTextOfSeveralWords_KeepsTheGlyphsOwnText()
    {
        // An actual text standing for words or lines is left to the glyphs, which the layout places word by word.
        var pdf = PdfFiles.OnePage(
            "BT /F1 12 Tf 72 700 Td /Span << /ActualText (Tide tables for March) >> BDC (Tide tables) Tj EMC ( for April) Tj ET",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");

        var document = await _parser.ParseAsync(pdf, "words.pdf");

        Assert.Contains("Tide tables for April", document.Text);
        Assert.DoesNotContain("March", document.Text);
    }
}
