using System.Text.Json;

namespace Qwen.Cli.Tests;

/// <summary>End to end: <c>qwen bench --concurrency N</c>.</summary>
public sealed class BenchConcurrencyTests
{
    private static readonly string Qwen2Tiny = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny-models", "qwen2_tiny");

    [Fact]
    public async Task Bench_Concurrency4Json_AddsAggregateFieldsToTheSingleRequestReport()
    {
        var result = await CliRunner.RunAsync(
            "bench", "--model", Qwen2Tiny, "--prompt-tokens", "16", "--gen-tokens", "4", "--repeats", "1", "--concurrency", "4", "--device", "cpu", "--json");

        Assert.Equal(0, result.ExitCode);
        using var figures = JsonDocument.Parse(result.StdOut);
        var root = figures.RootElement;
        Assert.Equal(4, root.GetProperty("concurrency").GetInt32());
        foreach (var key in new[] { "prefill_tok_s", "decode_tok_s", "aggregate_decode_tok_s", "aggregate_prefill_tok_s" })
        {
            Assert.True(root.GetProperty(key).GetDouble() > 0, key);
        }
    }

    [Fact]
    public async Task Bench_ConcurrencyZero_FailsNamingTheOption()
    {
        var result = await CliRunner.RunAsync("bench", "--model", Qwen2Tiny, "--concurrency", "0", "--device", "cpu");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Concurrency must be at least 1", result.StdErr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.StdOut);
    }
}
