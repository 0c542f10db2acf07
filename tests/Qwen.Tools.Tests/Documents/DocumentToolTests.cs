using Qwen.Core;
using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Tools.Tests.Documents;

public sealed class DocumentToolTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly ToolRegistry _registry;

    public DocumentToolTests()
    {
        var options = new ToolOptions { WorkDirectory = _temp.Path };
        _registry = new ToolRegistry([new DocParserTool(options), new RetrievalTool(options, ApproximateTokenizer.Instance)]);
        File.Copy(Fixtures.Docs("doc.pdf"), _temp.Combine("doc.pdf"));
        File.Copy(Fixtures.Docs("poem.pdf"), _temp.Combine("poem.pdf"));
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task DocParser_PartTheReaderLeftOut_IsNamedAfterThePages()
    {
        _temp.WriteAllBytes("log.pdf", PdfAppearanceTests.WithAnAppearanceThePdfLibraryCannotDraw());

        var result = await _registry.InvokeAsync("doc_parser", """{"url": "log.pdf"}""");

        Assert.False(result.IsError, result.Text);
        Assert.Contains("Harbour log", result.Text);
        Assert.EndsWith("\n[not read: Page 1: the text of annotation 7 0 R (Widget, field 'berth') was left out: the PDF library failed on page 1: "
            + "InvalidOperationException (a bug in the PDF library on this file, not a known defect of the file).]", result.Text);
    }

    [Fact]
    public async Task DocParser_FileInTheWorkDirectory_ReturnsItsTextWithPageMarkers()
    {
        var result = await _registry.InvokeAsync("doc_parser", """{"url": "doc.pdf"}""");

        Assert.False(result.IsError, result.Text);
        Assert.StartsWith("# doc\n[page: 1]\n# Python Image Processing Tutorial", result.Text);
        Assert.Contains("[page: 3]\n", result.Text);
        Assert.True(Directory.Exists(_temp.Combine(".cache", "documents")));
    }

    [Theory]
    [InlineData("../../etc/passwd", "leads outside the work directory")]
    [InlineData("/etc/passwd", "absolute path")]
    public async Task DocParser_PathOutsideTheWorkDirectory_IsRefused(string path, string expected)
    {
        var result = await _registry.InvokeAsync("doc_parser", $$"""{"url": "{{path}}"}""");

        Assert.True(result.IsError);
        Assert.Contains(expected, result.Text);
    }

    [Fact]
    public async Task DocParser_UnparsableFile_ReturnsTheReasonAsAnError()
    {
        await File.WriteAllTextAsync(_temp.Combine("broken.docx"), "not a zip");

        var result = await _registry.InvokeAsync("doc_parser", """{"url": "broken.docx"}""");

        Assert.True(result.IsError);
        Assert.StartsWith("Error: Tool 'doc_parser' failed: Cannot parse '", result.Text);
        Assert.Contains("broken.docx': not a valid DOCX file", result.Text);
    }

    [Fact]
    public async Task Retrieval_Question_ReturnsMatchingChunksWithFileAndPage()
    {
        var result = await _registry.InvokeAsync("retrieval", """{"query": "王维 观猎", "files": ["doc.pdf", "poem.pdf"]}""");

        Assert.False(result.IsError, result.Text);
        Assert.Contains("[file: poem.pdf] [score: ", result.Text);
        Assert.Contains("王维《观猎》", result.Text);
        Assert.True(Directory.Exists(_temp.Combine(".cache", "retrieval")));
    }

    [Fact]
    public async Task Retrieval_MissingFiles_IsASchemaError()
    {
        var result = await _registry.InvokeAsync("retrieval", """{"query": "x", "files": []}""");

        Assert.True(result.IsError);
        Assert.Contains("Argument 'files' must have at least 1 items, not 0.", result.Text);
    }
}
