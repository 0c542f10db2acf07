using System.Text.Json.Nodes;
using Qwen.Core;

namespace Qwen.Core.Tests.Tokenization;

public sealed class QwenTokenizerLoadTests
{
    [Fact]
    public void FromDirectory_Qwen3_ReadsVocabularyAddedTokensAndConfigTokens()
    {
        var tokenizer = TokenizerFixtures.Qwen3;

        Assert.Equal(151669, tokenizer.VocabularySize);
        Assert.Equal(26, tokenizer.SpecialTokens.Count);
        Assert.Equal(151667, tokenizer.SpecialTokens["<think>"]);
        Assert.Equal(151657, tokenizer.SpecialTokens["<tool_call>"]);
        Assert.Equal("<|im_end|>", tokenizer.EosToken);
        Assert.Equal(151645, tokenizer.EosTokenId);
        Assert.Equal(151643, tokenizer.PadTokenId);
        Assert.NotNull(tokenizer.Normalizer);
        Assert.NotNull(tokenizer.PreTokenizer);
    }

    [Fact]
    public void FromDirectory_Qwen25_HasTheQwen25AddedTokensOnly()
    {
        var tokenizer = TokenizerFixtures.Qwen25;

        Assert.Equal(151665, tokenizer.VocabularySize);
        Assert.Equal(22, tokenizer.SpecialTokens.Count);
        Assert.False(tokenizer.SpecialTokens.ContainsKey("<think>"));
        Assert.Equal(151645, tokenizer.EosTokenId);
    }

    [Fact]
    public void FromFiles_WithoutConfig_LoadsWithoutEosOrPad()
    {
        var tokenizer = QwenTokenizer.FromFiles(Path.Combine(TokenizerFixtures.Qwen25Directory, "tokenizer.json"));

        Assert.Null(tokenizer.EosToken);
        Assert.Null(tokenizer.EosTokenId);
        Assert.Null(tokenizer.PadTokenId);
        Assert.Equal([9707, 11, 1879, 0], tokenizer.EncodeToIds("Hello, world!"));
    }

    [Fact]
    public void FromDirectory_MissingDirectory_ThrowsNamingTheDirectory()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"qwen-missing-{Guid.NewGuid():N}");

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromDirectory(missing));

        Assert.Contains(missing, e.Message);
        Assert.IsType<DirectoryNotFoundException>(e.InnerException);
    }

    [Fact]
    public void FromDirectory_NoTokenizerJson_ThrowsNamingTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("qwen-empty-");
        try
        {
            var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromDirectory(dir.FullName));

            Assert.Equal(Path.Combine(dir.FullName, "tokenizer.json"), e.FilePath);
            Assert.Contains("does not exist", e.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void FromFiles_NullOrEmptyPath_ThrowsArgumentException(string? path)
    {
        Assert.ThrowsAny<ArgumentException>(() => QwenTokenizer.FromFiles(path!));
        Assert.ThrowsAny<ArgumentException>(() => QwenTokenizer.FromDirectory(path!));
    }

    [Fact]
    public void FromFiles_MalformedJson_ThrowsNamingFileAndLine()
    {
        using var tiny = new TinyTokenizer();
        File.WriteAllText(tiny.JsonPath, "{\n  \"model\": {\n    \"vocab\": {,\n");

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromFiles(tiny.JsonPath));

        Assert.Equal(tiny.JsonPath, e.FilePath);
        Assert.Contains("not valid JSON", e.Message);
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void FromFiles_MalformedConfig_ThrowsNamingTheConfig()
    {
        using var tiny = new TinyTokenizer();
        tiny.Write();
        File.WriteAllText(tiny.ConfigPath, "[1, 2");

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromFiles(tiny.JsonPath, tiny.ConfigPath));

        Assert.Equal(tiny.ConfigPath, e.FilePath);
    }

    private static readonly Dictionary<string, (Action<TinyTokenizer> Break, string Field, string Says)> InvalidFiles = new()
    {
        ["WordPiece model"] = (t => t.Model["type"] = "WordPiece", "model.type", "WordPiece"),
        ["Metaspace pre-tokenizer"] = (t => t.Json["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁" }, "pre_tokenizer", "Qwen2"),
        ["other split pattern"] = (t => t.Json["pre_tokenizer"]!["pretokenizers"]![0]!["pattern"]!["Regex"] = @"\w+|\s+", "pre_tokenizer.pretokenizers[0].pattern.Regex", @"\w+|\s+"),
        ["no decoder"] = (t => t.Json["decoder"] = null, "decoder", "not byte-level"),
        ["byte fallback"] = (t => t.Model["byte_fallback"] = true, "model.byte_fallback", "expected false"),
        ["dropout"] = (t => t.Model["dropout"] = 0.1, "model.dropout", "not supported"),
        ["SentencePiece-style vocabulary"] = (t => t.Model["vocab"]!["▁hello"] = 300, "model.vocab[\"▁hello\"]", "byte-level"),
        ["merge of three parts"] = (t => t.Model["merges"] = new JsonArray("a b", "a b c"), "model.merges[1]", "\"a b c\""),
        ["vocabulary id not a number"] = (t => t.Model["vocab"]!["ab"] = "x", "model.vocab[\"ab\"]", "\"x\""),
        ["no merges"] = (t => t.Model.Remove("merges"), "model.merges", "missing"),
        ["added token without content"] = (t => t.Json["added_tokens"]!.AsArray().Add(new JsonObject { ["id"] = 300 }), "added_tokens[0].content", "non-empty"),
        ["huge token id"] = (t => t.Added(int.MaxValue - 1, "<huge>"), "added_tokens[0].id", "from 0 to"),
        ["template post-processor"] = (t => t.Json["post_processor"] = new JsonObject { ["type"] = "TemplateProcessing" }, "post_processor.type", "ByteLevel"),
    };

    public static TheoryData<string> InvalidFileCases => [.. InvalidFiles.Keys];

    [Theory]
    [MemberData(nameof(InvalidFileCases))]
    public void FromFiles_InvalidTokenizerJson_ThrowsNamingFileAndField(string name)
    {
        var (breakIt, field, says) = InvalidFiles[name];
        using var tiny = new TinyTokenizer();
        breakIt(tiny);
        tiny.Write();

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromFiles(tiny.JsonPath));

        Assert.Equal(tiny.JsonPath, e.FilePath);
        Assert.StartsWith(field, e.Field);
        Assert.Contains(says, e.Message);
        Assert.StartsWith(tiny.JsonPath, e.Message);
    }

    [Fact]
    public void FromFiles_EosTokenNotInVocabulary_ThrowsNamingConfigField()
    {
        using var tiny = new TinyTokenizer { Config = new JsonObject { ["eos_token"] = "<|nope|>" } };
        tiny.Write();

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromFiles(tiny.JsonPath, tiny.ConfigPath));

        Assert.Equal(tiny.ConfigPath, e.FilePath);
        Assert.Equal("eos_token", e.Field);
    }

    [Fact]
    public void FromFiles_ConfigTokensAsObjects_ReadsTheirContent()
    {
        using var tiny = new TinyTokenizer();
        tiny.Added(256, "<eos>").Added(257, "<pad>");
        tiny.Config = new JsonObject
        {
            ["eos_token"] = new JsonObject { ["content"] = "<eos>", ["special"] = true },
            ["pad_token"] = "<pad>",
        };
        tiny.Write();

        var tokenizer = QwenTokenizer.FromFiles(tiny.JsonPath, tiny.ConfigPath);

        Assert.Equal("<eos>", tokenizer.EosToken);
        Assert.Equal(256, tokenizer.EosTokenId);
        Assert.Equal("<pad>", tokenizer.PadToken);
        Assert.Equal(257, tokenizer.PadTokenId);
    }

    [Fact]
    public void FromFiles_StringMergesAndByteOrderMark_Load()
    {
        using var tiny = new TinyTokenizer();
        tiny.Merge("a", "b");
        tiny.Model["merges"] = new JsonArray("a b");
        File.WriteAllText(tiny.JsonPath, "\uFEFF" + tiny.Json.ToJsonString(), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

        var tokenizer = QwenTokenizer.FromFiles(tiny.JsonPath);

        Assert.Equal([tiny.IdOf("ab")], tokenizer.EncodeToIds("ab"));
    }
}
