using System.Text.Json.Serialization;

namespace Qwen.Runtime.Diagnostics;

/// <summary>What <see cref="RuntimeBenchmark"/> measured; serialises to the JSON <c>qwen bench --json</c> prints.</summary>
public sealed record BenchmarkResult
{
    /// <summary>Gets the seconds <see cref="QwenModel.Load"/> took.</summary>
    [JsonPropertyName("load_s")]
    public double LoadSeconds { get; init; }

    /// <summary>Gets the median prefill throughput, prompt tokens per second.</summary>
    [JsonPropertyName("prefill_tok_s")]
    public double PrefillTokensPerSecond { get; init; }

    /// <summary>Gets the median decode throughput, generated tokens per second.</summary>
    [JsonPropertyName("decode_tok_s")]
    public double DecodeTokensPerSecond { get; init; }

    /// <summary>Gets the process's peak resident memory in MB (Linux's VmHWM), or null (JSON <c>null</c>, "n/a" in text) where the OS does not report it.</summary>
    [JsonPropertyName("peak_rss_mb")]
    public double? PeakRssMegabytes { get; init; }

    /// <summary>Gets each timed prefill, in seconds.</summary>
    [JsonPropertyName("prefill_s")]
    public IReadOnlyList<double> PrefillSeconds { get; init; } = [];

    /// <summary>Gets each timed decode run, in seconds.</summary>
    [JsonPropertyName("decode_s")]
    public IReadOnlyList<double> DecodeSeconds { get; init; } = [];

    /// <summary>Gets the prompt length used for prefill.</summary>
    [JsonPropertyName("prompt_tokens")]
    public int PromptTokens { get; init; }

    /// <summary>Gets the decode steps timed per run.</summary>
    [JsonPropertyName("gen_tokens")]
    public int GenTokens { get; init; }

    /// <summary>Gets the device the model ran on.</summary>
    [JsonPropertyName("device")]
    public string Device { get; init; } = string.Empty;

    /// <summary>Gets the dtype the model ran in.</summary>
    [JsonPropertyName("dtype")]
    public string DType { get; init; } = string.Empty;

    /// <summary>Gets the CPU threads torch used.</summary>
    [JsonPropertyName("threads")]
    public int Threads { get; init; }

    /// <summary>Gets the number of parallel requests of the concurrent measurement, or null when none was run.</summary>
    [JsonPropertyName("concurrency")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Concurrency { get; init; }

    /// <summary>Gets the median aggregate decode throughput of the concurrent requests: generated tokens (after each request's first) per second of the decode phase, across all requests.</summary>
    [JsonPropertyName("aggregate_decode_tok_s")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? AggregateDecodeTokensPerSecond { get; init; }

    /// <summary>Gets the median aggregate prefill throughput of the concurrent requests: prompt tokens of all requests per second, from submission to the last first token.</summary>
    [JsonPropertyName("aggregate_prefill_tok_s")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? AggregatePrefillTokensPerSecond { get; init; }
}
