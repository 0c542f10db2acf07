using System.Text.Json;

namespace Qwen.Runtime.Tests.Diagnostics;

/// <summary><see cref="RuntimeBenchmark"/> with <see cref="BenchmarkOptions.Concurrency"/>: aggregate figures of parallel requests.</summary>
public sealed class ConcurrentBenchmarkTests
{
    private static readonly string Qwen2Tiny = Fixtures.TinyModel("qwen2_tiny");

    [Fact]
    public async Task RunAsync_Concurrency3_ReportsAggregateFiguresInTheJson()
    {
        var options = new BenchmarkOptions { PromptTokens = 16, GenTokens = 6, Repeats = 1, Concurrency = 3, Model = new QwenModelOptions { Device = "cpu" } };

        var result = await RuntimeBenchmark.RunAsync(Qwen2Tiny, options);

        Assert.Equal(3, result.Concurrency);
        Assert.True(result.AggregatePrefillTokensPerSecond > 0);
        Assert.True(result.AggregateDecodeTokensPerSecond > 0);
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(result));
        Assert.Equal(3, json.RootElement.GetProperty("concurrency").GetInt32());
        Assert.True(json.RootElement.GetProperty("aggregate_decode_tok_s").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("aggregate_prefill_tok_s").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("decode_tok_s").GetDouble() > 0);
    }

    [Fact]
    public async Task RunAsync_SingleRequest_OmitsTheConcurrencyFields()
    {
        var options = new BenchmarkOptions { PromptTokens = 8, GenTokens = 2, Repeats = 1, Model = new QwenModelOptions { Device = "cpu" } };

        var result = await RuntimeBenchmark.RunAsync(Qwen2Tiny, options);

        Assert.Null(result.Concurrency);
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(result));
        Assert.False(json.RootElement.TryGetProperty("concurrency", out _));
        Assert.False(json.RootElement.TryGetProperty("aggregate_decode_tok_s", out _));
    }

    [Theory]
    [InlineData(0, 32, "at least 1")]
    [InlineData(5, 4, "MaxBatchSize")]
    public async Task RunAsync_BadConcurrency_ThrowsNamingTheLimit(int concurrency, int maxBatch, string expected)
    {
        var options = new BenchmarkOptions { Concurrency = concurrency, Model = new QwenModelOptions { Device = "cpu", MaxBatchSize = maxBatch } };

        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RuntimeBenchmark.RunAsync(Qwen2Tiny, options));

        Assert.Contains("Concurrency", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
