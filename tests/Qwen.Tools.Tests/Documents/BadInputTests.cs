using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using S = DocumentFormat.OpenXml.Spreadsheet;
using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Tools.Tests.Documents;

public sealed class BadInputTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly DocumentParser _parser = new();

    public void Dispose()
    {
        _parser.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task ParseAsync_CorruptPdf_ThrowsNamingTheFile()
    {
        var path = _temp.WriteAllText("corrupt.pdf", "%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without structure");

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(path));

        Assert.Equal(path, error.FileName);
        Assert.Contains("corrupt.pdf", error.Message);
        Assert.Contains("damaged", error.Reason);
    }

    [Fact]
    public async Task ParseAsync_TruncatedPdf_Throws()
    {
        var bytes = await File.ReadAllBytesAsync(Fixtures.Docs("doc.pdf"));
        var path = _temp.WriteAllBytes("truncated.pdf", bytes[..(bytes.Length * 6 / 10)]);

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(path));

        Assert.Contains("truncated.pdf", error.Message);
    }

    [Fact]
    public async Task ParseAsync_CompletePdfWithAWrongCrossReferenceOffset_IsStillRead()
    {
        var bytes = PdfFiles.FromParagraphs([["The lighthouse stands on the northern cape."]]);
        var text = Encoding.Latin1.GetString(bytes);
        var at = text.LastIndexOf("startxref", StringComparison.Ordinal) + "startxref".Length;
        var end = text.IndexOf("%%EOF", at, StringComparison.Ordinal);
        var damaged = text[..at] + "\n17\n" + text[end..];

        // Strict parsing (which refuses truncated files) still finds the objects of a complete file whose offsets are off.
        var path = _temp.WriteAllBytes("offset.pdf", Encoding.Latin1.GetBytes(damaged));

        var document = await _parser.ParseAsync(path);

        Assert.Equal("The lighthouse stands on the northern cape.", document.Text);
    }

    [Fact]
    public async Task ParseAsync_PasswordProtectedPdf_SaysItIsEncrypted()
    {
        var path = _temp.WriteAllBytes("secret.pdf", PdfFiles.Encrypted());

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(path));

        Assert.Contains("encrypted", error.Reason);
        Assert.Contains("password", error.Reason);
    }

    [Fact]
    public async Task ParseAsync_FileWithPdfExtensionButOtherContent_SaysItIsNotAPdf()
    {
        var path = _temp.WriteAllText("fake.pdf", "just some text");

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(path));

        Assert.Contains("not a PDF", error.Reason);
    }

    [Theory]
    [InlineData("report.docx", "DOCX")]
    [InlineData("slides.pptx", "PPTX")]
    [InlineData("book.xlsx", "XLSX")]
    public async Task ParseAsync_OfficeFileThatIsNotAZip_SaysSo(string name, string kind)
    {
        var path = _temp.WriteAllText(name, "this is not a zip archive at all");

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(path));

        Assert.Contains(name, error.Message);
        Assert.Contains($"not a valid {kind} file", error.Reason);
    }

    [Fact]
    public async Task ParseAsync_DocxWithADuplicatedCorePropertiesPart_StillGivesItsBodyText()
    {
        using var buffer = new MemoryStream();
        buffer.Write(OfficeFiles.Docx("The orchard was planted in spring."));
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true))
        {
            for (var copy = 0; copy < 2; copy++)
            {
                using var writer = new StreamWriter(zip.CreateEntry("docProps/core.xml").Open());
                writer.Write("""<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Orchard</dc:title></cp:coreProperties>""");
            }
        }

        var document = await _parser.ParseAsync(buffer.ToArray(), "duplicated.docx");

        Assert.Contains("The orchard was planted in spring.", document.Text);
    }

    [Theory]
    [InlineData("""<dc:subject xml:lang="en">Orchards</dc:subject>""")] // OPC forbids xml:lang on core properties
    [InlineData("""<dcterms:modified xsi:type="dcterms:Date">2024-05-01</dcterms:modified>""")] // W3CDTF is the only type allowed
    public async Task ParseAsync_CorePropertiesThatPackagingRefuses_CostOnlyTheTitleWithAWarning(string property)
    {
        var bytes = Rewrite(OfficeFiles.Docx("The orchard was planted in spring."), "_rels/.rels", xml => xml.Replace(
            "</Relationships>",
            """<Relationship Id="rCore" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>""",
            StringComparison.Ordinal));
        bytes = Rewrite(bytes, "[Content_Types].xml", xml => xml.Replace(
            "</Types>",
            """<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>""",
            StringComparison.Ordinal));
        bytes = WithEntry(bytes, "docProps/core.xml", $"""
            <?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
              xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"
              xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>Orchard notes</dc:title>{property}</cp:coreProperties>
            """);

        var document = await _parser.ParseAsync(bytes, "orchard.docx");

        Assert.Contains("The orchard was planted in spring.", document.Text);
        Assert.Equal("Annual Report", document.Title); // the first heading, as for a document without a title property
        Assert.Contains(document.Warnings, w => w.Contains("properties", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ParseAsync_PackageZippedWithBackslashesAndLowerCaseNames_IsRead()
    {
        // Windows tools have written entries as "xl\worksheets\sheet1.xml" and "[content_types].xml"; Excel opens such files.
        using var buffer = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(OfficeFiles.Xlsx()), ZipArchiveMode.Read))
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var from = entry.Open();
                using var to = zip.CreateEntry(entry.FullName.Replace('/', '\\').ToLowerInvariant()).Open();
                from.CopyTo(to);
            }
        }

        var document = await _parser.ParseAsync(buffer.ToArray(), "windows.xlsx");

        Assert.Contains("| Lamp \\| brass | 19.5 |", document.Text);
    }

    [Fact]
    public async Task ParseAsync_SheetWithoutAPart_IsSkipped()
    {
        // Excel 4 macro sheets can be listed with an empty relationship id.
        var bytes = Rewrite(OfficeFiles.Xlsx(), "xl/workbook.xml", xml => xml.Replace(
            "</x:sheets>", """<x:sheet name="Module" sheetId="9" r:id="" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></x:sheets>""", StringComparison.Ordinal));

        var document = await _parser.ParseAsync(bytes, "macro-sheet.xlsx");

        Assert.Equal(["## Sheet: Inventory", "## Sheet: Other"], document.Pages.Select(p => p.Paragraphs[0].Text));
    }

    [Fact]
    public async Task ParseAsync_OfficePartNestedDeeperThanAnyApplicationWrites_IsRefusedWithoutEndingTheProcess()
    {
        // 20,000 nested content controls (a 3 KB file) overflowed the stack inside the OpenXml SDK and ended the process.
        const int depth = 20_000;
        var bytes = Rewrite(OfficeFiles.Docx(), "word/document.xml", xml => xml.Replace(
            "<w:body>",
            "<w:body>" + string.Concat(Enumerable.Repeat("<w:sdt><w:sdtContent>", depth)) + "<w:p><w:r><w:t>deep</w:t></w:r></w:p>"
                + string.Concat(Enumerable.Repeat("</w:sdtContent></w:sdt>", depth)),
            StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(bytes, "nested.docx"));

        Assert.Contains("'word/document.xml' nests XML elements more than 512 deep", error.Reason);
    }

    [Theory]
    [InlineData("A", 200_000, 200, 1)] // as Apache POI's poc-shared-strings.xlsx (2 MB zipped): 4.3 GB and 18 s, then an exception
    [InlineData("XFD", 1, 2_000, 1)] // 20,000 such rows (100 KB zipped) took 8.4 GB, each row 16,384 cells wide
    [InlineData("A", 200_000, 1, 50)] // fifty small sheets, each naming the long string once: the budget is the workbook's
    public async Task ParseAsync_WorkbookWhoseTablesWouldDwarfItsParts_IsRefusedAsABomb(string column, int stringLength, int rows, int sheets)
    {
        using var buffer = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(buffer, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.AddNewPart<SharedStringTablePart>().SharedStringTable = new S.SharedStringTable(
                new S.SharedStringItem(new S.Text(new string('x', stringLength))));
            var list = new S.Sheets();
            for (var i = 1; i <= sheets; i++)
            {
                var sheet = workbook.AddNewPart<WorksheetPart>();
                sheet.Worksheet = new S.Worksheet(new S.SheetData(Enumerable.Range(1, rows).Select(r => new S.Row(
                    new S.Cell { CellReference = $"{column}{r}", DataType = S.CellValues.SharedString, CellValue = new S.CellValue("0") }) { RowIndex = (uint)r })));
                list.Append(new S.Sheet { Name = i == 1 ? "Bomb" : $"Bomb{i}", SheetId = (uint)i, Id = workbook.GetIdOfPart(sheet) });
            }

            workbook.Workbook = new S.Workbook(list);
        }

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(buffer.ToArray(), "bomb.xlsx"));

        Assert.Contains("the workbook's tables would be more than", error.Reason);
        Assert.Contains("by the sheet 'Bomb", error.Reason);
    }

    [Fact]
    public async Task ParseAsync_SheetAndSlideListedThousandsOfTimes_AreReadOnce()
    {
        var workbook = Rewrite(OfficeFiles.Xlsx(), "xl/workbook.xml", xml => xml.Replace(
            "</x:sheets>",
            string.Concat(Enumerable.Range(10, 5_000).Select(i => $"""<x:sheet name="Copy{i}" sheetId="{i}" r:id="{RelationshipId(xml, "Inventory")}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>""")) + "</x:sheets>",
            StringComparison.Ordinal));
        var slides = Rewrite(OfficeFiles.Pptx(), "ppt/presentation.xml", xml => xml.Replace(
            "</p:sldIdLst>",
            string.Concat(Enumerable.Range(1_000, 5_000).Select(i => $"""<p:sldId id="{i}" r:id="{RelationshipId(xml, "sldId")}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>""")) + "</p:sldIdLst>",
            StringComparison.Ordinal));

        var sheets = await _parser.ParseAsync(workbook, "copies.xlsx");
        var presentation = await _parser.ParseAsync(slides, "copies.pptx");

        Assert.Equal(["## Sheet: Inventory", "## Sheet: Other"], sheets.Pages.Select(p => p.Paragraphs[0].Text));
        Assert.Equal(2, presentation.Pages.Count);

        // The relationship id of the first element named as given (a sheet by its name, the first slide by its element name).
        static string RelationshipId(string xml, string marker)
        {
            var at = xml.IndexOf(marker, StringComparison.Ordinal);
            var id = xml.IndexOf("r:id=\"", at, StringComparison.Ordinal) + 6;
            return xml[id..xml.IndexOf('"', id)];
        }
    }

    [Fact]
    public async Task ParseAsync_DocxShowingOneNoteAndOneDiagramThousandsOfTimes_ReadsEachOnce()
    {
        var document = await _parser.ParseAsync(OfficeFiles.DocxRepeatingOneNoteAndOneDiagram(5_000), "repeated.docx");

        Assert.Equal(1, CountOf(document.Text, "The only note."));
        Assert.Equal(1, CountOf(document.Text, "The only node"));
        Assert.StartsWith("Repeated[^1][^1]", document.Text);

        static int CountOf(string text, string value) => (text.Length - text.Replace(value, string.Empty, StringComparison.Ordinal).Length) / value.Length;
    }

    [Fact]
    public async Task ParseAsync_ContentTypesWrittenWithANamespacePrefix_IsRead()
    {
        // Old openpyxl versions wrote <ns0:Types xmlns:ns0="...">; Excel reads it, System.IO.Packaging refuses it.
        var bytes = Rewrite(OfficeFiles.Xlsx(), "[Content_Types].xml", xml => xml
            .Replace("<Types xmlns=", "<ns0:Types xmlns:ns0=", StringComparison.Ordinal)
            .Replace("</Types>", "</ns0:Types>", StringComparison.Ordinal)
            .Replace("<Default ", "<ns0:Default ", StringComparison.Ordinal)
            .Replace("<Override ", "<ns0:Override ", StringComparison.Ordinal));

        var document = await _parser.ParseAsync(bytes, "prefixed.xlsx");

        Assert.Contains("Inventory", document.Text);
    }

    [Fact]
    public async Task ParseAsync_RelationshipsNamingAMissingPartOrNoTargetAndOverrideOfAMissingPart_AreIgnored()
    {
        // A package that names docProps/app.xml in its relationships and content types but does not hold it, and a
        // relationship with neither id nor target (as Apache POI's 64450.xlsx).
        var bytes = Rewrite(OfficeFiles.Docx("The ledger was closed in May."), "_rels/.rels", xml => xml.Replace(
            "</Relationships>",
            """<Relationship Id="rMissing" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>"""
                + """<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" TargetMode="External"/></Relationships>""",
            StringComparison.Ordinal));
        bytes = Rewrite(bytes, "[Content_Types].xml", xml => xml.Replace(
            "</Types>",
            """<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>""",
            StringComparison.Ordinal));

        var document = await _parser.ParseAsync(bytes, "missing-part.docx");

        Assert.Contains("The ledger was closed in May.", document.Text);
    }

    [Fact]
    public async Task ParseAsync_PasswordProtectedOfficeFile_SaysSoInsteadOfNotAZip()
    {
        // Office stores an encrypted DOCX as an OLE compound file (signature D0 CF 11 E0 A1 B1 1A E1).
        var bytes = new byte[4096];
        new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }.CopyTo(bytes, 0);

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(bytes, "secret.docx"));

        Assert.Contains("password-protected", error.Reason);
        Assert.Contains("secret.docx", error.Message);
    }

    [Fact]
    public async Task ParseAsync_HighlyCompressedPictureThatIsNeverRead_IsNotTakenForAZipBomb()
    {
        // A mostly blank 2 MB metafile compresses about 1000 to 1; the readers never inflate pictures, so it is no bomb.
        using var buffer = new MemoryStream();
        buffer.Write(OfficeFiles.Pptx());
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true))
        {
            using var picture = zip.CreateEntry("ppt/media/image9.emf", CompressionLevel.SmallestSize).Open();
            picture.Write(new byte[2 * 1024 * 1024]);
        }

        var document = await _parser.ParseAsync(buffer.ToArray(), "slides.pptx");

        Assert.NotEmpty(document.Text);
    }

    [Fact]
    public async Task ParseAsync_MacroEnabledExtensions_AreReadAsTheirOfficeFormats()
    {
        var workbook = await _parser.ParseAsync(OfficeFiles.Xlsx(), "macros.xlsm");
        var letter = await _parser.ParseAsync(OfficeFiles.Docx("Signed and sealed."), "macros.docm");

        Assert.Contains("Inventory", workbook.Text);
        Assert.Contains("Signed and sealed.", letter.Text);
    }

    [Theory]
    [InlineData(".dotx")]
    [InlineData(".dotm")]
    [InlineData(".xltx")]
    [InlineData(".xltm")]
    [InlineData(".potx")]
    [InlineData(".potm")]
    [InlineData(".ppsx")]
    [InlineData(".ppsm")]
    public async Task ParseAsync_TemplatesAndSlideShows_AreReadAsTheirOfficeFormats(string extension)
    {
        byte[] bytes;
        using (var buffer = new MemoryStream())
        {
            // A real template or show: the main part's content type says so, not only the file name.
            switch (extension[1])
            {
                case 'd':
                    buffer.Write(OfficeFiles.Docx());
                    using (var document = WordprocessingDocument.Open(buffer, true))
                    {
                        document.ChangeDocumentType(WordprocessingDocumentType.Template);
                    }

                    break;
                case 'x':
                    buffer.Write(OfficeFiles.Xlsx());
                    using (var document = SpreadsheetDocument.Open(buffer, true))
                    {
                        document.ChangeDocumentType(SpreadsheetDocumentType.Template);
                    }

                    break;
                default:
                    buffer.Write(OfficeFiles.Pptx());
                    using (var document = PresentationDocument.Open(buffer, true))
                    {
                        document.ChangeDocumentType(extension[2] == 'o' ? PresentationDocumentType.Template : PresentationDocumentType.Slideshow);
                    }

                    break;
            }

            bytes = buffer.ToArray();
        }

        var parsed = await _parser.ParseAsync(bytes, "template" + extension);

        Assert.Contains(extension[1] switch { 'd' => "The harbor project", 'x' => "Lamp", _ => "Sales grew" }, parsed.Text);
    }

    [Fact]
    public async Task ParseAsync_ZipWithoutOfficeParts_SaysItIsNotValid()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry("hello.txt").Open());
            writer.Write("hello");
        }

        var path = _temp.WriteAllBytes("empty.docx", buffer.ToArray());

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(path));

        Assert.Contains("DOCX", error.Reason);
    }

    [Fact]
    public async Task ParseAsync_ZipBombByRatio_IsRefusedBeforeOpening()
    {
        var path = _temp.WriteAllBytes("bomb.docx", ZipWith("word/document.xml", new string(' ', 8 * 1024 * 1024)));

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(path));

        Assert.Contains("zip bomb", error.Reason);
        Assert.Contains("word/document.xml", error.Reason);
    }

    [Fact]
    public async Task ParseAsync_ZipBombByTotalSize_IsRefused()
    {
        using var parser = new DocumentParser(new DocumentParserOptions { MaxUncompressedBytes = 64 * 1024 });
        var path = _temp.WriteAllBytes("big.docx", OfficeFiles.Docx(extraText: RandomText(200_000)));

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => parser.ParseAsync(path));

        Assert.Contains("zip bomb", error.Reason);
        Assert.Contains("65,536", error.Reason);
    }

    [Fact]
    public async Task ParseAsync_ZipWhoseHeadersUnderstateTheSize_InflatesNoMoreThanDeclaredAndFailsCleanly()
    {
        var content = new string('a', 300_000);
        var bytes = ZipWith("word/document.xml", content);

        // Rewrite the declared uncompressed size (local header offset 22, central directory offset 24) to 1,000 bytes.
        PatchUInt32(bytes, [0x50, 0x4B, 0x03, 0x04], 22, 1000);
        PatchUInt32(bytes, [0x50, 0x4B, 0x01, 0x02], 24, 1000);
        var path = _temp.WriteAllBytes("liar.docx", bytes);

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(path));

        Assert.Contains("liar.docx", error.Message);
    }

    [Fact]
    public async Task ParseAsync_TwoGigabyteFile_IsRefusedBeforeReading()
    {
        var path = _temp.Combine("huge.pdf");
        using (var stream = new FileStream(path, FileMode.Create))
        {
            stream.SetLength(2L * 1024 * 1024 * 1024);
        }

        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(path));

        Assert.Contains("2,147,483,648 bytes", error.Reason);
        Assert.Contains(nameof(DocumentParserOptions.MaxFileBytes), error.Reason);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("archive.xyz", "'.xyz' is not supported")]
    [InlineData("old.doc", "save it as '.docx'")]
    [InlineData("noextension", "no extension")]
    public async Task ParseAsync_UnsupportedType_SaysWhichTypesAreSupported(string name, string expected)
    {
        var path = _temp.WriteAllText(name, "content");

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(path));

        Assert.Contains(expected, error.Reason);
    }

    [Fact]
    public async Task ParseAsync_MissingFile_SaysItDoesNotExist()
    {
        var error = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(_temp.Combine("nowhere.pdf")));

        Assert.Contains("does not exist", error.Reason);
    }

    [Fact]
    public async Task ParseAsync_InvalidJsonAndUnclosedCsvQuote_SayWhere()
    {
        var json = _temp.WriteAllText("bad.json", "{\"a\": [1, 2");
        var csv = _temp.WriteAllText("bad.csv", "a,b\n1,\"open\n2,3\n");

        var jsonError = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(json));
        var csvError = await Assert.ThrowsAsync<DocumentParseException>(() => _parser.ParseAsync(csv));

        Assert.Contains("not valid JSON", jsonError.Reason);
        Assert.Contains("line 2", csvError.Reason);
    }

    [Fact]
    public async Task ParseAsync_SlowDocument_StopsAtTheTimeLimitAndTheParserKeepsServing()
    {
        using var parser = new DocumentParser(new DocumentParserOptions { Timeout = TimeSpan.FromMilliseconds(1) });
        var rows = new StringBuilder("a,b,c\n");
        for (var i = 0; i < 400_000; i++)
        {
            rows.Append(i).Append(",value ").Append(i).Append(",\"quoted, text\"\n");
        }

        var slow = _temp.WriteAllText("slow.csv", rows.ToString());

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => parser.ParseAsync(slow));
        Assert.Contains("longer than", error.Reason);

        using var normal = new DocumentParser();
        var afterwards = await normal.ParseAsync(Fixtures.Docs("stock_prices.csv"));
        Assert.NotEmpty(afterwards.Text);
    }

    [Fact]
    public void Constructor_InvalidOptions_NamesTheOption()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DocumentParser(new DocumentParserOptions { MaxFileBytes = 0 }));

        Assert.Contains("DocumentParserOptions.MaxFileBytes", error.Message);
    }

    /// <summary>The package with one part's text rewritten.</summary>
    private static byte[] Rewrite(byte[] package, string entryName, Func<string, string> change)
    {
        using var buffer = new MemoryStream();
        buffer.Write(package);
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = zip.GetEntry(entryName) ?? throw new InvalidOperationException($"The package has no part '{entryName}'.");
            string text;
            using (var reader = new StreamReader(entry.Open()))
            {
                text = reader.ReadToEnd();
            }

            var changed = change(text);
            Assert.NotEqual(text, changed);
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry(entryName).Open());
            writer.Write(changed);
        }

        return buffer.ToArray();
    }

    /// <summary>The package with one more part.</summary>
    private static byte[] WithEntry(byte[] package, string entryName, string content)
    {
        using var buffer = new MemoryStream();
        buffer.Write(package);
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry(entryName).Open());
            writer.Write(content);
        }

        return buffer.ToArray();
    }

    private static byte[] ZipWith(string entryName, string content)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry(entryName, CompressionLevel.SmallestSize).Open());
            writer.Write(content);
        }

        return buffer.ToArray();
    }

    private static void PatchUInt32(byte[] bytes, byte[] signature, int offset, uint value)
    {
        var at = bytes.AsSpan().IndexOf(signature);
        Assert.True(at >= 0);
        BitConverter.TryWriteBytes(bytes.AsSpan(at + offset, 4), value);
    }

    private static string RandomText(int words)
    {
        var filler = new FillerText(3);
        return string.Join(' ', Enumerable.Range(0, words).Select(_ => filler.Word()));
    }
}
