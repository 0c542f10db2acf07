using System.Text.Json.Nodes;

namespace Qwen.Core.Tests.Tokenization;

/// <summary>Writes small tokenizer.json / tokenizer_config.json files to a temporary folder: the 256 byte-level tokens (ids 0-255 in byte order) plus what a test adds.</summary>
internal sealed class TinyTokenizer : IDisposable
{
    private const string Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public TinyTokenizer()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("qwen-tiny-tokenizer-").FullName;
        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++)
        {
            vocab[ByteChar(b).ToString()] = b;
        }

        Json = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(),
            ["normalizer"] = new JsonObject { ["type"] = "NFC" },
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = Pattern }, ["behavior"] = "Isolated", ["invert"] = false },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false }),
            },
            ["post_processor"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = string.Empty,
                ["end_of_word_suffix"] = string.Empty,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["ignore_merges"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(),
            },
        };
    }

    public string Directory { get; }

    public string JsonPath => Path.Combine(Directory, "tokenizer.json");

    public string ConfigPath => Path.Combine(Directory, "tokenizer_config.json");

    public JsonObject Json { get; }

    public JsonObject Model => Json["model"]!.AsObject();

    public JsonObject? Config { get; set; }

    /// <summary>Adds a merge rule; its result gets the next free id.</summary>
    public TinyTokenizer Merge(string left, string right)
    {
        Model["merges"]!.AsArray().Add(new JsonArray(left, right));
        var vocab = Model["vocab"]!.AsObject();
        if (!vocab.ContainsKey(left + right))
        {
            vocab[left + right] = vocab.Count;
        }

        return this;
    }

    public int IdOf(string token) => Model["vocab"]![token]!.GetValue<int>();

    public TinyTokenizer Added(int id, string content, bool special = true, bool? normalized = null, bool lstrip = false, bool rstrip = false)
    {
        var token = new JsonObject { ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = lstrip, ["rstrip"] = rstrip, ["special"] = special };
        if (normalized is not null)
        {
            token["normalized"] = normalized.Value;
        }

        Json["added_tokens"]!.AsArray().Add(token);
        return this;
    }

    public QwenTokenizer Load()
    {
        Write();
        return QwenTokenizer.FromDirectory(Directory);
    }

    public void Write()
    {
        File.WriteAllText(JsonPath, Json.ToJsonString());
        if (Config is not null)
        {
            File.WriteAllText(ConfigPath, Config.ToJsonString());
        }
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    /// <summary>GPT-2's byte-to-character map.</summary>
    public static char ByteChar(int b)
    {
        var next = 256;
        for (var i = 0; i < 256; i++)
        {
            var printable = i is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            var c = printable ? (char)i : (char)next++;
            if (i == b)
            {
                return c;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(b));
    }
}
