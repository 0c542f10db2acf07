using System.Text;
using System.Text.Json.Nodes;
using Qwen.Core;

namespace Qwen.Core.Tests.Tokenization;

public sealed class QwenTokenVocabularyTests
{
    private const int ImEnd = 256;
    private const int Think = 257;

    [Fact]
    public void FromDirectory_Qwen3_DecodesTheGoldenIdsLikeTheFullTokenizer()
    {
        var vocabulary = QwenTokenVocabulary.FromDirectory(TokenizerFixtures.Qwen3Directory);
        var cases = TokenizerFixtures.ReadGolden("golden_unicode_qwen3.jsonl").Where(c => c.Decoded is not null).ToList();

        Assert.NotEmpty(cases);
        Assert.Equal(TokenizerFixtures.Qwen3.VocabularySize, vocabulary.Size);
        Assert.Equal(151645, vocabulary.EosTokenId);
        Assert.All(cases, c => Assert.Equal(c.Decoded, vocabulary.Decode(c.Ids)));
    }

    [Fact]
    public void Decode_MultiByteUtf8SplitOverByteTokens_RoundTrips()
    {
        using var tiny = new TinyTokenizer();
        tiny.Write();
        var vocabulary = QwenTokenVocabulary.FromDirectory(tiny.Directory);
        const string text = "héllo 你好 🙂 ok";

        // The tiny vocabulary has one token per byte, id = byte value: every non-ASCII character spans several tokens.
        int[] ids = [.. Encoding.UTF8.GetBytes(text).Select(b => (int)b)];

        Assert.Equal(text, vocabulary.Decode(ids));
    }

    [Fact]
    public void CreateStreamingDecoder_MultiByteUtf8SplitOverTokens_HoldsCharactersBackUntilComplete()
    {
        using var tiny = new TinyTokenizer();
        tiny.Write();
        var decoder = QwenTokenVocabulary.FromDirectory(tiny.Directory).CreateStreamingDecoder();
        int[] emoji = [.. Encoding.UTF8.GetBytes("🙂").Select(b => (int)b)];

        var deltas = emoji.Select(decoder.Append).ToList();

        Assert.Equal(["", "", "", "🙂"], deltas);
        Assert.False(decoder.HasPendingBytes);
        Assert.Equal("\uFFFD", Flushed(decoder, emoji[0]));
    }

    [Fact]
    public void Decode_AddedTokens_DecodeAsTheirTextAndSpecialOnesCanBeSkipped()
    {
        using var tiny = WithAddedTokens();
        var vocabulary = QwenTokenVocabulary.FromDirectory(tiny.Directory);
        int[] ids = ['h', 'i', ImEnd, Think, '!'];

        Assert.Equal("hi<|im_end|><think>!", vocabulary.Decode(ids));
        Assert.Equal("hi<think>!", vocabulary.Decode(ids, skipSpecialTokens: true));
        Assert.Equal(ImEnd, vocabulary.TokenToId("<|im_end|>"));
        Assert.Equal("<think>", vocabulary.IdToToken(Think));
        Assert.Equal(2, vocabulary.SpecialTokens.Count);
        Assert.Equal(ImEnd, vocabulary.EosTokenId);
        Assert.Equal(ImEnd + 2, vocabulary.Size);
    }

    [Fact]
    public void Decode_AddedTokenAfterAnUnfinishedCharacter_EndsItAsReplacementCharacter()
    {
        using var tiny = WithAddedTokens();
        var vocabulary = QwenTokenVocabulary.FromDirectory(tiny.Directory);
        var firstByteOfNi = Encoding.UTF8.GetBytes("你")[0];

        Assert.Equal("\uFFFD<|im_end|>", vocabulary.Decode([firstByteOfNi, ImEnd]));
    }

    [Fact]
    public void Decode_IdsThatNameNoToken_AreSkipped()
    {
        using var tiny = WithAddedTokens();
        var vocabulary = QwenTokenVocabulary.FromDirectory(tiny.Directory);

        Assert.Equal("ab", vocabulary.Decode(['a', -1, 100_000, 'b']));
        Assert.Null(vocabulary.IdToToken(100_000));
        Assert.Null(vocabulary.TokenToId("not a token"));
    }

    [Fact]
    public void FromDirectory_TokenizerThatCannotEncode_StillDecodes()
    {
        using var tiny = WithAddedTokens();
        tiny.Json["normalizer"] = new JsonObject { ["type"] = "Lowercase" };
        tiny.Json["pre_tokenizer"] = new JsonObject { ["type"] = "Whitespace" };
        tiny.Model["merges"] = new JsonArray("a b c");
        tiny.Write();

        Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromDirectory(tiny.Directory));
        var vocabulary = QwenTokenVocabulary.FromDirectory(tiny.Directory);

        Assert.Equal("Ünï<|im_end|>", vocabulary.Decode([.. Encoding.UTF8.GetBytes("Ünï").Select(b => (int)b), ImEnd]));
    }

    [Fact]
    public void Vocabulary_OfAFullTokenizer_DecodesWhatItEncodes()
    {
        var tokenizer = TokenizerFixtures.Qwen25;
        const string text = "Hello, 世界! <|im_end|>";

        var ids = tokenizer.EncodeToIds(text);

        Assert.Equal(text, tokenizer.Vocabulary.Decode(ids));
        Assert.Equal(tokenizer.VocabularySize, tokenizer.Vocabulary.Size);
    }

    public static TheoryData<string, string, string> InvalidFiles => new()
    {
        { "vocabulary not byte-level", "model.vocab[\"▁hello\"]", "byte-level" },
        { "decoder not byte-level", "decoder", "ByteLevel" },
        { "no vocabulary", "model.vocab", "missing" },
        { "added token without content", "added_tokens[0].content", "non-empty" },
    };

    [Theory]
    [MemberData(nameof(InvalidFiles))]
    public void FromFiles_InvalidFile_ThrowsNamingTheField(string problem, string field, string says)
    {
        using var tiny = new TinyTokenizer();
        switch (problem)
        {
            case "vocabulary not byte-level":
                tiny.Model["vocab"]!["▁hello"] = 300;
                break;
            case "decoder not byte-level":
                tiny.Json["decoder"] = new JsonObject { ["type"] = "Metaspace" };
                break;
            case "no vocabulary":
                tiny.Model.Remove("vocab");
                break;
            default:
                tiny.Json["added_tokens"]!.AsArray().Add(new JsonObject { ["id"] = 256, ["special"] = true });
                break;
        }

        tiny.Write();

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenVocabulary.FromFiles(tiny.JsonPath));

        Assert.Equal(tiny.JsonPath, e.FilePath);
        Assert.Equal(field, e.Field);
        Assert.Contains(says, e.Message);
    }

    [Fact]
    public void FromDirectory_MissingDirectory_ThrowsNamingIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"qwen-missing-{Guid.NewGuid():N}");

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenVocabulary.FromDirectory(missing));

        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void FromDirectory_ConfigNamesAnUnknownEosToken_ThrowsNamingTheConfigField()
    {
        using var tiny = new TinyTokenizer { Config = new JsonObject { ["eos_token"] = "<|nope|>" } };
        tiny.Write();

        var e = Assert.Throws<TokenizerFormatException>(() => QwenTokenVocabulary.FromDirectory(tiny.Directory));

        Assert.Equal(tiny.ConfigPath, e.FilePath);
        Assert.Equal("eos_token", e.Field);
    }

    private static TinyTokenizer WithAddedTokens()
    {
        var tiny = new TinyTokenizer { Config = new JsonObject { ["eos_token"] = "<|im_end|>" } }
            .Added(ImEnd, "<|im_end|>")
            .Added(Think, "<think>", special: false);
        tiny.Write();
        return tiny;
    }

    private static string Flushed(QwenStreamingDecoder decoder, int id)
    {
        decoder.Append(id);
        return decoder.Flush();
    }
}
