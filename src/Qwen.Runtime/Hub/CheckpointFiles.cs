using System.Text.Json;

namespace Qwen.Runtime;

/// <summary>Which files of a Hub repository the runtime needs, and whether a folder holds them all.</summary>
internal static class CheckpointFiles
{
    public const string Config = "config.json";
    public const string Tokenizer = "tokenizer.json";
    public const string ShardIndex = "model.safetensors.index.json";

    private static readonly string[] Metadata = [Config, "generation_config.json", Tokenizer, "tokenizer_config.json", "chat_template.jinja", ShardIndex];
    private static readonly string[] OtherWeightExtensions = [".bin", ".gguf", ".pt", ".pth", ".ckpt", ".h5", ".msgpack", ".onnx"];
    private static readonly string[] LoadableArchitectures = ["Qwen2ForCausalLM", "Qwen3ForCausalLM"];

    /// <summary>Picks the files to fetch from a repository's file list: the metadata present and every top-level safetensors file.</summary>
    /// <exception cref="HubException">There is no config.json, or no safetensors weights (only .bin, GGUF, ... or none).</exception>
    public static IReadOnlyList<string> Select(string model, IReadOnlyCollection<string> siblings)
    {
        if (!siblings.Contains(Config))
        {
            throw new HubException(HubErrorKind.UnsupportedCheckpoint, $"{model} has no config.json, so it is not a Hugging Face transformers checkpoint the runtime can load.");
        }

        var topLevel = siblings.Where(f => !f.Contains('/', StringComparison.Ordinal)).ToList();
        var weights = topLevel.Where(f => f.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)).ToList();
        if (weights.Count == 0)
        {
            var others = siblings.Where(f => OtherWeightExtensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase))).Take(3).ToList();
            var found = others.Count > 0 ? $"only {string.Join(", ", others)}" : "no weight files at all";
            throw new HubException(HubErrorKind.UnsupportedCheckpoint,
                $"{model} has no *.safetensors weights ({found}); the runtime loads safetensors only. Pick a repository that has them (most Qwen repositories do), or convert the weights with transformers' save_pretrained(safe_serialization=True).");
        }

        return [.. Metadata.Where(siblings.Contains), .. weights.Order(StringComparer.Ordinal)];
    }

    /// <summary>Whether a folder holds a loadable checkpoint: config.json, tokenizer.json and every weight file (every shard the index names).</summary>
    public static bool IsComplete(string folder)
    {
        if (!HubCache.FileExists(Path.Combine(folder, Config)) || !HubCache.FileExists(Path.Combine(folder, Tokenizer)))
        {
            return false;
        }

        var index = Path.Combine(folder, ShardIndex);
        if (HubCache.FileExists(index))
        {
            return ShardNames(index) is { Count: > 0 } shards && shards.All(s => HubCache.FileExists(Path.Combine(folder, s)));
        }

        return Directory.EnumerateFiles(folder, "*.safetensors").Any(HubCache.FileExists);
    }

    /// <summary>Whether a folder's config.json names an architecture the runtime loads (Qwen2 or Qwen3 dense).</summary>
    public static bool IsQwenCheckpoint(string folder)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, Config)));
            var root = doc.RootElement;
            if (root.TryGetProperty("architectures", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                return list.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && LoadableArchitectures.Contains(a.GetString()));
            }

            return root.TryGetProperty("model_type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() is "qwen2" or "qwen3";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    private static HashSet<string>? ShardNames(string indexPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(indexPath));
            return doc.RootElement.TryGetProperty("weight_map", out var map) && map.ValueKind == JsonValueKind.Object
                ? [.. map.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).Select(p => p.Value.GetString()!)]
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}
