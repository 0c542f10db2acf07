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

    /// <summary>
    /// A one-page PDF drawing <paramref name="content"/> in /F1, a Type 3 font (PdfPig takes a standard font's text from its
    /// encoding, not its ToUnicode map) whose printable ASCII codes map to their own characters, except those in
    /// <paramref name="special"/>, which map to the given text and have the given glyph names; the others are named "gNN".
    /// </summary>
    internal static byte[] Page(string content, IReadOnlyDictionary<byte, (string Name, string Text)> special)
    {
        var codes = Enumerable.Range(0x20, 0x7F - 0x20).ToList();
        string Name(int code) => special.TryGetValue((byte)code, out var s) ? s.Name : $"g{code}";
        string Hex(string text) => string.Concat(text.Select(c => ((int)c).ToString("X4", CultureInfo.InvariantCulture)));
        var map = string.Concat(codes.Select(c => string.Create(CultureInfo.InvariantCulture,
            $"<{c:X2}> <{(special.TryGetValue((byte)c, out var s) ? Hex(s.Text) : c.ToString("X4", CultureInfo.InvariantCulture))}>\n")));
        var cmap = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Test-UCS def\n/CMapType 2 def\n"
            + "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
            + string.Create(CultureInfo.InvariantCulture, $"{codes.Count} beginbfchar\n{map}endbfchar\n")
            + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend";
        var differences = string.Join(' ', codes.Select(c => "/" + Name(c)));
        var procs = string.Join(' ', codes.Select(c => $"/{Name(c)} 8 0 R"));
        var widths = string.Join(' ', codes.Select(c => c == ' ' ? "250" : "500"));
        return PdfFiles.OnePage(
            content,
            "<< /Type /Font /Subtype /Type3 /FontBBox [0 0 500 750] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs 7 0 R /Resources << >> "
                + $"/Encoding << /Type /Encoding /Differences [32 {differences}] >> /FirstChar 32 /LastChar 126 /Widths [{widths}] /ToUnicode 6 0 R >>",
            PdfFiles.Stream(string.Empty, cmap),
            $"<< {procs} >>",
            PdfFiles.Stream(string.Empty, "500 0 0 0 500 750 d1 0 0 500 750 re f"));
    }

    [Fact]
    public async Task ParseAsync_LigatureMappedToPrivateUseInsideAnActualTextSpan_ReadsTheActualText()
    {
        // As Chrome prints a web page (PyMuPDF's bug1945): the "ft" ligature maps to U+F603, and a /Span's /ActualText says "ft".
        var pdf = Page(
            "BT /F1 12 Tf 72 700 Td (Hurricane Ian nears Carolinas a) Tj /Span << /ActualText <FEFF00660074> >> BDC (A) Tj EMC (er battering Florida) Tj ET",
            new Dictionary<byte, (string, string)> { [(byte)'A'] = ("g65", "\uF603") });

        var document = await _parser.ParseAsync(pdf, "ligature.pdf");

        Assert.Contains("Hurricane Ian nears Carolinas after battering Florida", document.Text);
    }

    [Theory]
    // As an EFSA report set in small caps has it: the span's actual text "N" covers the space before the small-cap n too; the
    // space stays.
    [InlineData("(imported in the) Tj /Span << /ActualText (N) >> BDC ( n) Tj EMC (etherlands) Tj", "imported in the Netherlands", null)]
    // As PyMuPDF's bug1945 draws a Persian zero-width non-joiner: a space glyph alone whose actual text is U+200C is replaced.
    [InlineData("(The sea) Tj /Span << /ActualText <FEFF200C> >> BDC ( ) Tj EMC (side walk) Tj", "The sea\u200Cside walk", null)]
    // An actual text standing for words or lines is left to the glyphs, which the layout places word by word.
    [InlineData("/Span << /ActualText (Tide tables for March) >> BDC (Tide tables) Tj EMC ( for April) Tj", "Tide tables for April", "March")]
    public async Task ParseAsync_ActualTextSpansAroundSpacesOrWords_AreReadAsTheyAreSeen(string text, string expected, string? absent)
    {
        var pdf = PdfFiles.OnePage($"BT /F1 12 Tf 72 700 Td {text} ET", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");

        var document = await _parser.ParseAsync(pdf, "actual-text.pdf");

        Assert.Contains(expected, document.Text);
        if (absent is not null)
        {
            Assert.DoesNotContain(absent, document.Text);
        }
    }

    [Fact]
    public async Task ParseAsync_LigaturesMappedToPrivateUseWithGlyphNamesInTheDifferences_ReadTheirNames()
    {
        // No actual text: the encoding's /Differences name the glyphs "f_t" (AGL's ligature form) and "ft" (the letters alone),
        // and the ToUnicode map sends both to private-use codes.
        var pdf = Page(
            "BT /F1 12 Tf 72 700 Td (Pakistan eye big total against England a) Tj (#) Tj (er Babar-led recovery, ra) Tj ($) Tj (s on the river) Tj ET",
            new Dictionary<byte, (string, string)> { [(byte)'#'] = ("f_t", "\uF603"), [(byte)'$'] = ("ft", "\uF604") });

        var document = await _parser.ParseAsync(pdf, "named-ligatures.pdf");

        Assert.Contains("Pakistan eye big total against England after Babar-led recovery, rafts on the river", document.Text);
        Assert.Empty(document.Warnings);
    }

    [Theory]
    [InlineData("f_t", "ft")]
    [InlineData("ft", "ft")]
    [InlineData("Th.alt", "Th")]
    [InlineData("uniFB05", "\uFB05")]
    [InlineData("fi", "\uFB01")]
    [InlineData("uniF603", null)]
    [InlineData(".notdef", null)]
    [InlineData("glyph1234", null)]
    [InlineData("uring", "\u016F")]
    [InlineData("cyrillic", null)]
    [InlineData("cyr", "cyr")]
    public void Text_GlyphName_IsReadAsTheAdobeGlyphListOrTheLigatureConventionSays(string name, string? expected) =>
        Assert.Equal(expected, PdfGlyphNames.Text(name));
}
