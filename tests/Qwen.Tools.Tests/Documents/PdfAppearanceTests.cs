using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Tools.Tests.Documents;

/// <summary>Text that exists only in annotation appearance streams (/AP /N): fields without a value, list boxes, free text, hostile streams.</summary>
public sealed class PdfAppearanceTests : IDisposable
{
    private const string Helvetica = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
    private readonly DocumentParser _parser = new();

    public void Dispose() => _parser.Dispose();

    /// <summary>
    /// A one-page PDF: the page draws <paramref name="content"/> with /F1 (object 5, Helvetica); its annotations are objects 6 on
    /// (<paramref name="annotations"/>, then <paramref name="more"/>); the catalog's form has <paramref name="form"/> as entries.
    /// </summary>
    private static byte[] Page(string content, string[] annotations, string form = "", params string[] more)
    {
        var references = string.Join(' ', annotations.Select((_, i) => $"{6 + i} 0 R"));
        return PdfFiles.Raw(
        [
            $"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [{references}] {form} >> >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            $"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots [{references}] >>",
            PdfFiles.Stream(string.Empty, content),
            Helvetica,
            .. annotations,
            .. more,
        ]);
    }

    [Fact]
    public async Task ParseAsync_FieldWithoutValueWhoseAppearanceDrawsText_ReadsTheText()
    {
        // As a form filled and saved by a tool that wrote the appearance but no /V: the text is only in the appearance stream.
        var pdf = Page(
            "BT /F1 12 Tf 72 700 Td (Witness:) Tj ET",
            ["<< /Type /Annot /Subtype /Widget /FT /Tx /T (witness) /Rect [130 695 330 715] /AP << /N 7 0 R >> >>"],
            string.Empty,
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /Helv 5 0 R >> >>",
                "/Tx BMC BT /Helv 12 Tf 2 5 Td (Ada Lovelace) Tj ET EMC"));

        var document = await _parser.ParseAsync(pdf, "appearance-only.pdf");

        // Laid out where it is drawn: on the label's line, after it.
        Assert.Contains("Witness: Ada Lovelace", document.Text);
    }

    [Fact]
    public async Task ParseAsync_FieldWhoseAppearanceDrawsItsValue_ReadsTheValueOnce()
    {
        var pdf = Page(
            "BT /F1 12 Tf 72 700 Td (Name:) Tj ET",
            ["<< /Type /Annot /Subtype /Widget /FT /Tx /T (applicant) /V (Grace Hopper) /Rect [130 695 330 715] /AP << /N 7 0 R >> >>"],
            string.Empty,
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /Helv 5 0 R >> >>",
                "/Tx BMC BT /Helv 12 Tf 2 5 Td (Grace Hopper) Tj ET EMC"));

        var document = await _parser.ParseAsync(pdf, "value-drawn.pdf");

        Assert.Contains("Name: Grace Hopper", document.Text);
        Assert.Equal(2, document.Text.Split("Grace Hopper").Length);
    }

    [Fact]
    public async Task ParseAsync_ListBoxWhoseAppearanceDrawsItsOptions_ReadsTheUnselectedOptions()
    {
        var pdf = Page(
            "BT /F1 12 Tf 72 700 Td (Preferred harbour) Tj ET",
            ["<< /Type /Annot /Subtype /Widget /FT /Ch /T (harbour) /Opt [(Portsmouth) (Plymouth) (Falmouth)] /V (Plymouth) /Rect [72 600 272 660] /AP << /N 7 0 R >> >>"],
            string.Empty,
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 200 60] /Resources << /Font << /Helv 5 0 R >> >>",
                "/Tx BMC BT /Helv 12 Tf 2 45 Td (Portsmouth) Tj 0 -18 Td (Plymouth) Tj 0 -18 Td (Falmouth) Tj ET EMC"));

        var document = await _parser.ParseAsync(pdf, "list-box.pdf");

        Assert.Contains("Portsmouth", document.Text);
        Assert.Contains("Falmouth", document.Text);
        Assert.Equal(2, document.Text.Split("Plymouth").Length);
    }

    [Fact]
    public async Task ParseAsync_ListBoxWithAnEmptyAppearance_NamesItsOptions()
    {
        // /NeedAppearances: the viewer is to build the appearance, and the stored one is empty; poppler draws every option.
        var pdf = Page(
            "BT /F1 12 Tf 72 700 Td (Preferred harbour) Tj ET",
            ["<< /Type /Annot /Subtype /Widget /FT /Ch /T (harbour) /Opt [(Portsmouth) (Plymouth) (Falmouth)] /V (Plymouth) /Rect [72 600 272 660] /AP << /N 7 0 R >> >>"],
            "/NeedAppearances true",
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 200 60]", "/Tx BMC EMC"));

        var document = await _parser.ParseAsync(pdf, "list-box-empty.pdf");

        Assert.Contains("harbour: Plymouth (options: Portsmouth, Plymouth, Falmouth)", document.Text);
    }

    [Fact]
    public async Task ParseAsync_FreeTextWithOnlyAnAppearance_ReadsIt()
    {
        var pdf = Page(
            "BT /F1 12 Tf 72 700 Td (Survey of the north quay) Tj ET",
            ["<< /Type /Annot /Subtype /FreeText /Rect [72 500 372 520] /DA (/Helv 12 Tf) /AP << /N 7 0 R >> >>"],
            string.Empty,
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 300 20] /Resources << /Font << /Helv 5 0 R >> >>",
                "BT /Helv 12 Tf 2 5 Td (Bollards replaced in March) Tj ET"));

        var document = await _parser.ParseAsync(pdf, "free-text.pdf");

        Assert.Contains("Bollards replaced in March", document.Text);
    }

    [Fact]
    public async Task ParseAsync_AppearanceWhoseFontIsOnlyInTheFormsDefaultResources_ReadsItsText()
    {
        // As qpdf's resource-from-dr: the appearance names /Helv, which only /AcroForm /DR defines.
        var pdf = Page(
            "BT /F1 12 Tf 72 700 Td (Inspector) Tj ET",
            ["<< /Type /Annot /Subtype /Widget /FT /Tx /T (inspector) /Rect [150 695 350 715] /AP << /N 7 0 R >> >>"],
            "/DR << /Font << /Helv 5 0 R >> >>",
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << >>", "BT /Helv 12 Tf 2 5 Td (Mary Somerville) Tj ET"));

        var document = await _parser.ParseAsync(pdf, "default-resources.pdf");

        Assert.Contains("Mary Somerville", document.Text);
    }

    [Fact]
    public async Task ParseAsync_AppearanceTextOverflowingTheFieldsRectangle_IsClippedAway()
    {
        // A viewer clips an appearance to its rectangle; the overflow of a narrow field ran into the next field's words.
        var pdf = Page(
            "BT /F1 12 Tf 72 700 Td (Codes) Tj ET",
            ["<< /Type /Annot /Subtype /Widget /FT /Tx /T (code) /Rect [72 600 132 620] /AP << /N 7 0 R >> >>"],
            string.Empty,
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 60 20] /Resources << /Font << /Helv 5 0 R >> >>",
                "BT /Helv 10 Tf 2 5 Td (QX7) Tj 200 0 Td (overflowing) Tj ET"));

        var document = await _parser.ParseAsync(pdf, "overflow.pdf");

        Assert.Contains("QX7", document.Text);
        Assert.DoesNotContain("overflowing", document.Text);
    }

    [Fact]
    public async Task ParseAsync_HiddenAnnotationAndStateNotChosen_AreNotRead()
    {
        var pdf = Page(
            "BT /F1 12 Tf 72 700 Td (Checklist) Tj ET",
            [
                "<< /Type /Annot /Subtype /Widget /FT /Tx /T (secret) /F 2 /Rect [72 600 272 620] /AP << /N 8 0 R >> >>",
                "<< /Type /Annot /Subtype /Widget /FT /Btn /T (box) /AS /Off /Rect [72 500 272 520] /AP << /N << /Yes 9 0 R /Off 10 0 R >> >> >>",
            ],
            string.Empty,
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /Helv 5 0 R >> >>", "BT /Helv 12 Tf 2 5 Td (Hidden words) Tj ET"),
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /Helv 5 0 R >> >>", "BT /Helv 12 Tf 2 5 Td (Ticked state) Tj ET"),
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /Helv 5 0 R >> >>", "BT /Helv 12 Tf 2 5 Td (Empty state) Tj ET"));

        var document = await _parser.ParseAsync(pdf, "states.pdf");

        Assert.DoesNotContain("Hidden words", document.Text);
        Assert.DoesNotContain("Ticked state", document.Text);
        Assert.Contains("Empty state", document.Text);
    }

    [Fact]
    public async Task ParseAsync_HostileAppearances_SkipsTheBombAndTheGarbageAndReadsTheRest()
    {
        // One appearance inflates to 8 MB (over the 4 MB cap), one draws codes Helvetica has no character for; a third is fine.
        var compressed = Encoding.Latin1.GetString(Deflated("BT /Helv 12 Tf 2 5 Td (Bomb words) Tj ET\n", 8 << 20));
        var pdf = Page(
            "BT /F1 12 Tf 72 700 Td (Harbour log) Tj ET",
            [
                "<< /Type /Annot /Subtype /FreeText /Rect [72 600 272 620] /AP << /N 9 0 R >> >>",
                "<< /Type /Annot /Subtype /FreeText /Rect [72 550 272 570] /AP << /N 10 0 R >> >>",
                "<< /Type /Annot /Subtype /FreeText /Rect [72 500 272 520] /AP << /N 11 0 R >> >>",
            ],
            string.Empty,
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Filter /FlateDecode /Resources << /Font << /Helv 5 0 R >> >>", compressed),
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /Helv 5 0 R >> >>", "BT /Helv 12 Tf 2 5 Td <0102030405060708> Tj ET"),
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /Helv 5 0 R >> >>", "BT /Helv 12 Tf 2 5 Td (Tide at noon) Tj ET"));

        var document = await _parser.ParseAsync(pdf, "hostile-appearance.pdf");

        Assert.Contains("Harbour log", document.Text);
        Assert.Contains("Tide at noon", document.Text);
        Assert.DoesNotContain("Bomb words", document.Text);
        Assert.DoesNotContain(document.Text, c => (char.IsControl(c) && c is not '\n' and not '\t') || c == '\uFFFD');
    }

    /// <summary>
    /// A page with two annotations: the first draws "Tide at noon"; the second (object 7, the field "berth") has resources holding
    /// a form XObject written in place rather than as a reference, which PdfPig fails on with an InvalidOperationException.
    /// </summary>
    internal static byte[] WithAnAppearanceThePdfLibraryCannotDraw() => Page(
        "BT /F1 12 Tf 72 700 Td (Harbour log) Tj ET",
        [
            "<< /Type /Annot /Subtype /FreeText /Rect [72 600 272 620] /AP << /N 8 0 R >> >>",
            "<< /Type /Annot /Subtype /Widget /FT /Tx /T (berth) /Rect [72 550 272 570] /AP << /N 9 0 R >> >>",
        ],
        string.Empty,
        PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /Helv 5 0 R >> >>", "BT /Helv 12 Tf 2 5 Td (Tide at noon) Tj ET"),
        PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /Helv 5 0 R >> /XObject << /Logo << /Subtype /Form >> >> >>",
            "BT /Helv 12 Tf 2 5 Td (Berth 4) Tj ET"));

    [Fact]
    public async Task ParseAsync_AppearanceThePdfLibraryCannotDraw_ReadsTheRestAndWarnsNamingThePageAndTheAnnotation()
    {
        // The broken appearance's text is lost; the page's own text and the other appearance are read, and the loss is reported
        // rather than swallowed: on the document, and as a logged warning, from the reader and again from the parse cache.
        using var temp = new TempDirectory();
        var logs = new FakeLogCollector();
        using var loggerFactory = new LoggerFactory([new FakeLoggerProvider(logs)]);
        using var parser = new DocumentParser(new DocumentParserOptions { CacheDirectory = temp.Path }, loggerFactory);
        var pdf = WithAnAppearanceThePdfLibraryCannotDraw();

        var document = await parser.ParseAsync(pdf, "broken-appearance.pdf");
        var cached = await parser.ParseAsync(pdf, "broken-appearance.pdf");

        Assert.Contains("Harbour log", document.Text);
        Assert.Contains("Tide at noon", document.Text);
        var warning = Assert.Single(document.Warnings);
        Assert.Equal("Page 1: the text of annotation 7 0 R (Widget, field 'berth') was left out: the PDF library failed on page 1: InvalidOperationException "
            + "(a bug in the PDF library on this file, not a known defect of the file).", warning);
        Assert.Equal(1, parser.ReaderRuns);
        Assert.Equal(document.Warnings, cached.Warnings);
        var logged = logs.GetSnapshot().Where(r => r.Id.Id == 3105).ToList();
        Assert.Equal(2, logged.Count);
        Assert.All(logged, r => Assert.Equal(LogLevel.Warning, r.Level));
        Assert.All(logged, r => Assert.Contains("broken-appearance.pdf", r.Message));
        Assert.All(logged, r => Assert.Contains(warning, r.Message));
    }

    [Fact]
    public async Task ParseAsync_AppearancesInflatingPastThePageBudget_AreDrawnUpToIt()
    {
        // Six appearances of a few kilobytes, each inflating to 3.5 MB (under the 4 MB cap of one stream): the page's 16 MB
        // budget counts them decoded, so the fifth and sixth are not drawn.
        var annotations = new List<string>();
        var streams = new List<string>();
        for (var i = 1; i <= 6; i++)
        {
            annotations.Add($"<< /Type /Annot /Subtype /FreeText /Rect [72 {700 - (i * 40)} 272 {720 - (i * 40)}] /AP << /N {11 + i} 0 R >> >>");
            streams.Add(PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Filter /FlateDecode /Resources << /Font << /Helv 5 0 R >> >>",
                Encoding.Latin1.GetString(Deflated($"BT /Helv 12 Tf 2 5 Td (Entry{i}) Tj ET\n", 3_500_000))));
        }

        var pdf = Page("BT /F1 12 Tf 72 740 Td (Ledger) Tj ET", [.. annotations], string.Empty, [.. streams]);

        var document = await _parser.ParseAsync(pdf, "budget.pdf");

        Assert.Contains("Entry1", document.Text);
        Assert.Contains("Entry4", document.Text);
        Assert.DoesNotContain("Entry5", document.Text);
        Assert.DoesNotContain("Entry6", document.Text);
    }

    /// <summary>A content stream of <paramref name="text"/> followed by spaces up to <paramref name="size"/> bytes, Flate-compressed.</summary>
    private static byte[] Deflated(string text, int size)
    {
        var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.Write(Encoding.ASCII.GetBytes(text));
            var spaces = new byte[size - text.Length];
            Array.Fill(spaces, (byte)' ');
            zlib.Write(spaces);
        }

        return output.ToArray();
    }

    [Fact]
    public async Task ParseAsync_AppearanceThatDrawsItself_IsRefusedLikeAnyFormCycle()
    {
        // Forms inside appearances go through the same nesting guard as the page's: a cycle ends in a DocumentParseException.
        var pdf = Page(
            "BT /F1 12 Tf 72 700 Td (Cycle) Tj ET",
            ["<< /Type /Annot /Subtype /FreeText /Rect [72 600 272 620] /AP << /N 7 0 R >> >>"],
            string.Empty,
            PdfFiles.Stream("/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /XObject << /Me 7 0 R >> >>", "/Me Do"));

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(pdf, "appearance-cycle.pdf"));

        Assert.Contains("cycle", error.Reason);
    }
}
