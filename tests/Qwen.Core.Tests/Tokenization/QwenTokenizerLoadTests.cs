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

    [Fact]
    public void FromFiles_WordPieceModel_ThrowsNamingModelType()
    {
        using var tiny = new TinyTokenizer();
        tiny.Model["type"] = "WordPiece";
        tiny.Write();

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromFiles(tiny.JsonPath));

        Assert.Equal("model.type", e.Field);
        Assert.Contains("WordPiece", e.Message);
    }

    [Fact]
    public void FromFiles_MetaspacePreTokenizer_ThrowsNamingPreTokenizer()
    {
        using var tiny = new TinyTokenizer();
        tiny.Json["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁" };
        tiny.Write();

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromFiles(tiny.JsonPath));

        Assert.StartsWith("pre_tokenizer", e.Field);
    }

    [Fact]
    public void FromFiles_OtherSplitPattern_ThrowsNamingThePattern()
    {
        using var tiny = new TinyTokenizer();
        tiny.Json["pre_tokenizer"]!["pretokenizers"]![0]!["pattern"]!["Regex"] = @"\w+|\s+";
        tiny.Write();

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromFiles(tiny.JsonPath));

        Assert.Equal("pre_tokenizer.pretokenizers[0].pattern.Regex", e.Field);
    }

    [Fact]
    public void FromFiles_NoDecoder_ThrowsSayingNotByteLevel()
    {
        using var tiny = new TinyTokenizer();
        tiny.Json["decoder"] = null;
        tiny.Write();

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromFiles(tiny.JsonPath));

        Assert.Equal("decoder", e.Field);
        Assert.Contains("byte-level", e.Message);
    }

    [Fact]
    public void FromFiles_ByteFallback_ThrowsNamingTheField()
    {
        using var tiny = new TinyTokenizer();
        tiny.Model["byte_fallback"] = true;
        tiny.Write();

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromFiles(tiny.JsonPath));

        Assert.Equal("model.byte_fallback", e.Field);
    }

    [Fact]
    public void FromFiles_VocabularyOutsideByteAlphabet_ThrowsNamingTheToken()
    {
        using var tiny = new TinyTokenizer();
        tiny.Model["vocab"]!["▁hello"] = 300;
        tiny.Write();

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromFiles(tiny.JsonPath));

        Assert.Contains("▁hello", e.Field);
        Assert.Contains("byte-level", e.Message);
    }

    [Fact]
    public void FromFiles_MergeWithThreeParts_ThrowsNamingTheMerge()
    {
        using var tiny = new TinyTokenizer();
        tiny.Model["merges"] = new JsonArray("a b", "a b c");
        tiny.Write();

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromFiles(tiny.JsonPath));

        Assert.Equal("model.merges[1]", e.Field);
    }

    [Fact]
    public void FromFiles_VocabIdNotAnInteger_ThrowsNamingTheEntry()
    {
        using var tiny = new TinyTokenizer();
        tiny.Model["vocab"]!["ab"] = "x";
        tiny.Write();

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromFiles(tiny.JsonPath));

        Assert.Equal("model.vocab[\"ab\"]", e.Field);
    }

    [Fact]
    public void FromFiles_HugeTokenId_ThrowsInsteadOfAllocating()
    {
        using var tiny = new TinyTokenizer();
        tiny.Added(int.MaxValue - 1, "<huge>");
        tiny.Write();

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromFiles(tiny.JsonPath));

        Assert.Equal("added_tokens[0].id", e.Field);
    }

    [Fact]
    public void FromFiles_MissingMerges_ThrowsNamingTheField()
    {
        using var tiny = new TinyTokenizer();
        tiny.Model.Remove("merges");
        tiny.Write();

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromFiles(tiny.JsonPath));

        Assert.Equal("model.merges", e.Field);
    }

    [Fact]
    public void FromFiles_AddedTokenWithoutContent_ThrowsNamingIt()
    {
        using var tiny = new TinyTokenizer();
        tiny.Json["added_tokens"]!.AsArray().Add(new JsonObject { ["id"] = 300 });
        tiny.Write();

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromFiles(tiny.JsonPath));

        Assert.Equal("added_tokens[0].content", e.Field);
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
