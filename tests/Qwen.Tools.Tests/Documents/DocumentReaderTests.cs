using System.Text;
using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Tools.Tests.Documents;

public sealed class DocumentReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly DocumentParser _parser = new();

    public void Dispose()
    {
        _parser.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task ParseAsync_FixturePdf_KeepsPagesHeadingsAndParagraphsInReadingOrder()
    {
        var document = await _parser.ParseAsync(Fixtures.Docs("doc.pdf"));

        Assert.Equal([1, 2, 3], document.Pages.Select(p => p.Number));
        var first = document.Pages[0].Paragraphs;
        Assert.StartsWith("# Python Image Processing Tutorial", first[0].Text);
        Assert.Contains(first, p => p.Text == "## Prerequisites");
        Assert.Contains(first, p => p.Kind == DocumentParagraphKind.ListItem && p.Text.Contains("`requests`: for downloading images"));
        Assert.Contains("## Step 3: Flipping and Rotating the Image", document.Pages[1].Text);
        Assert.Contains("## Step 4: Saving the Modified Image", document.Pages[2].Text);
        Assert.True(document.Text.IndexOf("Step 1", StringComparison.Ordinal) < document.Text.IndexOf("Step 2", StringComparison.Ordinal));
        Assert.Equal(64, document.ContentHash.Length);
    }

    [Fact]
    public async Task ParseAsync_ChinesePdf_JoinsWrappedLinesWithoutSpaces()
    {
        var document = await _parser.ParseAsync(Fixtures.Docs("poem.pdf"));

        Assert.Equal(6, document.Pages.Count);
        Assert.Contains("2、寒色孤村幕，悲风四野闻。溪深难受雪，山冻不流云。鸥鹭飞难辨，沙汀望莫分。", document.Pages[0].Text);
        Assert.Contains("——王维《观猎》", document.Pages[1].Text);
        Assert.Contains("30、北风卷地白草折", document.Pages[5].Text);
    }

    [Fact]
    public async Task ParseAsync_PdfWithAlignedColumns_KeepsTheTableAsRows()
    {
        var lines = new List<PdfFiles.Line>
        {
            new(50, 790, "Prices of the season", 16),
            new(50, 760, "City"), new(200, 760, "Fruit"), new(350, 760, "Price"),
            new(50, 745, "Lisbon"), new(200, 745, "Orange"), new(350, 745, "1.20"),
            new(50, 730, "Porto"), new(200, 730, "Pear"), new(350, 730, "0.90"),
            new(50, 700, "Prices are per kilogram at the main market."),
        };
        var path = _temp.WriteAllBytes("table.pdf", PdfFiles.Create([lines]));

        var paragraphs = (await _parser.ParseAsync(path)).Pages[0].Paragraphs;

        Assert.Equal(DocumentParagraphKind.Heading, paragraphs[0].Kind);
        var table = Assert.Single(paragraphs, p => p.Kind == DocumentParagraphKind.Table);
        Assert.Equal("| City | Fruit | Price |\n| --- | --- | --- |\n| Lisbon | Orange | 1.20 |\n| Porto | Pear | 0.90 |", table.Text);
        Assert.Equal("Prices are per kilogram at the main market.", paragraphs[^1].Text);
    }

    [Fact]
    public async Task ParseAsync_TwoColumnPdf_ReadsTheLeftColumnBeforeTheRight()
    {
        var filler = new FillerText(7);
        var left = Enumerable.Range(0, 30).Select(i => new PdfFiles.Line(40, 760 - (i * 14), $"Left{i} " + string.Join(' ', Enumerable.Range(0, 5).Select(_ => filler.Word())), 9)).ToList();
        var right = Enumerable.Range(0, 30).Select(i => new PdfFiles.Line(320, 760 - (i * 14), $"Right{i} " + string.Join(' ', Enumerable.Range(0, 5).Select(_ => filler.Word())), 9)).ToList();
        var path = _temp.WriteAllBytes("columns.pdf", PdfFiles.Create([[new PdfFiles.Line(40, 800, "A Title Across Both Columns Of The Page", 18), .. left, .. right]]));

        var text = (await _parser.ParseAsync(path)).Text;

        Assert.True(text.IndexOf("Title Across", StringComparison.Ordinal) < text.IndexOf("Left0 ", StringComparison.Ordinal));
        Assert.True(text.IndexOf("Left29 ", StringComparison.Ordinal) < text.IndexOf("Right0 ", StringComparison.Ordinal), text);
    }

    [Fact]
    public async Task ParseAsync_Docx_ReadsHeadingsListsTablesAndPageBreaks()
    {
        var path = _temp.WriteAllBytes("report.docx", OfficeFiles.Docx());

        var document = await _parser.ParseAsync(path);

        Assert.Equal("Annual Report", document.Title);
        Assert.Equal(2, document.Pages.Count);
        var first = document.Pages[0].Paragraphs;
        Assert.Equal(new DocumentParagraph(DocumentParagraphKind.Heading, "# Annual Report", 1), first[0]);
        Assert.Equal(new DocumentParagraph(DocumentParagraphKind.Text, "The harbor project finished ahead of schedule."), first[1]);
        Assert.Equal(new DocumentParagraph(DocumentParagraphKind.ListItem, "- First milestone reached"), first[2]);
        Assert.Equal(new DocumentParagraph(DocumentParagraphKind.Heading, "## Figures", 2), first[4]);
        Assert.Equal("| Quarter | Revenue |\n| --- | --- |\n| Q1 | 1200 |\n| Q2 | 1350 |", first[5].Text);
        Assert.Equal("Second page text about the lighthouse.", document.Pages[1].Text);
    }

    [Fact]
    public async Task ParseAsync_Docx_ReadsTextBoxesOnceNotesAtTheFootOfTheirPageAndHeadersAndFootersOnce()
    {
        var path = _temp.WriteAllBytes("tides.docx", OfficeFiles.DocxWithNotesAndMargins());

        var document = await _parser.ParseAsync(path);

        Assert.Equal(2, document.Pages.Count);
        Assert.Equal(
            [
                "Harbor Authority, internal",
                "Tides rise twice a day.[^1]",
                "Contact the harbor office. Open daily.",
                "Jane Smith",
                "Harbor Master",
                "[^1]: Measured at the north pier.",
            ],
            document.Pages[0].Paragraphs.Select(p => p.Text));
        Assert.Equal(
            [
                "港の地図",
                "Ferries leave from Oslo",
                "Survey",
                "Dredge",
                "Depth: h+2",
                "The pier reopened.[^2][^i]",
                "[^2]: Survey of 2023.",
                "[^i]: Tables are in the appendix.",
                "Printed for the board, page of",
            ],
            document.Pages[1].Paragraphs.Select(p => p.Text));
    }

    [Fact]
    public async Task ParseAsync_Pptx_ReadsOneSlidePerPageWithTitleTextTableAndNotes()
    {
        var path = _temp.WriteAllBytes("review.pptx", OfficeFiles.Pptx());

        var document = await _parser.ParseAsync(path);

        Assert.Equal("Quarterly Review", document.Title);
        Assert.Equal(2, document.Pages.Count);
        Assert.Equal(
            ["# Quarterly Review", "Sales grew in every region.", "Notes: Mention the new warehouse."],
            document.Pages[0].Paragraphs.Select(p => p.Text));
        Assert.Equal(
            ["# Details", "| Region | Growth |\n| --- | --- |\n| North | 12% |", "Below the table."],
            document.Pages[1].Paragraphs.Select(p => p.Text));
        Assert.Equal(DocumentParagraphKind.Notes, document.Pages[0].Paragraphs[2].Kind);
    }

    [Fact]
    public async Task ParseAsync_Pptx_ReadsSmartArtTextAndAlternativeShapesOnce()
    {
        var path = _temp.WriteAllBytes("plan.pptx", OfficeFiles.PptxWithDiagramAndAlternatives());

        var document = await _parser.ParseAsync(path);

        Assert.Equal(["# Plan", "Launch in May.", "Design\nBuild\nShip"], document.Pages.Single().Paragraphs.Select(p => p.Text));
    }

    [Fact]
    public async Task ParseAsync_Xlsx_RendersEachSheetAsAMarkdownTable()
    {
        var path = _temp.WriteAllBytes("stock.xlsx", OfficeFiles.Xlsx());

        var document = await _parser.ParseAsync(path);

        Assert.Equal(2, document.Pages.Count);
        Assert.Equal("## Sheet: Inventory", document.Pages[0].Paragraphs[0].Text);
        Assert.Equal(
            "| Item | Price | Sold | Date |\n| --- | --- | --- | --- |\n| Lamp \\| brass | 19.5 | TRUE | 2024-01-01 |\n| Desk |  | 3 |",
            document.Pages[0].Paragraphs[1].Text);
        Assert.Equal("## Sheet: Other\n| Notes |\n| --- |", document.Pages[1].Text);
    }

    [Fact]
    public async Task ParseAsync_Html_KeepsVisibleTextHeadingsAndTablesOnly()
    {
        const string html = """
            <!DOCTYPE html><html><head><title>Harbor &amp; Sea</title><style>body { color: red }</style>
            <script>var secret = "do not show";</script></head>
            <body><nav hidden>Hidden menu</nav>
            <h1>Tides</h1><p>The tide rises <b>twice</b> a day.<br>Sometimes higher.</p>
            <!-- a comment that must not show -->
            <ul><li>Spring tide</li><li>Neap tide</li></ul>
            <div style="display: none">Invisible block</div>
            <table><tr><th>Port</th><th>Range</th></tr><tr><td>Brest</td><td>7 m</td></tr></table>
            <p>After the table &lt;end&gt;.</p>
            </body></html>
            """;
        var path = _temp.WriteAllText("page.html", html);

        var document = await _parser.ParseAsync(path);

        Assert.Equal("Harbor & Sea", document.Title);
        Assert.Equal(
            ["# Tides", "The tide rises twice a day.\nSometimes higher.", "- Spring tide", "- Neap tide", "| Port | Range |\n| --- | --- |\n| Brest | 7 m |", "After the table <end>."],
            document.Pages[0].Paragraphs.Select(p => p.Text));
        Assert.DoesNotContain("secret", document.Text);
        Assert.DoesNotContain("Hidden", document.Text);
        Assert.DoesNotContain("Invisible", document.Text);
        Assert.DoesNotContain("comment", document.Text);
    }

    [Fact]
    public async Task ParseAsync_Markdown_SplitsParagraphsAndHeadings()
    {
        var path = _temp.WriteAllText("notes.md", "# Title\n\nFirst paragraph\nstill first.\n\n## Part two\n\n- a list\n\n```\ncode\n\nmore code\n```\n");

        var paragraphs = (await _parser.ParseAsync(path)).Pages[0].Paragraphs;

        Assert.Equal(["# Title", "First paragraph\nstill first.", "## Part two", "- a list", "```\ncode\n\nmore code\n```"], paragraphs.Select(p => p.Text));
        Assert.Equal(DocumentParagraphKind.Heading, paragraphs[2].Kind);
        Assert.Equal(2, paragraphs[2].Level);
    }

    [Fact]
    public async Task ParseAsync_FixtureCsv_RendersAMarkdownTable()
    {
        var document = await _parser.ParseAsync(Fixtures.Docs("stock_prices.csv"));

        var table = Assert.Single(document.Pages[0].Paragraphs);
        Assert.Equal(DocumentParagraphKind.Table, table.Kind);
        Assert.StartsWith("|  | Date | Open | High | Low | Close | Adj | Close | Volume |\n| --- |", table.Text);
        Assert.Contains("| 0 | 2020/1/3 | 74.13 | 74.31 | 73.6 | 73.91 | 73.91 | 17423000 | 36237000 |", table.Text);
    }

    [Fact]
    public async Task ParseAsync_CsvWithQuotesAndTsv_ParsesFieldsCorrectly()
    {
        var csv = _temp.WriteAllText("q.csv", "name,comment\r\n\"Smith, J\",\"said \"\"hi\"\"\nthen left\"\r\n");
        var tsv = _temp.WriteAllText("t.tsv", "a\tb\n1\t2\n");

        var csvText = (await _parser.ParseAsync(csv)).Text;
        var tsvText = (await _parser.ParseAsync(tsv)).Text;

        Assert.Equal("| name | comment |\n| --- | --- |\n| Smith, J | said \"hi\" then left |", csvText);
        Assert.Equal("| a | b |\n| --- | --- |\n| 1 | 2 |", tsvText);
    }

    [Fact]
    public async Task ParseAsync_Json_LaysOutTheValueIndented()
    {
        var path = _temp.WriteAllText("data.json", "{\"name\":\"灯塔\",\"values\":[1,2]}");

        var text = (await _parser.ParseAsync(path)).Text;

        Assert.Equal("{\n  \"name\": \"灯塔\",\n  \"values\": [\n    1,\n    2\n  ]\n}", text.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task ParseAsync_BytesInMemory_AreReadByTheirFileNamesExtension()
    {
        var document = await _parser.ParseAsync(Encoding.UTF8.GetBytes("# Memo\n\nIn memory."), "memo.md");
        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(new byte[] { 1, 2 }, "blob.bin"));

        Assert.Equal("memo.md", document.Source);
        Assert.Equal("Memo", document.Title);
        Assert.Equal("# Memo\nIn memory.", document.Text);
        Assert.Contains("'.bin' is not supported", error.Reason);
    }

    [Theory]
    [InlineData("utf-8")]
    [InlineData("utf-8-bom")]
    [InlineData("utf-16le-bom")]
    [InlineData("utf-16be-bom")]
    [InlineData("utf-16le")]
    [InlineData("gbk")]
    [InlineData("shift_jis")]
    [InlineData("windows-1252")]
    public async Task ParseAsync_TextInAnyCommonEncoding_DecodesIt(string encodingName)
    {
        var text = encodingName switch
        {
            "gbk" => "春风又绿江南岸，明月何时照我还？这是一段中文文本。",
            "shift_jis" => "これは日本語のテキストです。ひらがなとカタカナ。",
            "windows-1252" => "Café crème brûlée — naïve façade",
            _ => "Mixed text: 春风又绿江南岸 and café ✓",
        };
        CodePages();
        byte[] bytes = encodingName switch
        {
            "utf-8" => Encoding.UTF8.GetBytes(text),
            "utf-8-bom" => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)],
            "utf-16le-bom" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)],
            "utf-16be-bom" => [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)],
            "utf-16le" => Encoding.Unicode.GetBytes("Plain ASCII text stored as UTF-16 without a mark."),
            _ => Encoding.GetEncoding(encodingName).GetBytes(text),
        };
        var path = _temp.WriteAllBytes($"{encodingName}.txt", bytes);

        var decoded = (await _parser.ParseAsync(path)).Text;

        Assert.Equal(encodingName == "utf-16le" ? "Plain ASCII text stored as UTF-16 without a mark." : text, decoded);
    }

    private static void CodePages() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
}
