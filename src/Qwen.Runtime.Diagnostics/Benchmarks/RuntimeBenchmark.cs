using System.Diagnostics;

namespace Qwen.Runtime.Diagnostics;

/// <summary>Measures a checkpoint's load time, prefill and decode throughput and peak memory, the way llama.cpp's benchmarks do.</summary>
/// <remarks>
/// Prefill: one forward pass over <see cref="BenchmarkOptions.PromptTokens"/> pseudo-random ids into a fresh cache.
/// Decode: after a 16-token prompt, <see cref="BenchmarkOptions.GenTokens"/> greedy single-token steps through
/// <see cref="QwenModel.GenerateAsync"/> (sampling and streaming included), timed from the first generated token to the last.
/// Each is run once to warm up, then <see cref="BenchmarkOptions.Repeats"/> times; medians are reported.
/// With <see cref="BenchmarkOptions.Concurrency"/> above 1, that many requests are then timed together (aggregate throughput).
/// </remarks>
public static class RuntimeBenchmark
{
    private const int ShortPrompt = 16;

    /// <summary>Loads the model and runs the measurements.</summary>
    /// <param name="directory">The checkpoint directory.</param>
    /// <param name="options">Lengths, repeats and model placement; null for the defaults.</param>
    /// <param name="cancellationToken">Stops between measurements and tokens.</param>
    /// <returns>The measurements.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A length or repeat count is below 1, or longer than the model's context.</exception>
    public static async Task<BenchmarkResult> RunAsync(string directory, BenchmarkOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BenchmarkOptions();
        if (options.PromptTokens < 1 || options.GenTokens < 1 || options.Repeats < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "BenchmarkOptions.PromptTokens, GenTokens and Repeats must be at least 1.");
        }

        ConcurrentBenchmark.Validate(options);

        var loadWatch = Stopwatch.StartNew();
        using var model = QwenModel.Load(directory, options.Model);
        var loadSeconds = loadWatch.Elapsed.TotalSeconds;
        if (options.PromptTokens > model.Config.ContextLength || ShortPrompt + options.GenTokens + 1 > model.Config.ContextLength)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"The benchmark lengths exceed the model's context length ({model.Config.ContextLength}).");
        }

        var prompt = PseudoRandomIds(options.PromptTokens, model.Config.VocabSize, seed: 12345);
        var shortPrompt = PseudoRandomIds(ShortPrompt, model.Config.VocabSize, seed: 777);
        var prefill = new List<double>();
        var decode = new List<double>();
        for (var run = 0; run <= options.Repeats; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var seconds = Prefill(model, prompt);
            if (run > 0)
            {
                prefill.Add(seconds);
            }
        }

        for (var run = 0; run <= options.Repeats; run++)
        {
            var seconds = await DecodeAsync(model, shortPrompt, options.GenTokens, cancellationToken).ConfigureAwait(false);
            if (run > 0)
            {
                decode.Add(seconds);
            }
        }

        (double Prefill, double Decode)? concurrent = options.Concurrency > 1
            ? await ConcurrentBenchmark.RunAsync(model, options, cancellationToken).ConfigureAwait(false)
            : null;

        return new BenchmarkResult
        {
            LoadSeconds = loadSeconds,
            PrefillTokensPerSecond = options.PromptTokens / Median(prefill),
            DecodeTokensPerSecond = options.GenTokens / Median(decode),
            PeakRssMegabytes = PeakRssMegabytes(),
            PrefillSeconds = prefill,
            DecodeSeconds = decode,
            PromptTokens = options.PromptTokens,
            GenTokens = options.GenTokens,
            Device = model.DeviceName,
            DType = model.DType.ToString(),
            Threads = model.Threads,
            Concurrency = concurrent is null ? null : options.Concurrency,
            AggregatePrefillTokensPerSecond = concurrent?.Prefill,
            AggregateDecodeTokensPerSecond = concurrent?.Decode,
        };
    }

    /// <summary>Peak resident set size of this process in MB, from /proc/self/status (VmHWM); null where the OS does not report it (not Linux).</summary>
    /// <returns>The peak in MB (1 MB = 1,048,576 bytes), or null.</returns>
    public static double? PeakRssMegabytes()
    {
        try
        {
            return OperatingSystem.IsLinux() ? PeakRssMegabytes(File.ReadAllText("/proc/self/status")) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The VmHWM line of a /proc/PID/status text ("VmHWM:   123456 kB") in MB; null when there is none or it is malformed.</summary>
    internal static double? PeakRssMegabytes(string status)
    {
        foreach (var line in status.Split('\n'))
        {
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                continue;
            }

            var parts = line["VmHWM:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return parts is [var number, "kB"] && long.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var kb)
                ? kb / 1024.0
                : null;
        }

        return null;
    }

    private static double Prefill(QwenModel model, int[] prompt)
    {
        using var cache = model.CreateCache(prompt.Length);
        var watch = Stopwatch.StartNew();
        model.Forward(prompt, cache);
        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> DecodeAsync(QwenModel model, int[] prompt, int steps, CancellationToken cancellationToken)
    {
        var options = new GenerationOptions { MaxNewTokens = steps + 1, IgnoreEos = true, Sampling = SamplingOptions.Greedy };
        var watch = new Stopwatch();
        var produced = 0;
        await foreach (var update in model.GenerateAsync(prompt, options, cancellationToken).ConfigureAwait(false))
        {
            // The first token ends the prefill; the clock runs over the single-token steps after it.
            if (produced++ == 0)
            {
                watch.Start();
            }
        }

        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>Makes the benchmark's prompts: <paramref name="count"/> ids below <paramref name="vocabSize"/> from a linear congruential generator, the same for the same seed on every machine.</summary>
    /// <param name="count">The number of ids.</param>
    /// <param name="vocabSize">One more than the largest id.</param>
    /// <param name="seed">The generator's seed.</param>
    /// <returns>The ids.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or <paramref name="vocabSize"/> is below 1.</exception>
    public static int[] PseudoRandomIds(int count, int vocabSize, uint seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        var ids = new int[count];
        var state = seed;
        for (var i = 0; i < count; i++)
        {
            state = unchecked((state * 1103515245) + 12345);
            ids[i] = (int)(state % (uint)vocabSize);
        }

        return ids;
    }

    /// <summary>Gets the median of timings, the figure the benchmark reports (the mean of the two middle values for an even count).</summary>
    /// <param name="values">The timings.</param>
    /// <returns>The median.</returns>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("Cannot take the median of no values.", nameof(values));
        }

        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
