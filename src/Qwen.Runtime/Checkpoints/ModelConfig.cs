using System.Globalization;
using System.Text.Json;

namespace Qwen.Runtime;

/// <summary>The shape and hyper-parameters of a Qwen2 / Qwen2.5 / Qwen3 dense checkpoint, read from its <c>config.json</c>.</summary>
/// <remarks>
/// Both the classic spellings (<c>torch_dtype</c>, <c>rope_theta</c>, <c>rope_scaling</c>) and the newer ones transformers
/// writes (<c>dtype</c>, <c>rope_parameters</c>, <c>layer_types</c>) are accepted.
/// </remarks>
public sealed class ModelConfig
{
    /// <summary>The layer type name of layers that attend to the whole context.</summary>
    public const string FullAttention = "full_attention";

    /// <summary>The layer type name of layers that attend to the last <see cref="SlidingWindow"/> tokens only.</summary>
    public const string SlidingAttention = "sliding_attention";

    /// <summary>Gets the architecture: <c>Qwen2ForCausalLM</c> or <c>Qwen3ForCausalLM</c>.</summary>
    public required string Architecture { get; init; }

    /// <summary>Gets whether the checkpoint is a Qwen3 (q/k norms, explicit head_dim, optional attention bias).</summary>
    public bool IsQwen3 => Architecture == "Qwen3ForCausalLM";

    /// <summary>Gets the number of embedding rows (may exceed the tokenizer's vocabulary: padding).</summary>
    public required int VocabSize { get; init; }

    /// <summary>Gets the model width.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Gets the MLP's inner width.</summary>
    public required int IntermediateSize { get; init; }

    /// <summary>Gets the number of decoder layers.</summary>
    public required int NumHiddenLayers { get; init; }

    /// <summary>Gets the number of query heads.</summary>
    public required int NumAttentionHeads { get; init; }

    /// <summary>Gets the number of key/value heads (grouped-query attention).</summary>
    public required int NumKeyValueHeads { get; init; }

    /// <summary>Gets the width of one attention head (explicit in Qwen3, hidden/heads otherwise).</summary>
    public required int HeadDim { get; init; }

    /// <summary>Gets the RMSNorm epsilon.</summary>
    public required double RmsNormEps { get; init; }

    /// <summary>Gets the RoPE base.</summary>
    public required double RopeTheta { get; init; }

    /// <summary>Gets the RoPE scaling, or null for plain RoPE.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>Gets the context length the config declares.</summary>
    public required int MaxPositionEmbeddings { get; init; }

    /// <summary>Gets whether the output layer reuses the embedding matrix.</summary>
    public required bool TieWordEmbeddings { get; init; }

    /// <summary>Gets whether q/k/v (and, for Qwen3 with <c>attention_bias</c>, o) projections have biases.</summary>
    public required bool AttentionBias { get; init; }

    /// <summary>Gets the dtype the checkpoint was saved in (<c>float32</c>, <c>bfloat16</c>, <c>float16</c>), when stated.</summary>
    public string? DType { get; init; }

    /// <summary>Gets the sliding-window size, when some layer uses one.</summary>
    public int? SlidingWindow { get; init; }

    /// <summary>Gets each layer's attention type: <see cref="FullAttention"/> or <see cref="SlidingAttention"/>.</summary>
    public required IReadOnlyList<string> LayerTypes { get; init; }

    /// <summary>Gets the beginning-of-sequence id, when stated.</summary>
    public int? BosTokenId { get; init; }

    /// <summary>Gets the end-of-sequence ids stated in config.json (generation_config.json may add more).</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    /// <summary>Gets the longest sequence the model is meant to handle, counting RoPE scaling.</summary>
    public int ContextLength => RopeScaling is { Type: not RopeScalingType.None } s
        ? Math.Max(MaxPositionEmbeddings, (int)Math.Min(int.MaxValue, (s.OriginalMaxPositionEmbeddings ?? MaxPositionEmbeddings) * s.Factor))
        : MaxPositionEmbeddings;

    /// <summary>Reads <c>config.json</c> from a checkpoint directory.</summary>
    /// <param name="directory">The checkpoint directory.</param>
    /// <returns>The validated configuration.</returns>
    /// <exception cref="CheckpointFormatException">The file is missing, malformed, of an unknown architecture or inconsistent.</exception>
    public static ModelConfig Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var path = Path.Combine(directory, "config.json");
        if (!File.Exists(path))
        {
            throw new CheckpointFormatException(path, "not found: a checkpoint directory needs config.json");
        }

        return JsonFields.ReadObjectFile(path, Parse);
    }

    /// <summary>Parses the text of a <c>config.json</c>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">The name used in error messages (usually the file path).</param>
    /// <returns>The validated configuration.</returns>
    /// <exception cref="CheckpointFormatException">The text is malformed, of an unknown architecture or inconsistent.</exception>
    public static ModelConfig Parse(string json, string source = "config.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonFields.ReadObject(json, source, Parse);
    }

    private static ModelConfig Parse(JsonElement root, string source)
    {
        var architecture = ReadArchitecture(root, source);
        var qwen3 = architecture == "Qwen3ForCausalLM";
        var act = JsonFields.GetString(root, "hidden_act", source) ?? "silu";
        if (act is not ("silu" or "swish"))
        {
            throw new CheckpointFormatException(source, $"field 'hidden_act' is '{act}'; Qwen models use 'silu'");
        }

        var hidden = JsonFields.RequireInt(root, "hidden_size", source);
        var heads = JsonFields.RequireInt(root, "num_attention_heads", source);
        var kvHeads = JsonFields.GetInt(root, "num_key_value_heads", source) ?? heads;
        var layers = JsonFields.RequireInt(root, "num_hidden_layers", source);
        if (kvHeads < 1 || heads % kvHeads != 0)
        {
            throw new CheckpointFormatException(source, $"num_attention_heads ({heads}) must be a multiple of num_key_value_heads ({kvHeads})");
        }

        var headDim = JsonFields.GetInt(root, "head_dim", source);
        if (headDim is null && hidden % heads != 0)
        {
            throw new CheckpointFormatException(source, $"hidden_size ({hidden}) must be a multiple of num_attention_heads ({heads}) when head_dim is not given");
        }

        var dim = headDim ?? hidden / heads;
        if (dim < 2 || dim % 2 != 0)
        {
            throw new CheckpointFormatException(source, $"head_dim must be a positive even number (RoPE rotates pairs), found {dim}");
        }

        var ropeParams = ReadRopeParameters(root, source);
        var theta = JsonFields.GetDouble(root, "rope_theta", source)
            ?? (ropeParams is { } rp ? JsonFields.GetDouble(rp, "rope_theta", source) : null)
            ?? 10000.0;
        if (theta <= 1)
        {
            throw new CheckpointFormatException(source, $"rope_theta must be greater than 1, found {theta}");
        }

        var maxPos = JsonFields.RequireInt(root, "max_position_embeddings", source);
        var scaling = ropeParams is { } p ? ReadRopeScaling(p, source) : null;
        var eps = JsonFields.GetDouble(root, "rms_norm_eps", source) ?? 1e-6;
        if (eps is <= 0 or > 1)
        {
            throw new CheckpointFormatException(source, $"rms_norm_eps must be in (0, 1], found {eps}");
        }

        var (slidingWindow, layerTypes) = ReadLayerTypes(root, layers, source);
        var dtype = JsonFields.GetString(root, "dtype", source) ?? JsonFields.GetString(root, "torch_dtype", source);
        if (dtype is not null && dtype is not ("float32" or "bfloat16" or "float16" or "float" or "half"))
        {
            throw new CheckpointFormatException(source, $"dtype '{dtype}' is not one of float32, bfloat16, float16");
        }

        return new ModelConfig
        {
            Architecture = architecture,
            VocabSize = JsonFields.RequireInt(root, "vocab_size", source),
            HiddenSize = hidden,
            IntermediateSize = JsonFields.RequireInt(root, "intermediate_size", source),
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = dim,
            RmsNormEps = eps,
            RopeTheta = theta,
            RopeScaling = scaling,
            MaxPositionEmbeddings = maxPos,
            TieWordEmbeddings = JsonFields.GetBool(root, "tie_word_embeddings", source) ?? false,
            AttentionBias = qwen3 ? JsonFields.GetBool(root, "attention_bias", source) ?? false : true,
            DType = dtype switch { "float" => "float32", "half" => "float16", _ => dtype },
            SlidingWindow = slidingWindow,
            LayerTypes = layerTypes,
            BosTokenId = JsonFields.GetInt(root, "bos_token_id", source),
            EosTokenIds = JsonFields.GetIntOrList(root, "eos_token_id", source),
        };
    }

    private static string ReadArchitecture(JsonElement root, string source)
    {
        string[] known = ["Qwen2ForCausalLM", "Qwen3ForCausalLM"];
        if (JsonFields.Get(root, "architectures") is { ValueKind: JsonValueKind.Array } list)
        {
            var names = list.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() ?? string.Empty : e.GetRawText()).ToList();
            return names.FirstOrDefault(known.Contains)
                ?? throw new CheckpointFormatException(source, $"architecture {string.Join(", ", names.Select(n => $"'{n}'"))} is not supported; expected Qwen2ForCausalLM (Qwen2, Qwen2.5, QwQ) or Qwen3ForCausalLM (dense Qwen3)");
        }

        return JsonFields.GetString(root, "model_type", source) switch
        {
            "qwen2" => "Qwen2ForCausalLM",
            "qwen3" => "Qwen3ForCausalLM",
            var other => throw new CheckpointFormatException(source, $"neither 'architectures' nor a known 'model_type' (found '{other}'); expected Qwen2ForCausalLM or Qwen3ForCausalLM"),
        };
    }

    private static JsonElement? ReadRopeParameters(JsonElement root, string source)
    {
        var parameters = JsonFields.Get(root, "rope_parameters") ?? JsonFields.Get(root, "rope_scaling");
        if (parameters is not { } p)
        {
            return null;
        }

        if (p.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointFormatException(source, $"rope_scaling must be an object or null, found {p.GetRawText()}");
        }

        // Per-layer-type parameters (newer transformers): Qwen's layers all use the full-attention ones.
        return JsonFields.Get(p, FullAttention) is { ValueKind: JsonValueKind.Object } full ? full : p;
    }

    private static RopeScaling? ReadRopeScaling(JsonElement p, string source)
    {
        var typeName = JsonFields.GetString(p, "rope_type", source) ?? JsonFields.GetString(p, "type", source) ?? "default";
        var type = typeName switch
        {
            "default" => RopeScalingType.None,
            "linear" => RopeScalingType.Linear,
            "dynamic" => RopeScalingType.Dynamic,
            "yarn" => RopeScalingType.Yarn,
            _ => throw new CheckpointFormatException(source, $"rope_scaling type '{typeName}' is not supported; expected default, linear, dynamic or yarn"),
        };
        if (type == RopeScalingType.None)
        {
            return null;
        }

        var factor = JsonFields.GetDouble(p, "factor", source)
            ?? throw new CheckpointFormatException(source, $"rope_scaling of type '{typeName}' needs a 'factor'");
        if (factor < 1)
        {
            throw new CheckpointFormatException(source, $"rope_scaling.factor must be at least 1, found {factor.ToString(CultureInfo.InvariantCulture)}");
        }

        var original = JsonFields.GetInt(p, "original_max_position_embeddings", source);
        if (original is < 1)
        {
            throw new CheckpointFormatException(source, $"rope_scaling.original_max_position_embeddings must be positive, found {original}");
        }

        return new RopeScaling
        {
            Type = type,
            Factor = factor,
            OriginalMaxPositionEmbeddings = original,
            AttentionFactor = JsonFields.GetDouble(p, "attention_factor", source),
            BetaFast = JsonFields.GetDouble(p, "beta_fast", source) ?? 32,
            BetaSlow = JsonFields.GetDouble(p, "beta_slow", source) ?? 1,
            Mscale = JsonFields.GetDouble(p, "mscale", source),
            MscaleAllDim = JsonFields.GetDouble(p, "mscale_all_dim", source),
            Truncate = JsonFields.GetBool(p, "truncate", source) ?? true,
        };
    }

    private static (int? Window, string[] Types) ReadLayerTypes(JsonElement root, int layers, string source)
    {
        var window = JsonFields.GetInt(root, "sliding_window", source);
        var useSliding = JsonFields.GetBool(root, "use_sliding_window", source) ?? false;
        string[] types;
        if (JsonFields.Get(root, "layer_types") is { } listed)
        {
            if (listed.ValueKind != JsonValueKind.Array || listed.GetArrayLength() != layers)
            {
                throw new CheckpointFormatException(source, $"layer_types must list one entry per layer ({layers}), found {listed.GetRawText()}");
            }

            types = [.. listed.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText())];
            foreach (var t in types.Where(t => t is not (FullAttention or SlidingAttention)))
            {
                throw new CheckpointFormatException(source, $"layer_types entry '{t}' is not '{FullAttention}' or '{SlidingAttention}'");
            }
        }
        else
        {
            // transformers' rule: with use_sliding_window, layers from max_window_layers on use the window.
            var firstSliding = JsonFields.GetInt(root, "max_window_layers", source) ?? layers;
            types = [.. Enumerable.Range(0, layers).Select(i => useSliding && window is not null && i >= firstSliding ? SlidingAttention : FullAttention)];
        }

        if (!types.Contains(SlidingAttention))
        {
            return (null, types);
        }

        return window is >= 1
            ? (window, types)
            : throw new CheckpointFormatException(source, $"some layers use sliding attention but sliding_window is {window?.ToString(CultureInfo.InvariantCulture) ?? "missing"}; expected a positive integer");
    }
}
