using System.Text;
using System.Text.Json.Nodes;
using Qwen.Agents.Tests.TestSupport;

namespace Qwen.Cli.Tests;

public sealed class DocQACommandTests : IDisposable
{
    private const string Needle = "The secret harbour code of Velmora Quistrand is KASTREL-417.";
    private readonly string _directory = Directory.CreateTempSubdirectory("qwen-docqa-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>About 40,000 tokens of varied filler with the needle two thirds in.</summary>
    private string WriteHaystack()
    {
        var text = new StringBuilder();
        string[] topics = ["rivers", "mountains", "harvests", "railways", "bridges", "markets", "schools", "harbours", "forests", "mills"];
        for (var i = 0; i < 2400; i++)
        {
            if (i == 1600)
            {
                text.Append(Needle).Append(' ');
            }

            text.Append($"Report {i} describes the {topics[i % topics.Length]} of district {i % 97} and the work done there in season {i % 13}. ");
            if (i % 8 == 7)
            {
                text.Append("\n\n");
            }
        }

        var path = Path.Combine(_directory, "haystack.txt");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public async Task DocQA_RetrieveOnly_PrintsChunksWithinBudgetWithoutAModel()
    {
        var file = WriteHaystack();

        var result = await CliRunner.RunAsync("docqa", "--file", file, "--question", "What is the secret harbour code of Velmora Quistrand?", "--retrieve-only", "--budget", "1500", "--json");

        Assert.Equal(0, result.ExitCode);
        var json = JsonNode.Parse(result.StdOut)!;
        Assert.True(json["tokens"]!.GetValue<int>() <= 1500);
        Assert.Contains(json["chunks"]!.AsArray(), c => c!["text"]!.GetValue<string>().Contains("KASTREL-417", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DocQA_Level2AgainstServer_ReadsEveryChunkAndAnswersFromTheQuote()
    {
        var file = WriteHaystack();
        await using var server = await FakeOpenAIServer.StartAsync(request =>
        {
            var prompt = string.Join("\n", request.Messages.Select(m => m?["content"]?.ToString()));
            if (request.LastUserText.StartsWith("# Document:", StringComparison.Ordinal))
            {
                return prompt.Contains("KASTREL-417", StringComparison.Ordinal)
                    ? FakeOpenAIReply.Text($$"""{"res": "ans", "content": "{{Needle}}"}""")
                    : FakeOpenAIReply.Text("""{"res": "none", "content": "<None>"}""");
            }

            return FakeOpenAIReply.Text(prompt.Contains("KASTREL-417", StringComparison.Ordinal) ? "The code is KASTREL-417." : "I do not know.");
        });

        var result = await CliRunner.RunAsync("docqa", "--file", file, "--question", "What is the secret harbour code of Velmora Quistrand?",
            "--level", "2", "--budget", "2000", "--chunk-tokens", "256", "--concurrency", "4", "--endpoint", server.BaseUrl.ToString(), "--api-model", "fake", "--json");

        Assert.True(result.ExitCode == 0, result.StdErr);
        var json = JsonNode.Parse(result.StdOut)!;
        Assert.Equal("The code is KASTREL-417.", json["answer"]!.GetValue<string>());
        Assert.Equal(2, json["level"]!.GetValue<int>());
        var chunks = json["chunks"]!.GetValue<int>();
        Assert.True(chunks > 50, $"{chunks} chunks");
        Assert.Equal(chunks + 1, json["model_calls"]!.GetValue<int>());
        Assert.InRange(json["max_prompt_tokens"]!.GetValue<int>(), 1, 2000);
        Assert.Contains(json["evidence"]!.AsArray(), e => e!["text"]!.GetValue<string>().Contains("KASTREL-417", StringComparison.Ordinal) && e["source"]!.GetValue<string>().EndsWith("haystack.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DocQA_Level1Streamed_PrintsTheAnswer()
    {
        var file = WriteHaystack();
        await using var server = await FakeOpenAIServer.StartAsync(request =>
        {
            var prompt = string.Join("\n", request.Messages.Select(m => m?["content"]?.ToString()));
            return FakeOpenAIReply.Text(prompt.Contains("KASTREL-417", StringComparison.Ordinal) && prompt.Contains("# Knowledge Base", StringComparison.Ordinal) ? "KASTREL-417" : "{}");
        });

        var result = await CliRunner.RunAsync("docqa", "--file", file, "--question", "What is the secret harbour code of Velmora Quistrand?",
            "--level", "1", "--endpoint", server.BaseUrl.ToString(), "--api-model", "fake");

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal("KASTREL-417", result.StdOut.Trim());
    }

    [Theory]
    [InlineData("--level", "4", "--level must be 1, 2 or 3")]
    [InlineData("--budget", "10", "--budget must be at least 256")]
    public async Task DocQA_BadOption_FailsWithOneLine(string option, string value, string message)
    {
        var file = WriteHaystack();

        var result = await CliRunner.RunAsync("docqa", "--file", file, "--question", "q", option, value, "--retrieve-only");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DocQA_MissingFile_FailsNamingIt()
    {
        var result = await CliRunner.RunAsync("docqa", "--file", Path.Combine(_directory, "nope.pdf"), "--question", "q", "--retrieve-only");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("nope.pdf", result.StdErr, StringComparison.Ordinal);
    }
}
