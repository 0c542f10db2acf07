using System.Diagnostics;

namespace Qwen.Runtime.Diagnostics;

/// <summary>Times <see cref="BenchmarkOptions.Concurrency"/> greedy requests submitted together through <see cref="QwenModel.GenerateAsync"/>: aggregate prefill and decode throughput.</summary>
/// <remarks>
/// All requests arrive at once and fit in one batch, so the scheduler prefills them all before their first shared decode
/// step: the prefill phase runs from submission to the last request's first token, the decode phase from there to the
/// last request's last token. Aggregate decode counts the <see cref="BenchmarkOptions.GenTokens"/> tokens each request
/// generates after its first.
/// </remarks>
internal static class ConcurrentBenchmark
{
    public static void Validate(BenchmarkOptions options)
    {
        if (options.Concurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Concurrency, "BenchmarkOptions.Concurrency must be at least 1.");
        }

        if (options.Concurrency > options.Model.MaxBatchSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), options.Concurrency, $"BenchmarkOptions.Concurrency ({options.Concurrency}) exceeds QwenModelOptions.MaxBatchSize ({options.Model.MaxBatchSize}): the requests would not share one batch.");
        }
    }

    /// <summary>Runs the timed rounds; returns the median aggregate prefill and decode tokens per second.</summary>
    public static async Task<(double Prefill, double Decode)> RunAsync(QwenModel model, BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var prompts = Enumerable.Range(0, options.Concurrency)
            .Select(i => RuntimeBenchmark.PseudoRandomIds(options.PromptTokens, model.Config.VocabSize, seed: 5000 + (uint)i))
            .ToArray();
        var prefill = new List<double>();
        var decode = new List<double>();
        for (var run = 0; run < options.Repeats; run++)
        {
            var (prefillSeconds, decodeSeconds) = await RoundAsync(model, prompts, options.GenTokens, cancellationToken).ConfigureAwait(false);
            prefill.Add((double)options.Concurrency * options.PromptTokens / prefillSeconds);
            decode.Add((double)options.Concurrency * options.GenTokens / decodeSeconds);
        }

        return (RuntimeBenchmark.Median(prefill), RuntimeBenchmark.Median(decode));
    }

    private static async Task<(double Prefill, double Decode)> RoundAsync(QwenModel model, int[][] prompts, int genTokens, CancellationToken cancellationToken)
    {
        var generation = new GenerationOptions { MaxNewTokens = genTokens + 1, IgnoreEos = true, Sampling = SamplingOptions.Greedy };
        var firsts = new double[prompts.Length];
        var lasts = new double[prompts.Length];
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(prompts.Select(async (prompt, i) =>
        {
            var produced = 0;
            await foreach (var update in model.GenerateAsync(prompt, generation, cancellationToken).ConfigureAwait(false))
            {
                var now = watch.Elapsed.TotalSeconds;
                if (produced++ == 0)
                {
                    firsts[i] = now;
                }

                lasts[i] = now;
            }
        })).ConfigureAwait(false);

        var prefillEnd = firsts.Max();
        return (prefillEnd, lasts.Max() - prefillEnd);
    }
}
