using System.Globalization;
using System.Text.Json;
using Qwen.Runtime;
using Qwen.Runtime.Bench;
using Qwen.Runtime.Diagnostics;

// Runtime throughput on one checkpoint: load time, prefill and decode tokens/s, peak RSS, as one JSON line.
// usage: dotnet run -c Release --project bench/Qwen.Runtime.Bench -- --model DIR [--prompt-tokens 512] [--gen-tokens 64]
//        [--repeats 3] [--threads N] [--device cpu|cuda] [--dtype float32|bfloat16|float16|int8|int4]
//    or: ... -- --matvec float32|bfloat16|int8|int4 [--threads N] [--repeats 10]   (decode mat-vec bandwidth alone, 0.5B shapes)
//    or: ... -- --matvec int8|int4 --rows 16 [--threads N] [--repeats 10]   (a batched step's products: lanes vs row by row)
//    or: ... -- --matvec float32|bfloat16 --rows 16 [--threads N] [--repeats 10]   (a batched step's products: the few-rows kernel's time and GFLOP/s)
//    or: ... -- --model DIR --accuracy 256 [--dtype int8|int4] [--threads N]   (logits against float32 over 256 greedy steps)
//    or: ... -- --gemm float32|bfloat16 [--prompt-tokens 512] [--threads N] [--repeats 10]   (prefill products: sgemm vs PanelMatMul vs 1x1 conv)
//    or: ... -- --model DIR --constrained builtin|json|SCHEMA.json [--gen-tokens 64] [--repeats 3] [--threads N]
//            (decode tokens/s with and without a JSON-schema constraint, and the schema's one-time cost)
var values = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
    {
        await Console.Error.WriteLineAsync($"Qwen.Runtime.Bench: expected --name value pairs, found '{args[i]}'").ConfigureAwait(false);
        return 2;
    }

    values[args[i][2..]] = args[++i];
}

int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

if (values.TryGetValue("matvec", out var matvecType) && matvecType is "int8" or "int4")
{
    Int8MatVecBench.Run(Int("threads", Environment.ProcessorCount), Int("repeats", 10), int4: matvecType == "int4", rows: Int("rows", 1));
    return 0;
}

if (values.TryGetValue("matvec", out matvecType))
{
    MatVecBench.Run(Int("threads", Environment.ProcessorCount), Int("repeats", 10), matvecType == "bfloat16" ? TorchSharp.torch.ScalarType.BFloat16 : TorchSharp.torch.ScalarType.Float32, Int("rows", 1));
    return 0;
}

if (values.TryGetValue("gemm", out var gemmType))
{
    GemmBench.Run(Int("threads", Environment.ProcessorCount), Int("repeats", 10), Int("prompt-tokens", 512), gemmType == "bfloat16" ? TorchSharp.torch.ScalarType.BFloat16 : TorchSharp.torch.ScalarType.Float32);
    return 0;
}

if (!values.TryGetValue("model", out var model))
{
    await Console.Error.WriteLineAsync("Qwen.Runtime.Bench: --model DIR is required").ConfigureAwait(false);
    return 2;
}

var options = new BenchmarkOptions
{
    PromptTokens = Int("prompt-tokens", 512),
    GenTokens = Int("gen-tokens", 64),
    Repeats = Int("repeats", 3),
    Model = new QwenModelOptions
    {
        Device = values.GetValueOrDefault("device", "auto"),
        Threads = values.ContainsKey("threads") ? Int("threads", 0) : null,
        DType = values.GetValueOrDefault("dtype") switch
        {
            null => null,
            "float32" => ModelDType.Float32,
            "bfloat16" => ModelDType.BFloat16,
            "float16" => ModelDType.Float16,
            "int8" => ModelDType.Int8,
            "int4" => ModelDType.Int4,
            var other => throw new ArgumentException($"--dtype '{other}' is not one of float32, bfloat16, float16, int8, int4"),
        },
    },
};

if (values.TryGetValue("accuracy", out var steps))
{
    // int8 (or --dtype) logits against float32 over a greedy run; see Int8AccuracyBench.
    Int8AccuracyBench.Run(model, options.Model.DType ?? ModelDType.Int8, int.Parse(steps, CultureInfo.InvariantCulture), options.Model.Threads);
    return 0;
}

if (values.TryGetValue("constrained", out var schema))
{
    return await ConstrainedDecodeBench.RunAsync(model, schema, options.GenTokens, options.Repeats, options.Model).ConfigureAwait(false);
}

var result = await RuntimeBenchmark.RunAsync(model, options).ConfigureAwait(false);
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;
