using System.Globalization;
using System.Text;
using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Tools.Tests.Documents;

/// <summary>
/// Glyphs a font gives no readable text (a ToUnicode map sending them to U+0000 or another control character, a code the
/// encoding does not name) take the text of their glyph name: from the encoding's /Differences, or from the post table of a
/// simple TrueType program through its cmap. Where the letter cannot say which glyph it was, none is guessed.
/// </summary>
public sealed class PdfGlyphNameTests : IDisposable
{
    private readonly DocumentParser _parser = new();

    public void Dispose() => _parser.Dispose();

    /// <summary>
    /// A one-page PDF drawing <paramref name="content"/> in /F1, a simple TrueType font whose program names the glyphs of
    /// <paramref name="glyphs"/>; <paramref name="entries"/> are the font dictionary's own (its encoding, flags); with
    /// <paramref name="toUnicode"/> the printable ASCII codes map to themselves except those given.
    /// </summary>
    private static byte[] TrueTypePage(string content, string entries, IReadOnlyList<(byte Code, string Glyph)> glyphs, bool symbol,
        IReadOnlyDictionary<byte, string>? toUnicode = null, string? program = null)
    {
        var widths = string.Join(' ', Enumerable.Repeat("500", 126));
        var unicode = toUnicode is null ? string.Empty : "/ToUnicode 8 0 R";
        var cmap = toUnicode is null ? "<< >>" : PdfFiles.Stream(string.Empty, UnicodeMap(toUnicode));
        return PdfFiles.OnePage(
            content,
            $"<< /Type /Font /Subtype /TrueType /BaseFont /TestSans {entries} /FirstChar 1 /LastChar 126 /Widths [{widths}] /FontDescriptor 6 0 R {unicode} >>",
            $"<< /Type /FontDescriptor /FontName /TestSans /Flags {(symbol ? 4 : 32)} /FontBBox [0 -200 1000 800] /ItalicAngle 0 /Ascent 800 /Descent -200 "
                + "/CapHeight 700 /StemV 80 /FontFile2 7 0 R >>",
            PdfFiles.Stream(string.Empty, program ?? PdfFiles.TrueTypeFont(glyphs, symbol)),
            cmap);
    }

    private static string UnicodeMap(IReadOnlyDictionary<byte, string> special)
    {
        var codes = Enumerable.Range(0x20, 0x7F - 0x20).ToList();
        var map = string.Concat(codes.Select(c => string.Create(CultureInfo.InvariantCulture,
            $"<{c:X2}> <{(special.TryGetValue((byte)c, out var s) ? string.Concat(s.Select(ch => ((int)ch).ToString("X4", CultureInfo.InvariantCulture))) : c.ToString("X4", CultureInfo.InvariantCulture))}>\n")));
        return "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Test-UCS def\n/CMapType 2 def\n"
            + "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
            + string.Create(CultureInfo.InvariantCulture, $"{codes.Count} beginbfchar\n{map}endbfchar\n")
            + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend";
    }

    [Theory]
    // A ToUnicode map that sends a ligature to U+0000 (poppler and we used to drop it) or to a control character.
    [InlineData("\u0000", "f_f", "The office of the bailiff")]
    [InlineData("\u0001", "T_h", "The office of the bailiff")]
    public async Task ParseAsync_GlyphMappedToAControlCharacterWithAGlyphName_ReadsItsName(string mapped, string name, string expected)
    {
        var ligature = name == "f_f" ? "(The o) Tj (#) Tj (ice of the baili) Tj (#) Tj" : "(#) Tj (e o) Tj (ff) Tj (ice of the bailiff) Tj";
        var pdf = PdfPrivateUseTests.Page($"BT /F1 12 Tf 72 700 Td {ligature} ET", new Dictionary<byte, (string, string)> { [(byte)'#'] = (name, mapped) });

        var document = await _parser.ParseAsync(pdf, "control-ligature.pdf");

        Assert.Contains(expected, document.Text);
        Assert.Empty(document.Warnings);
    }

    [Fact]
    public async Task ParseAsync_CodeInTheSurrogateRangeReadAsItself_IsDroppedAndTheTextStaysValid()
    {
        // As docling's skipped_1page draws its Korean: an Identity-H font without a ToUnicode map, whose codes PdfPig takes for
        // characters, so CID D9F6 came out as half a surrogate pair; the document's text was then not valid Unicode, and
        // normalizing it threw. The undecodable glyph is dropped as other undecodable ones are.
        var pdf = PdfFiles.OnePage(
            "BT /F1 12 Tf 72 700 Td <004F006E00650020> Tj <D9F6> Tj <002000740077006F> Tj ET",
            "<< /Type /Font /Subtype /Type0 /BaseFont /TestCid /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TestCid /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                + "/FontDescriptor 7 0 R /DW 500 /CIDToGIDMap /Identity >>",
            "<< /Type /FontDescriptor /FontName /TestCid /Flags 32 /FontBBox [0 -200 1000 800] /ItalicAngle 0 /Ascent 800 /Descent -200 "
                + "/CapHeight 700 /StemV 80 >>");

        var document = await _parser.ParseAsync(pdf, "lone-surrogate.pdf");

        Assert.Contains("One", document.Text);
        Assert.Contains("two", document.Text);
        Assert.DoesNotContain(document.Text, char.IsSurrogate);
        Assert.NotEmpty(document.Text.Normalize(NormalizationForm.FormKC));
    }

    [Fact]
    public async Task ParseAsync_SeveralGlyphsMappedToU0000_AreNotGuessed()
    {
        // As PyMuPDF's test_3197 maps its tabular digits: every one to U+0000. The letter keeps no code, so "zero" and "one" cannot
        // be told apart: both are dropped, as poppler drops them, rather than all read as the first name.
        var pdf = PdfPrivateUseTests.Page(
            "BT /F1 12 Tf 72 700 Td (Total: ) Tj (#$#) Tj ( units) Tj ET",
            new Dictionary<byte, (string, string)> { [(byte)'#'] = ("zero", "\u0000"), [(byte)'$'] = ("one", "\u0000") });

        var document = await _parser.ParseAsync(pdf, "digits-to-null.pdf");

        Assert.Contains("Total:", document.Text);
        Assert.Contains("units", document.Text);
        Assert.DoesNotContain("0", document.Text);
        Assert.DoesNotContain("1", document.Text);
    }

    [Fact]
    public async Task ParseAsync_TrueTypeCodeTheEncodingDoesNotName_ReadsTheGlyphNameFromThePostTable()
    {
        // WinAnsiEncoding names no code below 32: PdfPig takes the code itself for the text (a control character), which was
        // dropped ("aer"). The program's cmap (1,0) gives the glyph, its post table the name "f_t".
        var pdf = TrueTypePage(
            "BT /F1 12 Tf 72 700 Td (Weather a) Tj <01> Tj (er the storm, ra) Tj <02> Tj (s on the river) Tj ET",
            "/Encoding /WinAnsiEncoding",
            [(1, "f_t"), (2, "ft")],
            symbol: false);

        var document = await _parser.ParseAsync(pdf, "truetype-post.pdf");

        Assert.Contains("Weather after the storm, rafts on the river", document.Text);
        Assert.Empty(document.Warnings);
    }

    [Fact]
    public async Task ParseAsync_SymbolicTrueTypeGlyphMappedToPrivateUse_ReadsTheGlyphNameThroughTheSymbolCmap()
    {
        // A symbolic font without /Encoding or /Differences: the ToUnicode map sends the ligature to U+F603, the (3,0) cmap puts
        // the code at F000 plus the code, and the post table names the glyph "uniFB05": the "ft" ligature, kept as the one
        // character (NFKC folds it to "ft").
        var pdf = TrueTypePage(
            "BT /F1 12 Tf 72 700 Td (Weather a) Tj (#) Tj (er the storm) Tj ET",
            string.Empty,
            [((byte)'#', "uniFB05")],
            symbol: true,
            toUnicode: new Dictionary<byte, string> { [(byte)'#'] = "\uF603" });

        var document = await _parser.ParseAsync(pdf, "truetype-symbol.pdf");

        Assert.Contains("Weather a\uFB05er the storm", document.Text);
    }

    [Fact]
    public async Task ParseAsync_TrueTypeProgramThatCannotBeRead_KeepsTheOtherTextAndWarns()
    {
        // The program is not a TrueType file: the glyph in an unnamed code stays dropped, the rest is read, and a warning names
        // the font.
        var pdf = TrueTypePage(
            "BT /F1 12 Tf 72 700 Td (Weather a) Tj <01> Tj (er the storm) Tj ET",
            "/Encoding /WinAnsiEncoding",
            [(1, "f_t")],
            symbol: false,
            program: "\u0000\u0001\u0000\u0000\u0000\u0009not a font at all");

        var document = await _parser.ParseAsync(pdf, "truetype-damaged.pdf");

        Assert.Contains("Weather aer the storm", document.Text);
        Assert.Contains(document.Warnings, w => w.Contains("TestSans", StringComparison.Ordinal) && w.Contains("glyph names could not be read", StringComparison.Ordinal));
    }
}
