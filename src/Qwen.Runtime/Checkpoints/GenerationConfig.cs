using System.Text.Json;

namespace Qwen.Runtime;

/// <summary>A checkpoint's generation defaults, read from <c>generation_config.json</c>: end-of-sequence ids and sampling settings.</summary>
public sealed class GenerationConfig
{
    /// <summary>Gets the ids that end generation.</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    /// <summary>Gets the beginning-of-sequence id, when stated.</summary>
    public int? BosTokenId { get; init; }

    /// <summary>Gets the padding id, when stated.</summary>
    public int? PadTokenId { get; init; }

    /// <summary>Gets whether the checkpoint samples by default (false: greedy).</summary>
    public bool DoSample { get; init; }

    /// <summary>Gets the default temperature, when stated.</summary>
    public double? Temperature { get; init; }

    /// <summary>Gets the default top-k, when stated.</summary>
    public int? TopK { get; init; }

    /// <summary>Gets the default top-p, when stated.</summary>
    public double? TopP { get; init; }

    /// <summary>Gets the default min-p, when stated.</summary>
    public double? MinP { get; init; }

    /// <summary>Gets the default repetition penalty, when stated.</summary>
    public double? RepetitionPenalty { get; init; }

    /// <summary>Reads <c>generation_config.json</c> from a checkpoint directory; a missing file gives empty defaults.</summary>
    /// <param name="directory">The checkpoint directory.</param>
    /// <returns>The generation defaults.</returns>
    /// <exception cref="CheckpointFormatException">The file exists but is malformed.</exception>
    public static GenerationConfig Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var path = Path.Combine(directory, "generation_config.json");
        if (!File.Exists(path))
        {
            return new GenerationConfig();
        }

        return JsonFields.ReadObjectFile(path, Parse);
    }

    /// <summary>Parses the text of a <c>generation_config.json</c>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">The name used in error messages.</param>
    /// <returns>The generation defaults.</returns>
    /// <exception cref="CheckpointFormatException">The text is malformed.</exception>
    public static GenerationConfig Parse(string json, string source = "generation_config.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonFields.ReadObject(json, source, Parse);
    }

    private static GenerationConfig Parse(JsonElement root, string source)
    {
        return new GenerationConfig
        {
            EosTokenIds = JsonFields.GetIntOrList(root, "eos_token_id", source),
            BosTokenId = JsonFields.GetInt(root, "bos_token_id", source),
            PadTokenId = JsonFields.GetInt(root, "pad_token_id", source),
            DoSample = JsonFields.GetBool(root, "do_sample", source) ?? false,
            Temperature = JsonFields.GetDouble(root, "temperature", source),
            TopK = JsonFields.GetInt(root, "top_k", source),
            TopP = JsonFields.GetDouble(root, "top_p", source),
            MinP = JsonFields.GetDouble(root, "min_p", source),
            RepetitionPenalty = JsonFields.GetDouble(root, "repetition_penalty", source),
        };
    }
}
