using System.Text.Json;

namespace Qwen.Core;

/// <summary>Reads and checks a Hugging Face <c>tokenizer.json</c> (and optionally <c>tokenizer_config.json</c>) describing a Qwen-style byte-level BPE tokenizer.</summary>
internal static class TokenizerFileReader
{
    // Real vocabularies stay far below this; the bound keeps a corrupt id from allocating gigabytes of tables.
    private const int MaxTokenId = (1 << 24) - 1;

    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = true, MaxDepth = 256 };

    /// <summary>Finds the tokenizer files of a checkpoint folder: its <c>tokenizer.json</c>, and its <c>tokenizer_config.json</c> when present.</summary>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is null or empty.</exception>
    /// <exception cref="TokenizerFormatException">The folder does not exist.</exception>
    public static (string TokenizerJson, string? Config) FilesOf(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new TokenizerFormatException(directory, null, "the folder does not exist; expected a checkpoint folder holding tokenizer.json.", new DirectoryNotFoundException(directory));
        }

        var config = Path.Combine(directory, "tokenizer_config.json");
        return (Path.Combine(directory, "tokenizer.json"), File.Exists(config) ? config : null);
    }

    /// <summary>Reads both files, checking everything encoding needs.</summary>
    /// <exception cref="TokenizerFormatException">A file is missing, is not JSON, or describes something other than byte-level BPE with Qwen's pre-tokenizer.</exception>
    public static TokenizerDefinition Read(string tokenizerJsonPath, string? tokenizerConfigPath) => Read(tokenizerJsonPath, tokenizerConfigPath, decodeOnly: false);

    /// <summary>Reads what decoding needs: the vocabulary, the added tokens and the config's special tokens; the merges, normalizer and pre-tokenizer are not read.</summary>
    /// <exception cref="TokenizerFormatException">A file is missing or not JSON, the vocabulary or added tokens are malformed, or the decoder is not byte-level.</exception>
    public static TokenizerDefinition ReadForDecoding(string tokenizerJsonPath, string? tokenizerConfigPath) => Read(tokenizerJsonPath, tokenizerConfigPath, decodeOnly: true);

    private static TokenizerDefinition Read(string tokenizerJsonPath, string? tokenizerConfigPath, bool decodeOnly)
    {
        using var tokenizerJson = Parse(tokenizerJsonPath);
        var root = tokenizerJson.RootElement;
        var file = tokenizerJsonPath;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new TokenizerFormatException(file, null, $"expected a JSON object at the top level, found {Describe(root)}.");
        }

        var model = Required(file, root, "model", JsonValueKind.Object);
        var nfc = false;
        if (!decodeOnly)
        {
            CheckModel(file, model);
            CheckNormalizer(file, root, out nfc);
            CheckPreTokenizer(file, root);
        }

        CheckDecoder(file, root);
        if (!decodeOnly)
        {
            CheckPostProcessor(file, root);
        }

        var definition = new TokenizerDefinition
        {
            Vocab = ReadVocab(file, Required(file, model, "vocab", JsonValueKind.Object, "model.vocab")),
            Merges = decodeOnly ? [] : ReadMerges(file, Required(file, model, "merges", JsonValueKind.Array, "model.merges")),
            AddedTokens = ReadAddedTokens(file, root),
            Nfc = nfc,
            UnkToken = decodeOnly ? null : OptionalString(file, model, "unk_token", "model.unk_token"),
            IgnoreMerges = !decodeOnly && (OptionalBool(file, model, "ignore_merges", "model.ignore_merges") ?? false),
        };

        if (tokenizerConfigPath is null)
        {
            return definition;
        }

        using var config = Parse(tokenizerConfigPath);
        var configRoot = config.RootElement;
        if (configRoot.ValueKind != JsonValueKind.Object)
        {
            throw new TokenizerFormatException(tokenizerConfigPath, null, $"expected a JSON object at the top level, found {Describe(configRoot)}.");
        }

        return new TokenizerDefinition
        {
            Vocab = definition.Vocab,
            Merges = definition.Merges,
            AddedTokens = definition.AddedTokens,
            Nfc = definition.Nfc,
            UnkToken = definition.UnkToken,
            IgnoreMerges = definition.IgnoreMerges,
            EosToken = ConfigToken(tokenizerConfigPath, configRoot, "eos_token"),
            PadToken = ConfigToken(tokenizerConfigPath, configRoot, "pad_token"),
            AdditionalSpecialTokens = ConfigTokenList(tokenizerConfigPath, configRoot, "additional_special_tokens"),
            CleanUpTokenizationSpaces = OptionalBool(tokenizerConfigPath, configRoot, "clean_up_tokenization_spaces", "clean_up_tokenization_spaces") ?? false,
            ConfigPath = tokenizerConfigPath,
        };
    }

    private static JsonDocument Parse(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TokenizerFormatException(path, null, "the file does not exist.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerFormatException(path, null, $"the file cannot be read: {e.Message}", e);
        }

        try
        {
            // Editors on Windows sometimes save JSON with a byte order mark, which the JSON reader rejects.
            var start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
            return JsonDocument.Parse(bytes.AsMemory(start), DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(path, null, $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}", e);
        }
    }

    private static void CheckModel(string file, JsonElement model)
    {
        var type = OptionalString(file, model, "type", "model.type");
        if (type is not null && type != "BPE")
        {
            throw new TokenizerFormatException(file, "model.type", $"expected \"BPE\" (a byte-level BPE tokenizer), found \"{type}\".");
        }

        if (model.TryGetProperty("dropout", out var dropout) && dropout.ValueKind != JsonValueKind.Null
            && !(dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() == 0))
        {
            throw new TokenizerFormatException(file, "model.dropout", $"BPE dropout is a training-time option and is not supported; expected null, found {Describe(dropout)}.");
        }

        foreach (var name in (string[])["continuing_subword_prefix", "end_of_word_suffix"])
        {
            if (!string.IsNullOrEmpty(OptionalString(file, model, name, $"model.{name}")))
            {
                throw new TokenizerFormatException(file, $"model.{name}", "expected null or \"\" for byte-level BPE.");
            }
        }

        if (OptionalBool(file, model, "byte_fallback", "model.byte_fallback") == true)
        {
            throw new TokenizerFormatException(file, "model.byte_fallback", "expected false: byte fallback belongs to SentencePiece-style BPE, not byte-level BPE.");
        }
    }

    private static void CheckNormalizer(string file, JsonElement root, out bool nfc)
    {
        nfc = false;
        if (!root.TryGetProperty("normalizer", out var normalizer) || normalizer.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        var type = TypeOf(file, normalizer, "normalizer");
        if (type == "NFC")
        {
            nfc = true;
            return;
        }

        if (type == "Sequence" && normalizer.TryGetProperty("normalizers", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                if (TypeOf(file, item, $"normalizer.normalizers[{i}]") != "NFC")
                {
                    throw new TokenizerFormatException(file, $"normalizer.normalizers[{i}].type", "only the NFC normalizer is supported.");
                }

                nfc = true;
                i++;
            }

            return;
        }

        throw new TokenizerFormatException(file, "normalizer.type", $"only NFC (or no normalizer) is supported, found \"{type}\".");
    }

    private static void CheckPreTokenizer(string file, JsonElement root)
    {
        const string expected = "a Sequence of Split (Qwen's pattern, behavior Isolated) and ByteLevel (use_regex false), as Qwen2, Qwen2.5 and Qwen3 checkpoints have";
        if (!root.TryGetProperty("pre_tokenizer", out var pre) || pre.ValueKind != JsonValueKind.Object)
        {
            throw new TokenizerFormatException(file, "pre_tokenizer", $"expected {expected}; found {(pre.ValueKind == JsonValueKind.Undefined ? "nothing" : Describe(pre))}.");
        }

        if (TypeOf(file, pre, "pre_tokenizer") != "Sequence"
            || !pre.TryGetProperty("pretokenizers", out var steps) || steps.ValueKind != JsonValueKind.Array || steps.GetArrayLength() != 2)
        {
            throw new TokenizerFormatException(file, "pre_tokenizer", $"expected {expected}.");
        }

        var split = steps[0];
        if (TypeOf(file, split, "pre_tokenizer.pretokenizers[0]") != "Split")
        {
            throw new TokenizerFormatException(file, "pre_tokenizer.pretokenizers[0].type", $"expected \"Split\" ({expected}).");
        }

        var pattern = split.TryGetProperty("pattern", out var p) && p.ValueKind == JsonValueKind.Object
            && p.TryGetProperty("Regex", out var regex) && regex.ValueKind == JsonValueKind.String ? regex.GetString() : null;
        if (pattern != QwenSplitPattern.Pattern)
        {
            throw new TokenizerFormatException(file, "pre_tokenizer.pretokenizers[0].pattern.Regex", $"only Qwen's split pattern {QwenSplitPattern.Pattern} is supported, found {(pattern is null ? "none" : pattern)}.");
        }

        var behavior = OptionalString(file, split, "behavior", "pre_tokenizer.pretokenizers[0].behavior");
        if (behavior != "Isolated" || OptionalBool(file, split, "invert", "pre_tokenizer.pretokenizers[0].invert") == true)
        {
            throw new TokenizerFormatException(file, "pre_tokenizer.pretokenizers[0].behavior", "expected behavior \"Isolated\" with invert false.");
        }

        var byteLevel = steps[1];
        if (TypeOf(file, byteLevel, "pre_tokenizer.pretokenizers[1]") != "ByteLevel")
        {
            throw new TokenizerFormatException(file, "pre_tokenizer.pretokenizers[1].type", "expected \"ByteLevel\": the tokenizer is not byte-level BPE.");
        }

        if (OptionalBool(file, byteLevel, "add_prefix_space", "pre_tokenizer.pretokenizers[1].add_prefix_space") == true
            || OptionalBool(file, byteLevel, "use_regex", "pre_tokenizer.pretokenizers[1].use_regex") == true)
        {
            throw new TokenizerFormatException(file, "pre_tokenizer.pretokenizers[1]", "expected add_prefix_space false and use_regex false.");
        }
    }

    private static void CheckDecoder(string file, JsonElement root)
    {
        if (!root.TryGetProperty("decoder", out var decoder) || decoder.ValueKind != JsonValueKind.Object
            || TypeOf(file, decoder, "decoder") != "ByteLevel")
        {
            throw new TokenizerFormatException(file, "decoder", "expected a ByteLevel decoder: the tokenizer is not byte-level BPE.");
        }
    }

    private static void CheckPostProcessor(string file, JsonElement root)
    {
        if (root.TryGetProperty("post_processor", out var post) && post.ValueKind != JsonValueKind.Null
            && TypeOf(file, post, "post_processor") != "ByteLevel")
        {
            throw new TokenizerFormatException(file, "post_processor.type", "only the ByteLevel post-processor (or none) is supported; Qwen checkpoints add no tokens around the text.");
        }
    }

    private static Dictionary<string, int> ReadVocab(string file, JsonElement vocab)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocab.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id is < 0 or > MaxTokenId)
            {
                throw new TokenizerFormatException(file, $"model.vocab[\"{entry.Name}\"]", $"expected an integer id from 0 to {MaxTokenId}, found {Describe(entry.Value)}.");
            }

            result[entry.Name] = id;
        }

        return result;
    }

    private static List<(string, string)> ReadMerges(string file, JsonElement merges)
    {
        var result = new List<(string, string)>(merges.GetArrayLength());
        var i = 0;
        foreach (var merge in merges.EnumerateArray())
        {
            if (merge.ValueKind == JsonValueKind.String)
            {
                // The older format: "left right", split at the one space (byte-level tokens never contain a space).
                var text = merge.GetString()!;
                var space = text.IndexOf(' ', StringComparison.Ordinal);
                if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0)
                {
                    throw new TokenizerFormatException(file, $"model.merges[{i}]", $"expected \"left right\" (two tokens separated by one space), found \"{text}\".");
                }

                result.Add((text[..space], text[(space + 1)..]));
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                result.Add((merge[0].GetString()!, merge[1].GetString()!));
            }
            else
            {
                throw new TokenizerFormatException(file, $"model.merges[{i}]", $"expected [\"left\", \"right\"] or \"left right\", found {Describe(merge)}.");
            }

            i++;
        }

        return result;
    }

    private static List<AddedToken> ReadAddedTokens(string file, JsonElement root)
    {
        var result = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out var added) || added.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        if (added.ValueKind != JsonValueKind.Array)
        {
            throw new TokenizerFormatException(file, "added_tokens", $"expected an array, found {Describe(added)}.");
        }

        var i = 0;
        foreach (var token in added.EnumerateArray())
        {
            var field = $"added_tokens[{i}]";
            if (token.ValueKind != JsonValueKind.Object)
            {
                throw new TokenizerFormatException(file, field, $"expected an object, found {Describe(token)}.");
            }

            if (!token.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt32(out var id) || id is < 0 or > MaxTokenId)
            {
                throw new TokenizerFormatException(file, $"{field}.id", $"expected an integer id from 0 to {MaxTokenId}.");
            }

            var content = OptionalString(file, token, "content", $"{field}.content");
            if (string.IsNullOrEmpty(content))
            {
                throw new TokenizerFormatException(file, $"{field}.content", "expected the token's text (a non-empty string).");
            }

            var special = OptionalBool(file, token, "special", $"{field}.special") ?? false;
            result.Add(new AddedToken(
                id,
                content,
                special,
                OptionalBool(file, token, "normalized", $"{field}.normalized") ?? !special,
                OptionalBool(file, token, "lstrip", $"{field}.lstrip") ?? false,
                OptionalBool(file, token, "rstrip", $"{field}.rstrip") ?? false));
            i++;
        }

        return result;
    }

    private static string? ConfigToken(string file, JsonElement config, string name)
    {
        if (!config.TryGetProperty(name, out var value))
        {
            return null;
        }

        return TokenText(file, value, name);
    }

    private static List<string> ConfigTokenList(string file, JsonElement config, string name)
    {
        var result = new List<string>();
        if (!config.TryGetProperty(name, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new TokenizerFormatException(file, name, $"expected an array of tokens, found {Describe(list)}.");
        }

        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (TokenText(file, item, $"{name}[{i}]") is { } text)
            {
                result.Add(text);
            }

            i++;
        }

        return result;
    }

    private static string? TokenText(string file, JsonElement value, string field)
    {
        // Configs write a token either as its text or as a serialized AddedToken object with a "content" field.
        return value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object when value.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String => content.GetString(),
            _ => throw new TokenizerFormatException(file, field, $"expected a token (a string, or an object with a \"content\" string), found {Describe(value)}."),
        };
    }

    private static JsonElement Required(string file, JsonElement parent, string name, JsonValueKind kind, string? field = null)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            throw new TokenizerFormatException(file, field ?? name, $"missing; expected {Article(kind)}.");
        }

        if (value.ValueKind != kind)
        {
            throw new TokenizerFormatException(file, field ?? name, $"expected {Article(kind)}, found {Describe(value)}.");
        }

        return value;
    }

    private static string TypeOf(string file, JsonElement element, string field)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            throw new TokenizerFormatException(file, $"{field}.type", "expected an object with a \"type\" string.");
        }

        return type.GetString()!;
    }

    private static string? OptionalString(string file, JsonElement parent, string name, string field)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new TokenizerFormatException(file, field, $"expected a string, found {Describe(value)}.");
    }

    private static bool? OptionalBool(string file, JsonElement parent, string name, string field)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new TokenizerFormatException(file, field, $"expected true or false, found {Describe(value)}."),
        };
    }

    private static string Article(JsonValueKind kind) => kind == JsonValueKind.Object ? "an object" : "an array";

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{Truncate(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => "null",
    };

    private static string Truncate(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 60), "…");
}
