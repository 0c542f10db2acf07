using System.Text.Json;

namespace Qwen.Cli.Tests;

public sealed class TokenizeCommandTests
{
    private static readonly string Model = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers", "qwen3");

    [Fact]
    public async Task Tokenize_Text_PrintsIdsSpaceSeparated()
    {
        var result = await CliRunner.RunAsync("tokenize", "--model", Model, "Hello, world!");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("9707 11 1879 0", result.StdOut.Trim());
        Assert.Equal(string.Empty, result.StdErr);
    }

    [Fact]
    public async Task Tokenize_Json_PrintsIdsAndVocabularyTokensAlone()
    {
        var result = await CliRunner.RunAsync("tokenize", "--model", Model, "--json", "Hello world<|im_end|>");

        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.StdOut);
        Assert.Equal([9707, 1879, 151645], doc.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(["Hello", "Ġworld", "<|im_end|>"], doc.RootElement.GetProperty("tokens").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Tokenize_Count_PrintsOnlyTheNumberOfTokens()
    {
        var result = await CliRunner.RunAsync("tokenize", "--model", Model, "--count", "你好，世界！今天天气怎么样？");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("8", result.StdOut.Trim());
    }

    [Fact]
    public async Task Tokenize_CountWithJson_PrintsCountObject()
    {
        var result = await CliRunner.RunAsync("tokenize", "--model", Model, "--count", "--json", "Hello, world!");

        Assert.Equal(0, result.ExitCode);
        using var doc = JsonDocument.Parse(result.StdOut);
        Assert.Equal(4, doc.RootElement.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Tokenize_MissingModelDirectory_PrintsOneErrorLineAndExitsOne()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"qwen-no-such-model-{Guid.NewGuid():N}");

        var result = await CliRunner.RunAsync("tokenize", "--model", missing, "hi");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.StdOut);
        var line = Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("qwen: ", line);
        Assert.Contains(missing, line);
    }

    [Fact]
    public async Task Tokenize_MalformedTokenizerJson_PrintsErrorNamingTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("qwen-bad-tokenizer-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "tokenizer.json"), "{ \"model\": ");

            var result = await CliRunner.RunAsync("tokenize", "--model", dir.FullName, "hi");

            Assert.Equal(1, result.ExitCode);
            Assert.Equal(string.Empty, result.StdOut);
            var line = Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("tokenizer.json", line);
            Assert.Contains("not valid JSON", line);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Tokenize_WithoutModelOption_ReportsUsageError()
    {
        var result = await CliRunner.RunAsync("tokenize", "hi");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--model", result.StdErr);
    }
}
