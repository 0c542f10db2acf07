using System.CommandLine;
using System.Text.Json;
using Qwen.Runtime;
using Qwen.Runtime.Diagnostics;

namespace Qwen.Cli;

/// <summary><c>qwen make-tiny-model DIR</c>: writes a random-weight Qwen2/Qwen3 checkpoint in the real layout, tiny or full-size.</summary>
internal static class MakeTinyModelCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "Output directory (created if needed)." };
        var arch = new Option<string>("--arch") { Description = "Architecture: qwen2 or qwen3.", DefaultValueFactory = _ => "qwen2" };
        arch.AcceptOnlyFromAmong("qwen2", "qwen3");
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same files).", DefaultValueFactory = _ => 1234 };
        var layers = new Option<int>("--layers") { Description = "Decoder layers.", DefaultValueFactory = _ => 2 };
        var hidden = new Option<int>("--hidden") { Description = "Model width.", DefaultValueFactory = _ => 64 };
        var heads = new Option<int>("--heads") { Description = "Query heads.", DefaultValueFactory = _ => 4 };
        var kvHeads = new Option<int>("--kv-heads") { Description = "Key/value heads.", DefaultValueFactory = _ => 2 };
        var headDim = new Option<int?>("--head-dim") { Description = "Head width (default hidden/heads; qwen3 may differ)." };
        var intermediate = new Option<int>("--intermediate") { Description = "MLP inner width.", DefaultValueFactory = _ => 160 };
        var vocab = new Option<int?>("--vocab") { Description = "Embedding rows (default: the tokenizer's size; larger pads)." };
        var tie = new Option<bool>("--tie") { Description = "Tie the output layer to the embeddings (no lm_head)." };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Directory whose tokenizer.json to copy (default: a byte-level tokenizer)." };
        var dtype = new Option<string>("--dtype") { Description = "Weight storage: float32 or bfloat16.", DefaultValueFactory = _ => "float32" };
        dtype.AcceptOnlyFromAmong("float32", "bfloat16");
        var shards = new Option<int>("--shards") { Description = "Number of safetensors shards.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the written config as JSON." };

        var command = new Command("make-tiny-model", "Write a random-weight Qwen checkpoint (config.json, safetensors, tokenizer.json) for tests, demos and benchmarks.");
        command.Arguments.Add(dir);
        foreach (var option in new Option[] { arch, seed, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, tie, tokenizer, dtype, shards, json })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.GetValue(dir)!;
            var options = new TinyModelOptions
            {
                Architecture = parseResult.GetValue(arch)!,
                Seed = parseResult.GetValue(seed),
                Layers = parseResult.GetValue(layers),
                Hidden = parseResult.GetValue(hidden),
                Heads = parseResult.GetValue(heads),
                KvHeads = parseResult.GetValue(kvHeads),
                HeadDim = parseResult.GetValue(headDim),
                Intermediate = parseResult.GetValue(intermediate),
                Vocab = parseResult.GetValue(vocab),
                Tie = parseResult.GetValue(tie),
                TokenizerDirectory = parseResult.GetValue(tokenizer),
                DType = parseResult.GetValue(dtype) == "bfloat16" ? ModelDType.BFloat16 : ModelDType.Float32,
                Shards = parseResult.GetValue(shards),
            };
            var config = await Task.Run(() => TinyModelWriter.Write(output, options), cancellationToken).ConfigureAwait(false);
            var bytes = Directory.GetFiles(output, "*.safetensors").Sum(f => new FileInfo(f).Length);
            if (parseResult.GetValue(json))
            {
                var summary = new
                {
                    dir = Path.GetFullPath(output),
                    architecture = config.Architecture,
                    vocab_size = config.VocabSize,
                    hidden_size = config.HiddenSize,
                    intermediate_size = config.IntermediateSize,
                    layers = config.NumHiddenLayers,
                    heads = config.NumAttentionHeads,
                    kv_heads = config.NumKeyValueHeads,
                    head_dim = config.HeadDim,
                    tied = config.TieWordEmbeddings,
                    dtype = config.DType,
                    weight_bytes = bytes,
                };
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(summary)).ConfigureAwait(false);
            }
            else
            {
                await Console.Out.WriteLineAsync(
                    $"Wrote {config.Architecture} to {output}: {config.NumHiddenLayers} layers, hidden {config.HiddenSize}, {config.NumAttentionHeads}/{config.NumKeyValueHeads} heads of {config.HeadDim}, vocab {config.VocabSize}, {bytes:N0} bytes of {config.DType} weights.").ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }
}
