using System.IO.Compression;
using System.Text;
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
    public async Task ParseAsync_RelationshipAndOverrideNamingAMissingPart_AreIgnored()
    {
        // A package that names docProps/app.xml in its relationships and content types but does not hold it.
        var bytes = Rewrite(OfficeFiles.Docx("The ledger was closed in May."), "_rels/.rels", xml => xml.Replace(
            "</Relationships>",
            """<Relationship Id="rMissing" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>""",
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
