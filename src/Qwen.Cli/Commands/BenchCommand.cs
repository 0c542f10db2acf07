using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Qwen.Runtime;
using Qwen.Runtime.Diagnostics;

namespace Qwen.Cli;

/// <summary><c>qwen bench</c>: load time, prefill and decode throughput and peak memory of a checkpoint.</summary>
internal static class BenchCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = CliModels.Describe("config.json, safetensors"), Required = true };
        var promptTokens = new Option<int>("--prompt-tokens") { Description = "Prompt length timed for prefill.", DefaultValueFactory = _ => 512 };
        var genTokens = new Option<int>("--gen-tokens") { Description = "Decode steps timed.", DefaultValueFactory = _ => 64 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats (after a warm-up); medians are reported.", DefaultValueFactory = _ => 3 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads." };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var dtype = new Option<string?>("--dtype") { Description = "float32, bfloat16, float16, int8 or int4 (8-bit or 4-bit weights, CPU only) (default: bfloat16 on CUDA, float32 on CPU)." };
        var concurrency = new Option<int>("--concurrency") { Description = "Also time N parallel requests (batched) and report aggregate tokens/s.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };

        var command = new Command("bench", "Measure load time, prefill and decode tokens/s and peak memory of a checkpoint.");
        foreach (var option in new Option[] { model, promptTokens, genTokens, repeats, threads, device, dtype, concurrency, json })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var modelDir = await CliModels.ResolveAsync(parseResult.GetValue(model)!, cancellationToken).ConfigureAwait(false);
            var parallel = parseResult.GetValue(concurrency);
            var modelOptions = GenerateCommand.ModelOptions(parseResult.GetValue(device)!, parseResult.GetValue(dtype), parseResult.GetValue(threads));

            // All N requests must share one batch for the aggregate figures to mean what they say.
            modelOptions.MaxBatchSize = Math.Max(modelOptions.MaxBatchSize, parallel);
            var options = new BenchmarkOptions
            {
                PromptTokens = parseResult.GetValue(promptTokens),
                GenTokens = parseResult.GetValue(genTokens),
                Repeats = parseResult.GetValue(repeats),
                Concurrency = parallel,
                Model = modelOptions,
            };
            var result = await RuntimeBenchmark.RunAsync(modelDir, options, cancellationToken).ConfigureAwait(false);
            if (parseResult.GetValue(json))
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(result)).ConfigureAwait(false);
                return 0;
            }

            var c = CultureInfo.InvariantCulture;
            await Console.Out.WriteLineAsync(string.Create(c, $"device {result.Device}, {result.DType}, {result.Threads} threads")).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(string.Create(c, $"load     {result.LoadSeconds:F2} s")).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(string.Create(c, $"prefill  {result.PrefillTokensPerSecond:F1} tok/s ({result.PromptTokens} tokens, median of {result.PrefillSeconds.Count})")).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(string.Create(c, $"decode   {result.DecodeTokensPerSecond:F1} tok/s ({result.GenTokens} tokens, median of {result.DecodeSeconds.Count})")).ConfigureAwait(false);
            if (result.Concurrency is { } n)
            {
                await Console.Out.WriteLineAsync(string.Create(c, $"{n} concurrent requests: prefill {result.AggregatePrefillTokensPerSecond:F1} tok/s, decode {result.AggregateDecodeTokensPerSecond:F1} tok/s aggregate ({result.AggregateDecodeTokensPerSecond / result.DecodeTokensPerSecond:F1}x single-request decode)")).ConfigureAwait(false);
            }

            var peak = result.PeakRssMegabytes is { } megabytes ? string.Create(c, $"{megabytes:F0} MB") : "n/a";
            await Console.Out.WriteLineAsync($"peak RSS {peak}").ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
