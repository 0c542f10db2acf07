using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Qwen.Tools.Tests.TestSupport;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Qwen.Tools.Tests.Documents;

/// <summary>Hostile and unusual PDFs, generated here: cycles, deep nesting, lenient recovery, forms, annotations, word gaps, false tables.</summary>
public sealed class PdfRobustnessTests : IDisposable
{
    private const string Font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
    private readonly DocumentParser _parser = new();

    public void Dispose() => _parser.Dispose();

    [Fact]
    public async Task ParseAsync_FormXObjectsDrawingEachOtherInACycle_ThrowsInsteadOfOverflowingTheStack()
    {
        var pdf = PdfFiles.Raw(
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /A 5 0 R >> >> >>",
            PdfFiles.Stream(string.Empty, "/A Do"),
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /XObject << /B 6 0 R >> >>", "/B Do"),
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /XObject << /A 5 0 R >> >>", "/A Do"),
        ]);

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(pdf, "cycle.pdf"));

        Assert.Contains("cycle.pdf", error.Message);
        Assert.Contains("page 1", error.Message);
        Assert.Contains("cycle", error.Reason);
    }

    [Fact]
    public async Task ParseAsync_FormThatDrawsItselfThroughTheInheritedResources_Throws()
    {
        // The form has no resources of its own, so its '/A Do' resolves in the page's resources: to itself.
        var pdf = PdfFiles.Raw(
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 /Resources << /XObject << /A 5 0 R >> >> >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            PdfFiles.Stream(string.Empty, "/A Do"),
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 100 100]", "q /A Do Q"),
        ]);

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(pdf, "self.pdf"));

        Assert.Contains("cycle", error.Reason);
    }

    [Fact]
    public async Task ParseAsync_FormsNestedTooDeep_ThrowsNamingTheLimit()
    {
        const int depth = 200;
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /F 5 0 R >> >> >>",
            PdfFiles.Stream(string.Empty, "/F Do"),
        };
        for (var i = 0; i < depth; i++)
        {
            var next = objects.Count + 2;
            var resources = i + 1 < depth ? string.Create(CultureInfo.InvariantCulture, $"/Resources << /XObject << /F {next} 0 R >> >>") : string.Empty;
            objects.Add(PdfFiles.Stream($"/Type /XObject /Subtype /Form /BBox [0 0 10 10] {resources}", i + 1 < depth ? "/F Do" : string.Empty));
        }

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(PdfFiles.Raw(objects), "deep.pdf"));

        Assert.Contains($"more than {PdfNestingGuard.MaxDepth} levels", error.Reason);
    }

    [Fact]
    public async Task ParseAsync_SharedFormDrawnTwiceWithoutACycle_IsRead()
    {
        var pdf = PdfFiles.Raw(
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /A 5 0 R /B 6 0 R >> /Font << /F1 7 0 R >> >> >>",
            PdfFiles.Stream(string.Empty, "/A Do /B Do"),
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 600 800] /Resources << /XObject << /B 6 0 R >> /Font << /F1 7 0 R >> >>", "/B Do"),
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 600 800] /Resources << /Font << /F1 7 0 R >> >>", "BT /F1 12 Tf 72 700 Td (Shared logo text) Tj ET"),
            Font,
        ]);

        var document = await _parser.ParseAsync(pdf, "shared.pdf");

        Assert.True(document.Text.Contains("Shared logo text", StringComparison.Ordinal), $"[{document.Text}]");
    }

    [Fact]
    public async Task ParseAsync_Pdf20HeaderAndUnbalancedGraphicsState_IsReadLeniently()
    {
        var pdf = PdfFiles.Raw(
            [
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
                PdfFiles.Stream(string.Empty, "Q Q BT /F1 12 Tf 72 700 Td (The harbour opens at dawn.) Tj ET Q"),
                Font,
            ],
            header: "%PDF-2.0");

        var document = await _parser.ParseAsync(pdf, "v2.pdf");

        Assert.Contains("The harbour opens at dawn.", document.Text);
    }

    [Theory]
    [InlineData("%PDF1.4")] // as the Open Preservation Foundation's hand-built test files: poppler reads each with a warning
    [InlineData("%1.4")]
    [InlineData("%\u00e2\u00e3\u00cf\u00d3")]
    public async Task ParseAsync_DamagedHeaderInFrontOfAPdfBody_IsReadWithAWarning(string header)
    {
        var valid = Encoding.Latin1.GetString(PdfFiles.OnePage("BT /F1 12 Tf 72 700 Td (Hello PDF-world!) Tj ET", Font));
        var pdf = Encoding.Latin1.GetBytes(header + valid["%PDF-1.4".Length..]);

        var document = await _parser.ParseAsync(pdf, "header.pdf");

        Assert.Contains("Hello PDF-world!", document.Text);
        Assert.Contains(document.Warnings, w => w.Contains("no valid '%PDF-' header", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ParseAsync_PageDrawingOneFormTwentyThousandTimes_IsRefusedBeforePdfPigDrawsIt()
    {
        // 1.8 KB zipped as Flate, such a page took 3.3 GB and 23 s in PdfPig (10 million glyphs).
        var form = PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >>",
            "BT /F1 10 Tf 10 10 Td (" + new string('A', 500) + ") Tj ET");
        var pdf = PdfFiles.Raw(
            [
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Fm1 6 0 R >> >> >>",
                PdfFiles.Stream(string.Empty, string.Concat(Enumerable.Repeat("q /Fm1 Do Q\n", 20_000))),
                Font,
                form,
            ]);

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(pdf, "stamps.pdf"));

        Assert.Contains("page 1 would show more than 1,000,000 glyphs", error.Reason);
    }

    [Fact]
    public async Task ParseAsync_PageWithALargeInlineImage_IsNotTakenForTooManyGlyphs()
    {
        // An inline image's data is binary: its '(' bytes are not strings of glyphs (a real government report's page was refused).
        var image = new string('(', 1_200_000);
        var pdf = PdfFiles.OnePage($"q 100 0 0 100 0 0 cm BI /W 1200 /H 1000 /BPC 8 /CS /G ID {image} EI Q BT /F1 12 Tf 72 700 Td (Scanned page 11) Tj ET", Font);

        var document = await _parser.ParseAsync(pdf, "scan.pdf");

        Assert.Contains("Scanned page 11", document.Text);
    }

    [Fact]
    public async Task ParseAsync_Pdf20HeaderAndNoText_IsAnEmptyDocumentNotAFailure()
    {
        // As pdfcpu's test file i277: a '%PDF-2.0' page that only draws rectangles. PdfPig's strict parser refuses the version
        // comment alone; the file simply has no text (as the same page under a '%PDF-1.4' header).
        var pdf = PdfFiles.Raw(
            [
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [100 100 900 900] /Contents 4 0 R /Resources << >> >>",
                PdfFiles.Stream(string.Empty, "200 200 300 300 re f"),
            ],
            header: "%PDF-2.0");

        var document = await _parser.ParseAsync(pdf, "drawing.pdf");

        Assert.Single(document.Pages);
        Assert.Equal(string.Empty, document.Text.Trim());
    }

    [Fact]
    public async Task ParseAsync_EncryptedPdf20_SaysItIsEncrypted()
    {
        // As PDF-Writer's test file PDFWithPassword20: the reason given is the encryption, not the '%PDF-2.0' header.
        var pdf = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(PdfFiles.Encrypted()).Replace("%PDF-1.4", "%PDF-2.0", StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(pdf, "secret20.pdf"));

        Assert.Contains("encrypted", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParseAsync_FormFieldValuesAndFreeTextAnnotations_AreRead()
    {
        var pdf = PdfFiles.Raw(
        [
            "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots [6 0 R 7 0 R] >>",
            PdfFiles.Stream(string.Empty, "BT /F1 12 Tf 72 700 Td (Application form) Tj ET"),
            Font,
            "<< /Type /Annot /Subtype /Widget /FT /Tx /T (applicant) /V (Jane Quill) /Rect [72 600 300 620] /P 3 0 R >>",
            "<< /Type /Annot /Subtype /FreeText /Rect [72 500 300 520] /Contents (Reviewer: approved on first reading) /DA (/F1 12 Tf) >>",
        ]);

        var document = await _parser.ParseAsync(pdf, "form.pdf");

        Assert.Contains("Application form", document.Text);
        Assert.Contains("applicant: Jane Quill", document.Text);
        Assert.Contains("Reviewer: approved on first reading", document.Text);
    }

    [Fact]
    public async Task ParseAsync_MultiLineFieldValue_KeepsAWordBreakAtEachLineBreak()
    {
        // Multi-line text fields store their lines separated by CR (Acrobat) or LF; dropping them as control characters ran
        // the last word of a line into the first of the next.
        var pdf = PdfFiles.Raw(
        [
            "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots [6 0 R 7 0 R] >>",
            PdfFiles.Stream(string.Empty, "BT /F1 12 Tf 72 700 Td (Delivery form) Tj ET"),
            Font,
            @"<< /Type /Annot /Subtype /Widget /FT /Tx /Ff 4096 /T (address) /V (12 Harbour Road\rNorth Quay\r\nPortsmouth) /Rect [72 600 300 650] /P 3 0 R >>",
            @"<< /Type /Annot /Subtype /Text /Rect [72 500 90 520] /Contents (Checked by the clerk\nand sealed) >>",
        ]);

        var document = await _parser.ParseAsync(pdf, "multiline.pdf");

        Assert.Contains("address: 12 Harbour Road North Quay Portsmouth", document.Text);
        Assert.Contains("Checked by the clerk and sealed", document.Text);
    }

    /// <summary>
    /// A page drawing <paramref name="content"/> with /F1 (Helvetica) and /F2, a simple Type 1 font (ABCDEF+TestMath) whose CFF
    /// program (object 8) is <paramref name="program"/>, with no /Encoding or /ToUnicode.
    /// </summary>
    private static byte[] MathPage(string content, string program) => PdfFiles.Raw(
    [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
        PdfFiles.Stream(string.Empty, content),
        Font,
        $"<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+TestMath /FirstChar 13 /LastChar 33 /Widths [{string.Join(' ', Enumerable.Repeat("500", 21))}] /FontDescriptor 7 0 R >>",
        "<< /Type /FontDescriptor /FontName /ABCDEF+TestMath /Flags 4 /FontBBox [0 -200 1000 800] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 /FontFile3 8 0 R >>",
        PdfFiles.Stream("/Subtype /Type1C", program),
    ]);

    [Fact]
    public async Task ParseAsync_CffFontWithoutEncodingOrToUnicode_ReadsCodesThroughTheBuiltInEncoding()
    {
        // As Ghostscript writes TeX math fonts: a Type 1C program whose own encoding puts gamma at code 13 and the arrow at 33
        // ("!" in the standard encoding), and no /Encoding or /ToUnicode in the font dictionary.
        var pdf = MathPage(
            "BT /F1 12 Tf 72 700 Td (Let the map ) Tj /F2 12 Tf <0D> Tj /F1 12 Tf ( send x ) Tj /F2 12 Tf <21> Tj /F1 12 Tf ( y.) Tj ET",
            PdfFiles.CffFont([(13, "gamma"), (33, "arrowright")]));

        var document = await _parser.ParseAsync(pdf, "math.pdf");

        Assert.Contains("γ", document.Text);
        Assert.Contains("x → y", document.Text);
        Assert.DoesNotContain("!", document.Text);
    }

    [Fact]
    public async Task ParseAsync_CffBuiltInEncodingWithANameTheGlyphListThrowsOn_StillReadsTheOtherCodes()
    {
        // PdfPig's glyph list reads a name starting with "c" and not in the list as a character code and throws on "cyr": that one
        // name cost the whole encoding (and gave a warning that the program could not be read) before.
        var pdf = MathPage(
            "BT /F1 12 Tf 72 700 Td (Let the map ) Tj /F2 12 Tf <0D> Tj /F1 12 Tf ( send x ) Tj /F2 12 Tf <21> Tj /F1 12 Tf ( y.) Tj ET",
            PdfFiles.CffFont([(13, "gamma"), (20, "cyr"), (33, "arrowright")]));

        var document = await _parser.ParseAsync(pdf, "math-odd-name.pdf");

        Assert.Contains("γ", document.Text);
        Assert.Contains("x → y", document.Text);
        Assert.Empty(document.Warnings);
    }

    [Fact]
    public async Task ParseAsync_CffFontProgramTheParserCannotRead_ReadsTheRestAndWarnsNamingThePageAndTheFont()
    {
        // The same font with its program cut off after the header and name: the built-in encoding cannot be read, so its codes
        // keep the library's reading; the page's other text is read, and the warning says which font may be misread.
        var pdf = MathPage(
            "BT /F1 12 Tf 72 700 Td (Let the map ) Tj /F2 12 Tf <0D> Tj /F1 12 Tf ( send x to y.) Tj ET",
            PdfFiles.CffFont([(13, "gamma"), (33, "arrowright")])[..20]);

        var document = await _parser.ParseAsync(pdf, "math-truncated.pdf");

        Assert.Contains("Let the map", document.Text);
        Assert.Contains("send x to y.", document.Text);
        var warning = Assert.Single(document.Warnings);
        Assert.StartsWith("Page 1: the text in font ABCDEF+TestMath may be misread: its CFF program (object 8 0 R) could not be read for its built-in encoding: ", warning);
    }

    /// <summary>
    /// A page in a Type 3 font with a ToUnicode CMap, written as with_missing_endstream_eol_and_polluted_ctm (pdf-lib) is: no
    /// end-of-line before any <c>endstream</c>, though the CMap's <c>/Length</c> (an object of its own) counts it, and so do the
    /// cross-reference offsets when <paramref name="offsetsCountThem"/>.
    /// </summary>
    private static byte[] WithoutEndOfLinesBeforeEndstream(bool offsetsCountThem)
    {
        var pdf = Encoding.Latin1.GetString(PdfPrivateUseTests.Page("BT /F1 12 Tf 72 700 Td (Refund issued on May 23, 2018) Tj ET", new Dictionary<byte, (string, string)>()));
        var objects = Regex.Matches(pdf, @"\d+ 0 obj\n(.*?)\nendobj", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
        var cmap = objects.FindIndex(o => o.Contains("/CIDInit", StringComparison.Ordinal));
        var length = Regex.Match(objects[cmap], @"/Length (\d+)");
        objects[cmap] = objects[cmap].Replace(length.Value, $"/Length {objects.Count + 1} 0 R", StringComparison.Ordinal);
        objects.Add((int.Parse(length.Groups[1].Value, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture));
        return offsetsCountThem
            ? Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(PdfFiles.Raw(objects)).Replace("\nendstream", "endstream", StringComparison.Ordinal))
            : PdfFiles.Raw([.. objects.Select(o => o.Replace("\nendstream", "endstream", StringComparison.Ordinal))]);
    }

    [Fact]
    public async Task ParseAsync_StreamsWithoutTheEndOfLineBeforeEndstreamThatTheOffsetsCount_AreRead()
    {
        // PdfPig found no object where the cross-reference table said, read the file object by object, scanned the CMap (its
        // length an object of its own), missed the 'endstream' right after its last "end", and lost the page's text.
        var pdf = WithoutEndOfLinesBeforeEndstream(offsetsCountThem: true);

        var document = await _parser.ParseAsync(pdf, "missing-endstream-eol.pdf");

        Assert.Contains("Refund issued on May 23, 2018", document.Text);
        Assert.Empty(document.Warnings);
    }

    [Fact]
    public void EndstreamRepair_OffsetsThatCountTheBytesAsWritten_LeavesTheFileAsItIs()
    {
        // Inserting the end-of-lines would move every later object away from where the table says it is.
        var pdf = WithoutEndOfLinesBeforeEndstream(offsetsCountThem: false);

        Assert.Null(PdfEndstreamRepair.Repaired(pdf));
        Assert.NotNull(PdfEndstreamRepair.Repaired(WithoutEndOfLinesBeforeEndstream(offsetsCountThem: true)));
    }

    [Fact]
    public async Task ParseAsync_SimpleFontWhoseEncodingPointsAtAStream_FallsBackToTheStandardEncoding()
    {
        // As a merge tool that renumbered objects left it: the font's /Encoding names a content stream. PdfPig cannot load the
        // font and dropped its text; poppler ignores the entry.
        var pdf = PdfFiles.OnePage(
            "BT /F1 12 Tf 72 700 Td (Invoice 4711 is due on Friday.) Tj ET",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding 4 0 R >>");

        var document = await _parser.ParseAsync(pdf, "merged.pdf");

        Assert.Contains("Invoice 4711 is due on Friday.", document.Text);
    }

    [Fact]
    public async Task ParseAsync_FontNamedByAStringInsteadOfAName_TakesItsNameFromTheDescriptor()
    {
        // As in pdf.js's issue1350: /BaseFont is a UTF-16 string. PdfPig could not load the font and read nothing of the page.
        var pdf = PdfFiles.OnePage(
            "BT /F1 12 Tf 72 700 Td (Your voucher is valid for thirty days.) Tj ET",
            "<< /Type /Font /Subtype /Type1 /BaseFont <FEFF00480065006C00760065007400690063006100> /Encoding /WinAnsiEncoding /FontDescriptor 6 0 R "
                + $"/FirstChar 32 /LastChar 126 /Widths [{string.Join(' ', Enumerable.Repeat("556", 95))}] >>",
            "<< /Type /FontDescriptor /FontName /Helvetica /Flags 32 /FontBBox [-166 -225 1000 931] /ItalicAngle 0 /Ascent 718 /Descent -207 /CapHeight 718 /StemV 88 >>");

        var document = await _parser.ParseAsync(pdf, "string-name.pdf");

        Assert.Contains("Your voucher is valid for thirty days.", document.Text);
    }

    [Fact]
    public async Task ParseAsync_TableCellsPaddedWithSpacesDrawnUnderTheNextCell_KeepTheNextCellsWordsWhole()
    {
        // As the California WARN report (pdfplumber's examples): each cell is drawn padded with spaces to a fixed width, and the
        // padding runs under the next cell's text; ordered by position, the spaces fell between its digits ("0 3 / 2 5 / 2 0 16").
        var rows = new StringBuilder();
        for (var row = 0; row < 3; row++)
        {
            var y = 700 - (row * 14);
            rows.Append(CultureInfo.InvariantCulture, $"BT /F1 10 Tf 30 {y} Td (06/2{row}/2015          ) Tj ET ");
            rows.Append(CultureInfo.InvariantCulture, $"BT /F1 10 Tf 97 {y} Td (03/2{row}/2016          ) Tj ET ");
            rows.Append(CultureInfo.InvariantCulture, $"BT /F1 10 Tf 165 {y} Td (Harbour Authority) Tj ET\n");
        }

        var document = await _parser.ParseAsync(PdfFiles.OnePage(rows.ToString(), Font), "padded-cells.pdf");

        Assert.Contains("03/20/2016", document.Text);
        Assert.Contains("03/22/2016", document.Text);
        Assert.Contains("06/21/2015", document.Text);
    }

    [Fact]
    public async Task ParseAsync_SpaceUnderTheNextLetterOfTheSameRun_StillPartsTheWords()
    {
        // As pymupdf's bug1945: a Persian zero-width non-joiner drawn as a space glyph, the next letter moved back over it. Only
        // padding that another text object draws over is dropped; this space parts two words.
        var pdf = PdfFiles.OnePage("BT /F1 12 Tf 72 700 Td [(Harbour ) 278 (master on duty)] TJ ET", Font);

        var document = await _parser.ParseAsync(pdf, "same-run-space.pdf");

        Assert.Contains("Harbour master on duty", document.Text);
    }

    [Fact]
    public async Task ParseAsync_SpaceThatWordSpacingShrinksToASliver_DoesNotPartTheWord()
    {
        // As pdfcpu's TheGoProgrammingLanguageCh1 sets its text ("(mp h)Tj" with -1.96 Tw): a space glyph whose advance the word
        // spacing takes nearly all back (3.336 - 3.2 points, a twenty-fifth of its width) is no gap, so "wit h" reads "with";
        // one the word spacing leaves an eighth of (3.336 - 2.9) is still a space, as in pdftotext.
        var pdf = PdfFiles.OnePage("BT /F1 12 Tf 72 700 Td (Handle ) Tj -3.2 Tw (wit h) Tj -2.9 Tw ( care on duty) Tj ET", Font);

        var document = await _parser.ParseAsync(pdf, "narrowed-space.pdf");

        Assert.Contains("Handle with care on duty", document.Text);
    }

    [Fact]
    public async Task ParseAsync_SpaceUnderTheAdvanceButNotTheInkOfTheNextLetter_StillPartsTheWords()
    {
        // As pymupdf's bug1945, where every glyph is its own text object: the space lies under the next letter's advance, but
        // that letter's ink starts well inside it (a period's left bearing here). Only a space mostly under ink is padding.
        var pdf = PdfFiles.OnePage(
            "BT /F1 24 Tf 72 700 Td (Total) Tj ET BT /F1 24 Tf 125.352 700 Td ( ) Tj ET BT /F1 24 Tf 125.352 700 Td (.NET) Tj ET", Font);

        var document = await _parser.ParseAsync(pdf, "space-under-advance.pdf");

        Assert.Contains("Total .NET", document.Text);
    }

    [Fact]
    public async Task ParseAsync_FieldTreeWhoseKidsRepeat_ReadsThePageInsteadOfExpandingItExponentially()
    {
        // As qpdf's shared-unnamed-field test file: each unnamed field lists the same child twice, 25 levels deep (2^25 paths).
        // PdfPig's form reader walked every path: the parse hit its time limit and the work went on in the background.
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            PdfFiles.Stream(string.Empty, "BT /F1 12 Tf 72 700 Td (Form with a tangled field tree.) Tj ET"),
            Font,
        };
        for (var level = 0; level < 25; level++)
        {
            var self = objects.Count + 1;
            var parent = level == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"/Parent {self - 1} 0 R");
            objects.Add(string.Create(CultureInfo.InvariantCulture, $"<< /Kids [{self + 1} 0 R {self + 1} 0 R] {parent} >>"));
        }

        objects.Add(string.Create(CultureInfo.InvariantCulture, $"<< /Type /Annot /Subtype /Widget /FT /Tx /T (leaf) /Rect [0 0 1 1] /Parent {objects.Count} 0 R >>"));
        using var parser = new DocumentParser(new DocumentParserOptions { Timeout = TimeSpan.FromSeconds(10) });

        var document = await parser.ParseAsync(PdfFiles.Raw(objects), "tangled.pdf");

        Assert.Contains("Form with a tangled field tree.", document.Text);
    }

    [Fact]
    public async Task ParseAsync_OnePageTheLibraryCannotDraw_ReadsTheOtherPagesAndNamesTheSkippedOne()
    {
        // Page 2 sets an RGB colour with one operand: PdfPig throws on it in strict and lenient parsing alike. Poppler skips the
        // operator and reads the rest; the whole document used to fail here.
        var pdf = TwoPages("BT /F1 12 Tf 72 700 Td (The ferry leaves at noon.) Tj ET", "/DeviceRGB cs 0.5 sc BT /F1 12 Tf 72 600 Td (Lost page.) Tj ET");

        var document = await _parser.ParseAsync(pdf, "one-bad-page.pdf");

        Assert.Equal(2, document.Pages.Count);
        Assert.Contains("The ferry leaves at noon.", document.Pages[0].Text);
        Assert.StartsWith("[Page 2 could not be read: the PDF library failed on page 2", document.Pages[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParseAsync_EveryPageFails_ThrowsNamingTheFirstPage()
    {
        var pdf = TwoPages("/DeviceRGB cs 0.5 sc", "/DeviceRGB cs 0.5 sc");

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(pdf, "all-bad.pdf"));

        Assert.Contains("all-bad.pdf", error.Message);
        Assert.Contains("page 1", error.Reason);
    }

    [Fact]
    public async Task ParseAsync_KernedHeadlineWithoutSpaceGlyphsOnASpacedPage_SplitsAtTheWordGaps()
    {
        // The headline's words are moved apart by TJ offsets (0.15 em), not by space glyphs, and its first letters are kerned
        // together (as in the newspaper this comes from), which leaves PdfPig's default extractor no usual gap to compare with;
        // the body text has spaces, so the page as a whole does not look run together.
        var pdf = PdfFiles.OnePage(
            "BT /F1 20 Tf 72 740 Td [(N) (O) 36 (V) 63 (A) -150 (TENTATIVA) -150 (DO) -150 (GOVERNO)] TJ ET\n"
                + "BT /F1 12 Tf 72 700 Td (The council met on Tuesday and agreed the budget for next year.) Tj ET\n"
                + "BT /F1 12 Tf 72 680 Td (Members asked for a second reading in the spring session.) Tj ET",
            Font);

        var document = await _parser.ParseAsync(pdf, "headline.pdf");

        Assert.Contains("NOVA TENTATIVA DO GOVERNO", document.Text);
        Assert.Contains("The council met on Tuesday and agreed the budget for next year.", document.Text);
    }

    [Fact]
    public async Task ParseAsync_LetterSpacedText_KeepsItsWordsWhole()
    {
        // Character spacing (Tc) of 7 pt on 20 pt Helvetica puts 0.35 em after every glyph, more than PdfPig's default extractor
        // allows inside a word: every letter came out alone ("L e f t T o p"). The space glyphs still part the words, and a
        // letter-spaced run with no space is one word, and so is one whose last letter is drawn by a text object of its own at
        // the same spacing (as an OCR layer that fits each word to its box does).
        var pdf = PdfFiles.OnePage(
            "BT /F1 20 Tf 7 Tc 72 740 Td (Left Top Right) Tj ET\n"
                + "BT /F1 12 Tf 4 Tc 72 710 Td (xxxxxxxxxxxx) Tj ET\n"
                + "BT /F1 12 Tf 5 Tc 72 695 Td (lette) Tj ET BT /F1 12 Tf 5 Tc 119.68 695 Td (r) Tj ET\n"
                + "BT /F1 12 Tf 0 Tc 72 680 Td (The council met on Tuesday and agreed the budget for next year.) Tj ET",
            Font);

        var text = (await _parser.ParseAsync(pdf, "letter-spaced.pdf")).Text;

        Assert.Contains("Left Top Right", text);
        Assert.Contains("xxxxxxxxxxxx", text);
        Assert.Contains("letter", text);
        Assert.DoesNotContain("lette r", text);
        Assert.Contains("The council met on Tuesday and agreed the budget for next year.", text);
    }

    [Fact]
    public async Task ParseAsync_FiguresSetWellApartInOneRun_StayApart()
    {
        // Glyphs more than an em apart (16 pt of character spacing on 12 pt figures) are figures placed one by one, not a
        // letter-spaced word; kerned text, with unequal gaps, is no letter spacing either.
        var pdf = PdfFiles.OnePage(
            "BT /F1 12 Tf 16 Tc 72 740 Td (2569) Tj ET\n"
                + "BT /F1 12 Tf 0 Tc 72 700 Td [(W) 80 (ave) -600 (to) -600 (AV) 90 (A)] TJ ET",
            Font);

        var text = (await _parser.ParseAsync(pdf, "figures.pdf")).Text;

        Assert.Contains("2 5 6 9", text);
        Assert.Contains("Wave to AVA", text);
    }

    [Fact]
    public async Task ParseAsync_TeXLogos_AreReadAsOneWord()
    {
        // TeX's logo lowers its E by half an ex and kerns it and the X back (0.1667 and 0.125 em); LaTeX's sets a smaller A
        // raised and kerned 0.36 em back into the L. Each glyph here is placed as TeX places it (Helvetica at 10 pt). A
        // subscript between two letters joins its word as well.
        var pdf = PdfFiles.OnePage(
            "BT /F1 10 Tf 72 700 Td (Use bibT) Tj ET BT /F1 10 Tf 110.34 697.85 Td (E) Tj ET BT /F1 10 Tf 115.76 700 Td (X for references.) Tj ET\n"
                + "BT /F1 10 Tf 72 680 Td (L) Tj ET BT /F1 7 Tf 73.96 682.1 Td (A) Tj ET BT /F1 10 Tf 77.13 680 Td (T) Tj ET "
                + "BT /F1 10 Tf 81.57 677.85 Td (E) Tj ET BT /F1 10 Tf 86.99 680 Td (X is a document preparation system.) Tj ET\n"
                + "BT /F1 10 Tf 72 660 Td (Water is H) Tj ET BT /F1 7 Tf 118.91 657 Td (2) Tj ET BT /F1 10 Tf 122.8 660 Td (O.) Tj ET",
            Font);

        var text = (await _parser.ParseAsync(pdf, "tex.pdf")).Text;

        Assert.Contains("Use bibTEX for references.", text);
        Assert.Contains("LATEX is a document preparation system.", text);
        Assert.Contains("Water is H2O.", text);
    }

    [Fact]
    public async Task ParseAsync_SubscriptTouchingItsVariable_IsReadAsOneWord()
    {
        // "v" at 12 pt with "ul" at 8 pt set 3 pt lower, right after the v's advance (6 pt): a subscripted variable, one word
        // for pdftotext and for a reader; a word set apart by a real gap stays apart.
        var pdf = PdfFiles.OnePage(
            "BT /F1 12 Tf 72 700 Td (The upper bound v) Tj ET BT /F1 8 Tf 172.8 697 Td (ul) Tj ET "
                + "BT /F1 12 Tf 182 700 Td (holds, and so does ) Tj ET BT /F1 8 Tf 300 697 Td (2) Tj ET",
            Font);

        var document = await _parser.ParseAsync(pdf, "subscript.pdf");

        Assert.Contains("The upper bound vul holds", document.Text);
        Assert.DoesNotContain("does2", document.Text);
    }

    [Fact]
    public async Task ParseAsync_NextWordAPointSmallerOverItsSpaceGlyph_IsNotTakenForAScript()
    {
        // A monospaced form (pdf.js issue14415): "necessary " at 10 pt, then "to" at 9 pt drawn just after the y, over the space.
        var pdf = PdfFiles.OnePage(
            "BT /F1 10 Tf 72 700 Td (It is necessary ) Tj ET BT /F1 9 Tf 162.6 700 Td (to enter into it.) Tj ET",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>");

        var document = await _parser.ParseAsync(pdf, "monospaced.pdf");

        Assert.Contains("necessary to enter", document.Text);
    }

    [Fact]
    public async Task ParseAsync_PageWithoutSpaceGlyphs_SplitsWordsByTheGapsBetweenGlyphs()
    {
        // Every glyph placed on its own, as many generators do: no space characters at all, only gaps.
        using var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(595, 842);
        var words = "an approach to block cipher implementation on small devices with little memory".Split(' ');
        for (var line = 0; line < 3; line++)
        {
            var x = 50.0;
            foreach (var word in words)
            {
                foreach (var c in word)
                {
                    var placed = page.AddText(c.ToString(), 11, new PdfPoint(x, 780 - (line * 14)), font);
                    x = placed[^1].EndBaseLine.X;
                }

                x += 3.5;
            }
        }

        var document = await _parser.ParseAsync(builder.Build(), "nospaces.pdf");

        Assert.Contains("approach to block cipher implementation", document.Text);
    }

    [Fact]
    public async Task ParseAsync_ScatteredSingleGlyphs_AreNotATable()
    {
        var lines = new List<PdfFiles.Line> { new(50, 800, "Survey of the northern plot") };
        var random = new Random(7);
        for (var row = 0; row < 6; row++)
        {
            for (var col = 0; col < 5; col++)
            {
                lines.Add(new PdfFiles.Line(60 + (col * 90) + random.Next(30), 700 - (row * 14), random.Next(10).ToString(CultureInfo.InvariantCulture)));
            }
        }

        var document = await _parser.ParseAsync(PdfFiles.Create([lines]), "plot.pdf");

        Assert.DoesNotContain(document.Pages[0].Paragraphs, p => p.Kind == DocumentParagraphKind.Table);
        Assert.DoesNotContain(" | ", document.Text);
    }

    [Theory]
    [InlineData(0.16)]
    [InlineData(0.4)]
    public async Task ParseAsync_FakeBoldDrawnTwiceAHairApart_ReadsEachLetterOnce(double offset)
    {
        var lines = new List<PdfFiles.Line> { new(50, 700, "Test test letter", 25), new(50 + offset, 700, "Test test letter", 25) };

        var text = (await _parser.ParseAsync(PdfFiles.Create([lines]), "bold.pdf")).Text;

        Assert.Equal("Test test letter", text.Trim());
    }

    [Fact]
    public async Task ParseAsync_FakeBoldDrawnFourTimesDiagonallyApart_ReadsEachLetterOnce()
    {
        // As pdfplumber's issue-842 draws its headings: four copies, 0.24 pt apart to the side and up or down, so two copies sit
        // on a baseline of their own.
        var lines = new List<PdfFiles.Line>
        {
            new(128.16, 737.36, "Annual report 2011", 26), new(127.92, 737.12, "Annual report 2011", 26),
            new(128.16, 737.12, "Annual report 2011", 26), new(127.92, 737.36, "Annual report 2011", 26),
            new(128, 700, "Stock code: 300218", 12),
        };

        var text = (await _parser.ParseAsync(PdfFiles.Create([lines]), "bold4.pdf")).Text;

        Assert.Equal(1, CountOf(text, "Annual"));
        Assert.Contains("Annual report 2011", text);
        Assert.Contains("Stock code: 300218", text);
    }

    private static int CountOf(string text, string word) => text.Split(word).Length - 1;

    [Fact]
    public async Task ParseAsync_RealTableWithWords_IsStillATable()
    {
        var lines = new List<PdfFiles.Line>
        {
            new(50, 700, "City"), new(200, 700, "Population"), new(350, 700, "Region"),
            new(50, 686, "Oslo"), new(200, 686, "709000"), new(350, 686, "East"),
            new(50, 672, "Bergen"), new(200, 672, "291000"), new(350, 672, "West"),
        };

        var document = await _parser.ParseAsync(PdfFiles.Create([lines]), "table.pdf");

        Assert.Contains(document.Pages[0].Paragraphs, p => p.Kind == DocumentParagraphKind.Table && p.Text.Contains("Bergen", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\u05DD\u05D5\u05DC\u05E9", "\u05E9\u05DC\u05D5\u05DD")] // Hebrew "shalom", glyphs in visual order
    [InlineData("2024 \u05EA\u05E0\u05E9", "\u05E9\u05E0\u05EA 2024")] // a number keeps its digit order
    [InlineData("plain text", "plain text")]
    [InlineData("\u06F1\u06F3\u06F8\u06F7 \u0644\u0627\u0633", "\u0633\u0627\u0644 \u06F1\u06F3\u06F8\u06F7")] // Persian "sal 1387": Persian digits keep their order
    [InlineData("\u0662\u0665\u066B\u0663 \u0645", "\u0645 \u0662\u0665\u066B\u0663")] // Arabic-Indic digits with their decimal separator
    public void ToLogicalOrder_VisualRightToLeftText_ComesOutInReadingOrder(string visual, string logical) =>
        Assert.Equal(logical, PdfText.ToLogicalOrder([.. visual.Select(c => c.ToString())])); // each character a glyph

    [Theory]
    [InlineData("1 2 166666666666666666666666666")] // pdf.js's REDHAT-1531897-0
    [InlineData("1 2 -5")]
    [InlineData("1 +99999999999999999999 2")]
    [InlineData("1 2 3000000000")]
    public async Task ParseAsync_CrossReferenceStreamWithImpossibleFieldWidths_IsRefusedWithoutEndingTheProcess(string widths)
    {
        // PdfPig converts the widths to int unchecked and hands a negative line length to stackalloc: a stack overflow, which
        // no catch survives (every case here ended the process with exit code 134 before the repair).
        const string Header = "%PDF-1.5\n";
        var pdf = Encoding.Latin1.GetBytes(Header
            + $"1 0 obj\n<</Type/XRef/Size 2/W[{widths}]/Root 2 0 R/Length 4>>stream\n\u0001\u0000\u000f\u0000\nendstream\nendobj\n"
            + $"startxref\n{Header.Length}\n%%EOF\n");

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(pdf, "xref-widths.pdf"));

        Assert.Contains("xref-widths.pdf", error.Message);
    }

    [Fact]
    public void XrefWidthRepair_LeavesSoundWidthsAndFontWidthArraysAlone()
    {
        var sound = Encoding.Latin1.GetBytes("1 0 obj\n<</Type/XRef/W [1 4 2]/Size 9>>stream\nxx\nendstream\n");
        var font = Encoding.Latin1.GetBytes("5 0 obj\n<</Type/Font/Subtype/CIDFontType2/W [1 [500 600] 10 20 1000]>>\nendobj\n");
        var bad = Encoding.Latin1.GetBytes("1 0 obj\n<</Type /XRef /W [1 2 166666666666666666666666666]>>stream\n");

        Assert.Null(PdfXrefWidthRepair.Repaired(sound));
        Assert.Null(PdfXrefWidthRepair.Repaired(font));
        var repaired = PdfXrefWidthRepair.Repaired(bad);
        Assert.NotNull(repaired);
        Assert.Equal(bad.Length, repaired.Length);
        Assert.Contains("/W [1 2 0                          ]", Encoding.Latin1.GetString(repaired), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParseAsync_SpaceDrawnAtTheStartOfAnEarlierGlyph_PartsTheWordsOnThatGlyphsLeft()
    {
        // Persian "shabake-ha" (networks) drawn right to left, glyph by glyph: its zero-width non-joiner is a space glyph drawn
        // after the heh it follows, at that heh's left edge. Ordered by position with the tie broken by drawing order, the
        // space fell after the heh and the words read "شبک هها".
        var map = new Dictionary<char, string> { ['A'] = "\u0627", ['B'] = "\u0647", ['D'] = "\u06A9", ['E'] = "\u0628", ['F'] = "\u0634", ['Z'] = " " };
        PdfFiles.Glyph[] glyphs = [new('F', 196, 700), new('E', 180, 700), new('D', 164, 700), new('B', 148, 700), new('Z', 148, 700), new('B', 132, 700), new('A', 116, 700)];

        var text = (await _parser.ParseAsync(PdfFiles.Glyphs(map, glyphs), "persian.pdf")).Text;

        Assert.Equal("\u0634\u0628\u06A9\u0647 \u0647\u0627", text.Trim());
    }

    [Fact]
    public async Task ParseAsync_ArabicLamAlefLigature_KeepsLamBeforeAlef()
    {
        // Persian "ettela'at" (information) drawn right to left, one glyph a word's lam-alef ligature whose map gives "لا" (lam,
        // alef; U+FEFC, its final form, folds to the same). Reversed with the word's characters, the ligature read "ال".
        var map = new Dictionary<char, string> { ['A'] = "\u0627", ['B'] = "\u0637", ['C'] = "\uFEFC", ['D'] = "\u0639", ['E'] = "\u062A" };
        PdfFiles.Glyph[] glyphs = [new('A', 196, 700), new('B', 180, 700), new('C', 164, 700), new('D', 148, 700), new('A', 132, 700), new('E', 116, 700)];

        var text = (await _parser.ParseAsync(PdfFiles.Glyphs(map, glyphs), "persian.pdf")).Text;

        Assert.Equal("\u0627\u0637\u0644\u0627\u0639\u0627\u062A", text.Trim().Normalize(NormalizationForm.FormC));
    }

    [Fact]
    public void Clean_ControlCharactersAndReplacementCharacters_AreDropped()
    {
        var cleaned = PdfText.Clean("a\u0001b\uFFFDc\uE000d\u200De");

        Assert.Equal("abcd\u200De", cleaned);
    }

    [Fact]
    public void Clean_ArabicPresentationForms_FoldToLetters() =>
        Assert.Equal("\u0644\u0627", PdfText.Clean("\uFEFB").Normalize(NormalizationForm.FormC));

    [Theory]
    [InlineData("[", "]")]
    [InlineData("<< /K ", ">>")]
    public async Task ParseAsync_ArraysOrDictionariesNestedVeryDeep_ThrowsInsteadOfOverflowingTheStack(string open, string close)
    {
        const int depth = 100_000;
        var nested = string.Concat(Enumerable.Repeat(open, depth)) + string.Concat(Enumerable.Repeat(close, depth));
        var pdf = PdfFiles.Raw(
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            $"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Junk {nested} >>",
        ]);

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(pdf, "nested.pdf"));

        Assert.Contains("nested.pdf", error.Message);
    }

    [Fact]
    public async Task ParseAsync_PageTreeNestedVeryDeep_EndsWithoutCrashing()
    {
        const int depth = 3_000;
        var objects = new List<string> { "<< /Type /Catalog /Pages 2 0 R >>" };
        for (var i = 0; i < depth; i++)
        {
            var number = objects.Count + 1;
            objects.Add(string.Create(CultureInfo.InvariantCulture, $"<< /Type /Pages /Kids [{number + 1} 0 R] /Count 1 >>"));
        }

        objects.Add("<< /Type /Page /MediaBox [0 0 612 792] >>");

        var read = await Record.ExceptionAsync(() => _parser.ParseAsync(PdfFiles.Raw(objects), "tree.pdf"));

        Assert.True(read is null or DocumentParseException, read?.ToString());
    }

    [Fact]
    public void Describe_FrameworkExceptionFromInsideTheLibrary_SaysTheLibraryFailed()
    {
        var text = PdfDocumentReader.Describe(new NullReferenceException("Object reference not set"), "page 3 is damaged", "the PDF library failed on page 3");

        Assert.StartsWith("the PDF library failed on page 3: NullReferenceException", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Object reference not set", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_FeatureTheLibraryLacks_SaysSoWithTheLibrarysWords()
    {
        var text = PdfDocumentReader.Describe(new NotSupportedException("The JBIG2 Filter for monochrome image data is not currently supported."), "page 1 is damaged", "the PDF library failed on page 1");

        Assert.Equal("the PDF library failed on page 1: it does not support what the file uses (The JBIG2 Filter for monochrome image data is not currently supported.).", text);
    }

    [Fact]
    public void Describe_FormatErrorOfTheFile_SaysTheFileIsDamaged()
    {
        var text = PdfDocumentReader.Describe(new UglyToad.PdfPig.Core.PdfDocumentFormatException("bad xref"), "page 3 is damaged", "the PDF library failed on page 3");

        Assert.Equal("page 3 is damaged (bad xref).", text);
    }

    private static byte[] TwoPages(string first, string second) => PdfFiles.Raw(
    [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        PdfFiles.Stream(string.Empty, first),
        Font,
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 7 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        PdfFiles.Stream(string.Empty, second),
    ]);
}
