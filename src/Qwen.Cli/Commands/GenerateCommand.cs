using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Qwen.Core;
using Qwen.Runtime;

namespace Qwen.Cli;

/// <summary><c>qwen generate</c>: runs a prompt through a model and streams the continuation (or prints it as JSON).</summary>
internal static class GenerateCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = CliModels.Describe("config.json, safetensors, tokenizer.json"), Required = true };
        var prompt = new Option<string?>("--prompt") { Description = "Prompt text, encoded with the checkpoint's tokenizer.json." };
        var promptIds = new Option<string?>("--prompt-ids") { Description = "Prompt as comma-separated token ids, e.g. 1,2,3." };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens to generate.", DefaultValueFactory = _ => 128 };
        var greedy = new Option<bool>("--greedy") { Description = "Always take the most likely token." };
        var temperature = new Option<double?>("--temperature") { Description = "Sampling temperature (0 = greedy)." };
        var topP = new Option<double?>("--top-p") { Description = "Nucleus sampling threshold." };
        var topK = new Option<int?>("--top-k") { Description = "Keep only the k most likely tokens." };
        var minP = new Option<double?>("--min-p") { Description = "Minimum probability relative to the most likely token." };
        var repetition = new Option<double?>("--repetition-penalty") { Description = "Penalty for tokens already in the prompt or output (1 = off)." };
        var seed = new Option<int?>("--seed") { Description = "Random seed for reproducible sampling." };
        var stop = new Option<string[]>("--stop") { Description = "Stop when this text appears (repeatable).", AllowMultipleArgumentsPerToken = false };
        var ignoreEos = new Option<bool>("--ignore-eos") { Description = "Do not stop at the model's end-of-sequence ids." };
        var logits = new Option<bool>("--logits") { Description = "With --json: add first_logits, the float32 logits after the prompt." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of streaming text." };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var dtype = new Option<string?>("--dtype") { Description = "float32, bfloat16, float16, int8 or int4 (8-bit or 4-bit weights, CPU only) (default: bfloat16 on CUDA, float32 on CPU)." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads." };

        var command = new Command("generate", "Generate a continuation of a prompt with a local Qwen checkpoint.");
        foreach (var option in new Option[] { model, prompt, promptIds, maxTokens, greedy, temperature, topP, topK, minP, repetition, seed, stop, ignoreEos, logits, json, device, dtype, threads })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var modelDir = await CliModels.ResolveAsync(parseResult.GetValue(model)!, cancellationToken).ConfigureAwait(false);
            var codec = CreateCodec(modelDir);
            var ids = (parseResult.GetValue(prompt), parseResult.GetValue(promptIds)) switch
            {
                ({ } text, null) => codec.Encode(text),
                (null, { } list) => ParseIds(list),
                (null, null) => throw new ArgumentException("Give the prompt with --prompt TEXT or --prompt-ids 1,2,3."),
                _ => throw new ArgumentException("Give either --prompt or --prompt-ids, not both."),
            };
            var sampling = Sampling(parseResult, greedy, temperature, topP, topK, minP, repetition, seed);
            var wantJson = parseResult.GetValue(json);
            if (parseResult.GetValue(logits) && !wantJson)
            {
                throw new ArgumentException("--logits is printed as part of --json; add --json.");
            }

            using var qwen = QwenModel.Load(modelDir, ModelOptions(parseResult.GetValue(device)!, parseResult.GetValue(dtype), parseResult.GetValue(threads)));
            var stops = parseResult.GetValue(stop) ?? [];
            if (stops.Length > 0 && codec.Decoder is null)
            {
                throw new ArgumentException($"--stop needs {Path.Combine(modelDir, "tokenizer.json")} to see the text.");
            }

            var options = new GenerationOptions
            {
                MaxNewTokens = parseResult.GetValue(maxTokens),
                Sampling = sampling ?? SamplingOptions.FromGenerationConfig(qwen.GenerationConfig) with { Seed = parseResult.GetValue(seed) },
                IgnoreEos = parseResult.GetValue(ignoreEos),
                StopStrings = stops,
                Decoder = codec.Decoder,
            };

            var firstLogits = parseResult.GetValue(logits) ? qwen.Forward(ids) : null;
            var generated = new List<int>();
            var output = new System.Text.StringBuilder();
            GenerationFinishReason? finish = null;
            await foreach (var update in qwen.GenerateAsync(ids, options, cancellationToken).ConfigureAwait(false))
            {
                generated.Add(update.TokenId);
                output.Append(update.Text);
                finish = update.FinishReason;
                if (!wantJson)
                {
                    await Console.Out.WriteAsync(codec.Decoder is null ? $"{update.TokenId} " : update.Text).ConfigureAwait(false);
                    await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            if (wantJson)
            {
                var result = new Dictionary<string, object?>
                {
                    ["prompt_ids"] = ids,
                    ["ids"] = generated,
                    ["text"] = codec.Decoder is null ? null : output.ToString(),
                    ["finish_reason"] = finish?.ToString().ToLowerInvariant(),
                };
                if (firstLogits is not null)
                {
                    result["first_logits"] = firstLogits;
                }

                // Relaxed escaping keeps non-ASCII text readable; the output is JSON for programs, not HTML.
                var jsonOptions = new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(result, jsonOptions)).ConfigureAwait(false);
            }
            else
            {
                await Console.Out.WriteLineAsync().ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    /// <summary>The one place that decides how text becomes ids and back for a model directory.</summary>
    /// <remarks>
    /// With a Qwen (byte-level BPE) tokenizer.json both ways go through <see cref="QwenTokenizer"/>, so prompts encode exactly as
    /// transformers would; a tokenizer.json it cannot read still decodes through its byte-level vocabulary, and --prompt then says why it cannot encode.
    /// </remarks>
    /// <param name="modelDir">The checkpoint directory.</param>
    /// <returns>The encoder and, when tokenizer.json exists, the decoder.</returns>
    internal static TextCodec CreateCodec(string modelDir)
    {
        var tokenizerPath = Path.Combine(modelDir, "tokenizer.json");
        if (!File.Exists(tokenizerPath))
        {
            return new TextCodec(_ => throw new ArgumentException($"--prompt needs {tokenizerPath} to encode the text; use --prompt-ids"), null);
        }

        try
        {
            var tokenizer = QwenTokenizer.FromDirectory(modelDir);
            return new TextCodec(text => [.. tokenizer.EncodeToIds(text)], tokenizer.AsTokenDecoder());
        }
        catch (TokenizerFormatException e)
        {
            // Encoding is impossible with this tokenizer.json, but its byte-level vocabulary still decodes exactly.
            return new TextCodec(_ => throw new ArgumentException($"--prompt cannot encode with this tokenizer ({e.Message}); use --prompt-ids", e), QwenTokenVocabulary.FromFiles(tokenizerPath).AsTokenDecoder());
        }
    }

    /// <summary>Device, dtype and threads from the common command-line options.</summary>
    internal static QwenModelOptions ModelOptions(string device, string? dtype, int? threads) => new()
    {
        Device = device,
        Threads = threads,
        DType = dtype switch
        {
            null => null,
            "float32" or "f32" => ModelDType.Float32,
            "bfloat16" or "bf16" => ModelDType.BFloat16,
            "float16" or "f16" => ModelDType.Float16,

            // Any other member of ModelDType by its name (int8, int4).
            _ when dtype.Length > 0 && char.IsLetter(dtype[0]) && Enum.TryParse<ModelDType>(dtype, ignoreCase: true, out var named) => named,
            _ => throw new ArgumentException($"--dtype '{dtype}' is not one of {string.Join(", ", Enum.GetNames<ModelDType>().Select(n => n.ToLowerInvariant()))}."),
        },
    };

    private static int[] ParseIds(string list)
    {
        var parts = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new ArgumentException("--prompt-ids is empty; expected comma-separated token ids such as 1,2,3.");
        }

        return [.. parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new ArgumentException($"--prompt-ids: '{p}' is not a token id; expected comma-separated non-negative integers."))];
    }

    private static SamplingOptions? Sampling(
        ParseResult parseResult, Option<bool> greedy, Option<double?> temperature, Option<double?> topP, Option<int?> topK, Option<double?> minP, Option<double?> repetition, Option<int?> seed)
    {
        var sampled = parseResult.GetValue(temperature) is not null || parseResult.GetValue(topP) is not null || parseResult.GetValue(topK) is not null || parseResult.GetValue(minP) is not null;
        if (parseResult.GetValue(greedy))
        {
            return sampled
                ? throw new ArgumentException("--greedy cannot be combined with --temperature, --top-p, --top-k or --min-p.")
                : SamplingOptions.Greedy with { RepetitionPenalty = parseResult.GetValue(repetition) ?? 1 };
        }

        if (!sampled && parseResult.GetValue(repetition) is null)
        {
            return null;
        }

        var options = new SamplingOptions
        {
            Temperature = parseResult.GetValue(temperature) ?? 1,
            TopP = parseResult.GetValue(topP) ?? 1,
            TopK = parseResult.GetValue(topK) ?? 0,
            MinP = parseResult.GetValue(minP) ?? 0,
            RepetitionPenalty = parseResult.GetValue(repetition) ?? 1,
            Seed = parseResult.GetValue(seed),
        };
        options.Validate();
        return options;
    }
}
