using System.Text.Json;

namespace Qwen.Cli.Tests;

public sealed class DocumentCommandTests : IDisposable
{
    private static readonly string DocPdf = Path.Combine(AppContext.BaseDirectory, "Fixtures", "docs", "doc.pdf");
    private readonly string _temp = Directory.CreateTempSubdirectory("qwen-cli-tests").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Parse_Json_PrintsThePagesAloneOnStdout()
    {
        var result = await CliRunner.RunAsync("parse", DocPdf, "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.StdOut);
        Assert.Equal(DocPdf, json.RootElement.GetProperty("file").GetString());
        var pages = json.RootElement.GetProperty("pages");
        Assert.Equal([1, 2, 3], pages.EnumerateArray().Select(p => p.GetProperty("page").GetInt32()));
        Assert.StartsWith("# Python Image Processing Tutorial", pages[0].GetProperty("text").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public async Task Parse_ChunksJson_PrintsChunksWithinTheTokenLimit()
    {
        var result = await CliRunner.RunAsync("parse", DocPdf, "--chunks", "--chunk-tokens", "64", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.StdOut);
        var chunks = json.RootElement.GetProperty("chunks").EnumerateArray().ToList();
        Assert.True(chunks.Count > 10);
        Assert.All(chunks, c => Assert.InRange(c.GetProperty("tokens").GetInt32(), 1, 64));
        Assert.All(chunks, c => Assert.StartsWith($"[page: {c.GetProperty("page").GetInt32()}]", c.GetProperty("text").GetString()));
        Assert.Equal(3, chunks[^1].GetProperty("page").GetInt32());
    }

    [Fact]
    public async Task Parse_ChunksWithModel_CountsWithTheModelsTokenizer()
    {
        var model = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers", "qwen3");
        var tokenizer = Qwen.Core.QwenTokenizer.FromDirectory(model);

        var result = await CliRunner.RunAsync("parse", DocPdf, "--chunks", "--chunk-tokens", "64", "--model", model, "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.StdOut);
        var chunks = json.RootElement.GetProperty("chunks").EnumerateArray().ToList();
        Assert.NotEmpty(chunks);
        Assert.All(chunks, c => Assert.Equal(tokenizer.CountTokens(c.GetProperty("text").GetString()!), c.GetProperty("tokens").GetInt32()));
        Assert.All(chunks, c => Assert.InRange(c.GetProperty("tokens").GetInt32(), 1, 64));
    }

    [Fact]
    public async Task Parse_Text_PrintsPageMarkers()
    {
        var path = Path.Combine(_temp, "notes.md");
        await File.WriteAllTextAsync(path, "# Notes\n\nFirst line.");

        var result = await CliRunner.RunAsync("parse", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("[page: 1]\n# Notes\nFirst line.\n", result.StdOut.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Parse_BrokenFile_PrintsOneLineNamingTheFileAndTheReason()
    {
        var path = Path.Combine(_temp, "broken.docx");
        await File.WriteAllTextAsync(path, "not a zip");

        var result = await CliRunner.RunAsync("parse", path, "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.StdOut);
        var line = Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"qwen: Cannot parse '{path}': not a valid DOCX file", line);
    }

    [Fact]
    public async Task Search_Json_ReturnsTheBestChunksWithSourcePageAndScore()
    {
        var result = await CliRunner.RunAsync("search", "--file", DocPdf, "--query", "rotate the image by 90 degrees", "--budget", "300", "--chunk-tokens", "128", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.StdOut);
        var chunks = json.RootElement.GetProperty("chunks").EnumerateArray().ToList();
        Assert.NotEmpty(chunks);
        Assert.True(chunks.Sum(c => c.GetProperty("tokens").GetInt32()) <= 300);
        var best = chunks.MaxBy(c => c.GetProperty("score").GetDouble());
        Assert.Equal(DocPdf, best.GetProperty("source").GetString());
        Assert.Equal(2, best.GetProperty("page").GetInt32());
        Assert.Contains("rotate", best.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Search_Text_PrintsSourcePageAndScore()
    {
        var result = await CliRunner.RunAsync("search", "--file", DocPdf, "--query", "Pillow library", "--budget", "200", "--chunk-tokens", "100");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"--- .*doc\.pdf \(pages? \d+(-\d+)?, score \d+(\.\d+)?, \d+ tokens\)", result.StdOut);
    }

    [Fact]
    public async Task Tool_Storage_PutsAndGetsInTheWorkDirectory()
    {
        var put = await CliRunner.RunAsync("tool", "storage", "--args", """{"operate": "put", "key": "/memo", "value": "remember the milk"}""", "--workdir", _temp);
        var get = await CliRunner.RunAsync("tool", "storage", "--args", """{"operate": "get", "key": "/memo"}""", "--workdir", _temp);

        Assert.Equal(0, put.ExitCode);
        Assert.Equal("remember the milk\n", get.StdOut.ReplaceLineEndings("\n"));
        Assert.True(File.Exists(Path.Combine(_temp, "storage", "memo")));
    }

    [Fact]
    public async Task Tool_DocParser_RefusesPathsOutsideTheWorkDirectory()
    {
        var result = await CliRunner.RunAsync("tool", "doc_parser", "--args", """{"url": "../../etc/passwd"}""", "--workdir", _temp);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.StdOut);
        Assert.Contains("leads outside the work directory", result.StdErr);
    }

    [Fact]
    public async Task Tool_Unknown_ListsTheAvailableTools()
    {
        var result = await CliRunner.RunAsync("tool", "teleport", "--workdir", _temp);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("qwen: There is no tool named 'teleport'. Available tools: doc_parser, retrieval, storage, web_extractor, code_interpreter.", result.StdErr.Trim());
    }
}
