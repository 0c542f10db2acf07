using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Qwen.Core;

namespace Qwen.Runtime.Diagnostics;

/// <summary>Writes random-weight Qwen2 / Qwen3 checkpoints in the real Hugging Face layout, for tests, demos and benchmarks.</summary>
/// <remarks>
/// Writes config.json, generation_config.json, model.safetensors (or shards and an index), tokenizer.json and
/// tokenizer_config.json. Weights are drawn from a seeded generator and streamed to disk, so full-size shapes
/// (a Qwen2.5-0.5B shape is about 2 GB in float32) need no more memory than a small buffer.
/// </remarks>
public static class TinyModelWriter
{
    // Qwen2/2.5/3's pre-tokenizer split pattern, as their tokenizer.json files spell it.
    private const string QwenSplitPattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    // The Hugging Face file names the runtime's checkpoint reader looks for.
    private const string SingleFileName = "model.safetensors";
    private const string IndexFileName = "model.safetensors.index.json";

    private const string EndOfText = "<|endoftext|>";
    private const string ImStart = "<|im_start|>";
    private const string ImEnd = "<|im_end|>";

    /// <summary>Writes a checkpoint into <paramref name="directory"/> (created if needed; existing model files are replaced).</summary>
    /// <param name="directory">The output directory.</param>
    /// <param name="options">The shape; null for the tiny defaults.</param>
    /// <returns>The configuration that was written, as the runtime reads it.</returns>
    /// <exception cref="ArgumentException">An option is out of range or inconsistent; the message names it.</exception>
    /// <exception cref="TokenizerFormatException">The tokenizer directory holds no tokenizer.json, or one whose vocabulary is not byte-level BPE.</exception>
    public static ModelConfig Write(string directory, TinyModelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        options ??= new TinyModelOptions();
        Validate(options);
        Directory.CreateDirectory(directory);

        var (tokenizerSize, endOfText, imEnd) = WriteTokenizer(directory, options.TokenizerDirectory);
        var vocab = options.Vocab ?? tokenizerSize;
        if (vocab < tokenizerSize)
        {
            throw new ArgumentException($"TinyModelOptions.Vocab ({vocab}) must be at least the tokenizer's size ({tokenizerSize}).", nameof(options));
        }

        var qwen3 = options.Architecture == "qwen3";
        var headDim = options.HeadDim ?? options.Hidden / options.Heads;
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray(qwen3 ? "Qwen3ForCausalLM" : "Qwen2ForCausalLM"),
            ["model_type"] = options.Architecture,
            ["attention_dropout"] = 0.0,
            ["bos_token_id"] = endOfText,
            ["eos_token_id"] = imEnd,
            ["hidden_act"] = "silu",
            ["hidden_size"] = options.Hidden,
            ["initializer_range"] = 0.02,
            ["intermediate_size"] = options.Intermediate,
            ["max_position_embeddings"] = options.MaxPositionEmbeddings,
            ["max_window_layers"] = options.Layers,
            ["num_attention_heads"] = options.Heads,
            ["num_hidden_layers"] = options.Layers,
            ["num_key_value_heads"] = options.KvHeads,
            ["rms_norm_eps"] = 1e-6,
            ["rope_scaling"] = null,
            ["rope_theta"] = options.RopeTheta,
            ["sliding_window"] = null,
            ["tie_word_embeddings"] = options.Tie,
            ["torch_dtype"] = options.DType == ModelDType.BFloat16 ? "bfloat16" : "float32",
            ["use_cache"] = true,
            ["use_sliding_window"] = false,
            ["vocab_size"] = vocab,
        };
        if (qwen3)
        {
            config["head_dim"] = headDim;
            config["attention_bias"] = false;
        }

        var indented = new JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString(indented));
        var generation = new JsonObject
        {
            ["bos_token_id"] = endOfText,
            ["eos_token_id"] = new JsonArray(imEnd, endOfText),
            ["pad_token_id"] = endOfText,
        };
        File.WriteAllText(Path.Combine(directory, "generation_config.json"), generation.ToJsonString(indented));

        var modelConfig = ModelConfig.Load(directory);
        WriteWeights(directory, modelConfig, options);
        return modelConfig;
    }

    private static void Validate(TinyModelOptions o)
    {
        static void Positive(int value, string name)
        {
            if (value < 1)
            {
                throw new ArgumentException($"TinyModelOptions.{name} must be at least 1, found {value}.", "options");
            }
        }

        if (o.Architecture is not ("qwen2" or "qwen3"))
        {
            throw new ArgumentException($"TinyModelOptions.Architecture must be 'qwen2' or 'qwen3', found '{o.Architecture}'.", nameof(o));
        }

        Positive(o.Layers, nameof(o.Layers));
        Positive(o.Hidden, nameof(o.Hidden));
        Positive(o.Heads, nameof(o.Heads));
        Positive(o.KvHeads, nameof(o.KvHeads));
        Positive(o.Intermediate, nameof(o.Intermediate));
        Positive(o.Shards, nameof(o.Shards));
        Positive(o.MaxPositionEmbeddings, nameof(o.MaxPositionEmbeddings));
        if (o.Heads % o.KvHeads != 0)
        {
            throw new ArgumentException($"TinyModelOptions.Heads ({o.Heads}) must be a multiple of KvHeads ({o.KvHeads}).", nameof(o));
        }

        if (o.HeadDim is null && o.Hidden % o.Heads != 0)
        {
            throw new ArgumentException($"TinyModelOptions.Hidden ({o.Hidden}) must be a multiple of Heads ({o.Heads}) when HeadDim is not given.", nameof(o));
        }

        if (o.HeadDim is { } hd && (hd < 2 || hd % 2 != 0))
        {
            throw new ArgumentException($"TinyModelOptions.HeadDim must be a positive even number, found {hd}.", nameof(o));
        }

        if (o.HeadDim is { } explicitDim && o.Architecture == "qwen2" && explicitDim * o.Heads != o.Hidden)
        {
            throw new ArgumentException($"TinyModelOptions.HeadDim ({explicitDim}) times Heads ({o.Heads}) must equal Hidden ({o.Hidden}) for qwen2, whose config has no head_dim.", nameof(o));
        }

        if (o.DType is not (ModelDType.Float32 or ModelDType.BFloat16))
        {
            throw new ArgumentException($"TinyModelOptions.DType must be Float32 or BFloat16, found {o.DType}.", nameof(o));
        }

        if (o.RopeTheta <= 1)
        {
            throw new ArgumentException($"TinyModelOptions.RopeTheta must be greater than 1, found {o.RopeTheta.ToString(CultureInfo.InvariantCulture)}.", nameof(o));
        }
    }

    private static void WriteWeights(string directory, ModelConfig c, TinyModelOptions options)
    {
        var dtype = options.DType == ModelDType.BFloat16 ? "BF16" : "F32";
        long h = c.HiddenSize, hd = c.HeadDim, q = c.NumAttentionHeads * hd, kv = c.NumKeyValueHeads * hd, ff = c.IntermediateSize, v = c.VocabSize;

        // (tensor, init): mean and standard deviation like the reference generator: unit-variance activations at every layer.
        var tensors = new List<(SafeTensorsWriter.TensorSpec Spec, float Mean, float Std)>
        {
            (new("model.embed_tokens.weight", dtype, [v, h]), 0, 1),
        };
        for (var i = 0; i < c.NumHiddenLayers; i++)
        {
            var p = $"model.layers.{i}.";
            tensors.Add((new(p + "input_layernorm.weight", dtype, [h]), 1, 0.1f));
            tensors.Add((new(p + "self_attn.q_proj.weight", dtype, [q, h]), 0, 1 / MathF.Sqrt(h)));
            tensors.Add((new(p + "self_attn.k_proj.weight", dtype, [kv, h]), 0, 1 / MathF.Sqrt(h)));
            tensors.Add((new(p + "self_attn.v_proj.weight", dtype, [kv, h]), 0, 1 / MathF.Sqrt(h)));
            if (!c.IsQwen3)
            {
                tensors.Add((new(p + "self_attn.q_proj.bias", dtype, [q]), 0, 0.5f));
                tensors.Add((new(p + "self_attn.k_proj.bias", dtype, [kv]), 0, 0.5f));
                tensors.Add((new(p + "self_attn.v_proj.bias", dtype, [kv]), 0, 0.5f));
            }

            tensors.Add((new(p + "self_attn.o_proj.weight", dtype, [h, q]), 0, 1 / MathF.Sqrt(q)));
            if (c.IsQwen3)
            {
                tensors.Add((new(p + "self_attn.q_norm.weight", dtype, [hd]), 1, 0.1f));
                tensors.Add((new(p + "self_attn.k_norm.weight", dtype, [hd]), 1, 0.1f));
            }

            tensors.Add((new(p + "post_attention_layernorm.weight", dtype, [h]), 1, 0.1f));
            tensors.Add((new(p + "mlp.gate_proj.weight", dtype, [ff, h]), 0, 1 / MathF.Sqrt(h)));
            tensors.Add((new(p + "mlp.up_proj.weight", dtype, [ff, h]), 0, 1 / MathF.Sqrt(h)));
            tensors.Add((new(p + "mlp.down_proj.weight", dtype, [h, ff]), 0, 1 / MathF.Sqrt(ff)));
        }

        tensors.Add((new("model.norm.weight", dtype, [h]), 1, 0.1f));
        if (!c.TieWordEmbeddings)
        {
            tensors.Add((new("lm_head.weight", dtype, [v, h]), 0, 2 / MathF.Sqrt(h)));
        }

        foreach (var stale in Directory.GetFiles(directory, "model*.safetensors*"))
        {
            File.Delete(stale);
        }

        var init = tensors.ToDictionary(t => t.Spec.Name, t => (t.Mean, t.Std));
        var random = new GaussianRandom((ulong)options.Seed);
        void Fill(SafeTensorsWriter.TensorSpec spec, Stream stream)
        {
            var (mean, std) = init[spec.Name];
            var buffer = new float[Math.Min(spec.ElementCount, 1 << 16)];
            for (var left = spec.ElementCount; left > 0; left -= buffer.Length)
            {
                var span = buffer.AsSpan(0, (int)Math.Min(left, buffer.Length));
                random.Fill(span, mean, std);
                SafeTensorsWriter.WriteFloats(stream, spec.DType, span);
            }
        }

        var shards = Math.Min(options.Shards, tensors.Count);
        if (shards == 1)
        {
            SafeTensorsWriter.Write(Path.Combine(directory, SingleFileName), [.. tensors.Select(t => t.Spec)], Fill);
            return;
        }

        var perShard = (tensors.Count + shards - 1) / shards;
        var weightMap = new JsonObject();
        long total = 0;
        for (var k = 0; k < shards; k++)
        {
            var file = $"model-{k + 1:00000}-of-{shards:00000}.safetensors";
            var part = tensors.Skip(k * perShard).Take(perShard).Select(t => t.Spec).ToList();
            SafeTensorsWriter.Write(Path.Combine(directory, file), part, Fill);
            foreach (var spec in part)
            {
                weightMap[spec.Name] = file;
                total += spec.ByteLength;
            }
        }

        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = total }, ["weight_map"] = weightMap };
        File.WriteAllText(Path.Combine(directory, IndexFileName), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Writes tokenizer files; returns the number of ids they define and the end-of-text / im_end ids.</summary>
    private static (int Size, int EndOfText, int ImEnd) WriteTokenizer(string directory, string? source)
    {
        var target = Path.Combine(directory, "tokenizer.json");
        if (source is not null)
        {
            var sourceFile = Path.Combine(source, "tokenizer.json");
            if (!File.Exists(sourceFile))
            {
                throw new TokenizerFormatException(sourceFile, null, "not found: TinyModelOptions.TokenizerDirectory must name a directory holding tokenizer.json.");
            }

            // Decode-only: the model needs the vocabulary's size and special ids, not a tokenizer that can encode.
            var vocabulary = QwenTokenVocabulary.FromFiles(sourceFile);
            if (Path.GetFullPath(sourceFile) != Path.GetFullPath(target))
            {
                File.Copy(sourceFile, target, overwrite: true);
                var sourceConfig = Path.Combine(source, "tokenizer_config.json");
                if (File.Exists(sourceConfig))
                {
                    File.Copy(sourceConfig, Path.Combine(directory, "tokenizer_config.json"), overwrite: true);
                }
            }

            return (vocabulary.Size, vocabulary.TokenToId(EndOfText) ?? 0, vocabulary.TokenToId(ImEnd) ?? vocabulary.TokenToId(EndOfText) ?? 0);
        }

        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++)
        {
            vocab[ByteLevelAlphabet.ToChar((byte)b).ToString()] = b;
        }

        var added = new JsonArray();
        string[] specials = [EndOfText, ImStart, ImEnd];
        for (var i = 0; i < specials.Length; i++)
        {
            added.Add(new JsonObject
            {
                ["id"] = 256 + i, ["content"] = specials[i], ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            });
        }

        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = new JsonObject { ["type"] = "NFC" },
            // The pre-tokenizer and decoder real Qwen checkpoints ship, so every Qwen tokenizer reader accepts the file.
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = QwenSplitPattern }, ["behavior"] = "Isolated", ["invert"] = false },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false }),
            },
            ["post_processor"] = null,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false, ["vocab"] = vocab, ["merges"] = new JsonArray(),
            },
        };
        File.WriteAllText(target, tokenizer.ToJsonString());
        var tokenizerConfig = new JsonObject
        {
            ["bos_token"] = null,
            ["eos_token"] = ImEnd,
            ["pad_token"] = EndOfText,
            ["model_max_length"] = 4096,
            ["chat_template"] = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
        };
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), tokenizerConfig.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return (256 + specials.Length, 256, 258);
    }
}
