namespace Qwen.Cli.Tests;

public sealed class RootCommandTests
{
    [Fact]
    public async Task Help_PrintsUsageAndExitsZero()
    {
        var result = await CliRunner.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.StdOut);
        Assert.Contains("qwen", result.StdOut);
        Assert.Equal(string.Empty, result.StdErr);
    }

    [Fact]
    public async Task Version_PrintsTheAssemblyVersion()
    {
        var result = await CliRunner.RunAsync("--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", result.StdOut.Trim());
    }

    [Fact]
    public async Task UnknownCommand_PrintsOneLineOnStderrAndExitsNonZero()
    {
        var result = await CliRunner.RunAsync("no-such-command");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(string.Empty, result.StdOut);
        var lines = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("qwen: ", lines[0]);
        Assert.Contains("no-such-command", lines[0]);
    }
}
