namespace Qwen.Cli.Tests;

/// <summary>End to end: <c>qwen chat</c> on the tiny fixture model.</summary>
public sealed class ChatCommandTests
{
    private static readonly string Qwen2Tiny = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny-models", "qwen2_tiny");

    [Fact]
    public async Task Chat_PromptGreedy_PrintsTheSameAnswerEveryTime()
    {
        string[] args = ["chat", "--model", Qwen2Tiny, "--device", "cpu", "--temperature", "0", "--max-tokens", "12", "--system", "Be brief.", "Hello there"];

        var first = await CliRunner.RunAsync(args);
        var second = await CliRunner.RunAsync(args);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(string.Empty, first.StdErr);
        Assert.NotEqual(string.Empty, first.StdOut.Trim());
        Assert.EndsWith("\n", first.StdOut);
        Assert.Equal(first.StdOut, second.StdOut);
    }

    [Fact]
    public async Task Chat_LinesOnStdin_AnswersEachUntilAnEmptyLine()
    {
        var result = await CliRunner.RunWithInputAsync("hi\nmore\n\nignored\n", "chat", "--model", Qwen2Tiny, "--device", "cpu", "--temperature", "0", "--max-tokens", "5");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData("not both", "chat", "--model", "x", "--endpoint", "http://localhost:1/v1", "--api-model", "m", "hi")]
    [InlineData("--endpoint needs --api-model", "chat", "--endpoint", "http://localhost:1/v1", "hi")]
    [InlineData("is not an http(s) URL", "chat", "--endpoint", "localhost", "--api-model", "m", "hi")]
    public async Task Chat_BadArguments_OneLineError(string expected, params string[] args)
    {
        var result = await CliRunner.RunAsync(args);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.StdOut);
        Assert.StartsWith("qwen: ", result.StdErr);
        Assert.Contains(expected, result.StdErr);
    }
}
