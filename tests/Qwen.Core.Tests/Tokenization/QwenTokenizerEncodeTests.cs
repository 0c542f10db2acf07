using System.Buffers;
using Microsoft.ML.Tokenizers;
using Qwen.Core;

namespace Qwen.Core.Tests.Tokenization;

public sealed class QwenTokenizerEncodeTests
{
    private static QwenTokenizer Qwen3 => TokenizerFixtures.Qwen3;

    [Fact]
    public void EncodeToIds_ChatMarkupInText_MatchesAddedTokensWhole()
    {
        var ids = Qwen3.EncodeToIds("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n<tool_call>");

        Assert.Equal(151644, ids[0]);
        Assert.Contains(151645, ids);
        Assert.Contains(151667, ids);
        Assert.Contains(151668, ids);
        Assert.Equal(151657, ids[^1]);
    }

    [Fact]
    public void EncodeToIds_AddedTokenOfAnotherModel_IsPlainText()
    {
        // <think> is an added token of Qwen3, not of Qwen2.5.
        var ids = TokenizerFixtures.Qwen25.EncodeToIds("<think>");

        Assert.True(ids.Count > 1);
        Assert.All(ids, id => Assert.True(id < 151643));
        Assert.Equal("<think>", TokenizerFixtures.Qwen25.Decode(ids));
    }

    [Theory]
    [InlineData("<|im_start")]
    [InlineData("im_end|>")]
    [InlineData("< think>")]
    [InlineData("<THINK>")]
    public void EncodeToIds_PartOrVariantOfAddedToken_IsPlainText(string text)
    {
        var ids = Qwen3.EncodeToIds(text);

        Assert.All(ids, id => Assert.True(id < 151643, $"{text} gave added token {id}"));
        Assert.Equal(text, Qwen3.Decode(ids));
    }

    [Fact]
    public void EncodeToIds_EmptyText_GivesNoIds()
    {
        Assert.Empty(Qwen3.EncodeToIds(string.Empty));
        Assert.Equal(0, Qwen3.CountTokens(string.Empty));
        Assert.Equal(string.Empty, Qwen3.Decode([]));
    }

    [Fact]
    public void EncodeToIds_DecomposedCharacters_NormalizeToNfcFirst()
    {
        var decomposed = Qwen3.EncodeToIds("Cafe\u0301 n\u0303");
        var composed = Qwen3.EncodeToIds("Café ñ");

        Assert.Equal(composed, decomposed);
        Assert.NotEqual(composed, Qwen3.EncodeToIds("Cafe\u0301 n\u0303", considerNormalization: false));
    }

    [Fact]
    public void EncodeToIds_LoneSurrogateAndNoncharacter_EncodeLikeTheReference()
    {
        // The reference encodes a lone surrogate as U+FFFD's bytes; U+FFFE is a plain character.
        var ids = Qwen3.EncodeToIds("a\uD800b\uFFFEc\u0301");

        Assert.Equal("a\uFFFDb\uFFFEć", Qwen3.Decode(ids));
    }

    [Fact]
    public void EncodeToIds_WithoutPreTokenization_MergesAcrossPiecesAndRoundTrips()
    {
        const string text = "Hello  world,   hello Qwen<|im_end|> 1234";

        var whole = Qwen3.EncodeToIds(text, considerPreTokenization: false);

        Assert.Equal(text, Qwen3.Decode(whole));
        Assert.Contains(151645, whole);
        Assert.NotEqual(Qwen3.EncodeToIds(text), whole);
    }

    [Fact]
    public void TokenToIdAndIdToToken_RoundTripVocabularyAndAddedTokens()
    {
        Assert.Equal(1879, Qwen3.TokenToId("Ġworld"));
        Assert.Equal("Ġworld", Qwen3.IdToToken(1879));
        Assert.Equal(151645, Qwen3.TokenToId("<|im_end|>"));
        Assert.Equal("<|im_end|>", Qwen3.IdToToken(151645));
        Assert.Null(Qwen3.TokenToId("no such token"));
        Assert.Null(Qwen3.IdToToken(-1));
        Assert.Null(Qwen3.IdToToken(Qwen3.VocabularySize));
    }

    [Fact]
    public void EncodeToTokens_AsciiText_GivesVocabularyStringsAndCharacterOffsets()
    {
        var tokens = Qwen3.EncodeToTokens("Hello, world!", out var normalized);

        Assert.Null(normalized);
        Assert.Equal(["Hello", ",", "Ġworld", "!"], tokens.Select(t => t.Value));
        Assert.Equal([(0, 5), (5, 6), (6, 12), (12, 13)], tokens.Select(t => (t.Offset.Start.Value, t.Offset.End.Value)));
    }

    [Fact]
    public void EncodeToTokens_SpecialTokensAndSurrogatePairs_HaveOffsetsIntoTheText()
    {
        const string text = "<|im_start|>😀x<think>";
        var tokens = Qwen3.EncodeToTokens(text, out _);

        Assert.Equal("<|im_start|>", tokens[0].Value);
        Assert.Equal(new Range(0, 12), tokens[0].Offset);
        Assert.Equal(new Range(text.Length - 7, text.Length), tokens[^1].Offset);
        foreach (var token in tokens)
        {
            Assert.InRange(token.Offset.Start.Value, 0, text.Length);
            Assert.InRange(token.Offset.End.Value, token.Offset.Start.Value + 1, text.Length);
        }
    }

    [Fact]
    public void EncodeToTokens_CharacterSplitOverTokens_GivesEachTokenThatCharacter()
    {
        var (text, ids) = MultiTokenCharacter();

        var tokens = Qwen3.EncodeToTokens("a" + text, out _);

        Assert.Equal(ids.Count + 1, tokens.Count);
        Assert.All(tokens.Skip(1), t => Assert.Equal(new Range(1, 1 + text.Length), t.Offset));
    }

    [Fact]
    public void EncodeToTokens_TextThatNfcChanges_ReturnsNormalizedTextAndOffsetsIntoIt()
    {
        var tokens = Qwen3.EncodeToTokens("<|im_start|>Cafe\u0301!", out var normalized);

        Assert.Equal("<|im_start|>Café!", normalized);
        Assert.NotNull(normalized);
        Assert.Equal(normalized.Length, tokens[^1].Offset.End.Value);
        Assert.Equal("Café!", string.Concat(tokens.Skip(1).Select(t => normalized[t.Offset])));
    }

    [Fact]
    public void EncodeToIds_MaxTokenCount_ReturnsPrefixOfFullEncoding()
    {
        const string text = "The quick brown fox jumps over the lazy dog.";
        var all = Qwen3.EncodeToIds(text);

        var some = Qwen3.EncodeToIds(text, 4, out var normalized, out var charsConsumed);

        Assert.Null(normalized);
        Assert.Equal(all.Take(4), some);
        Assert.Equal("The quick brown fox", text[..charsConsumed]);
    }

    [Fact]
    public void EncodeToIds_MaxTokenCountInsideSplitCharacter_StopsBeforeTheCharacter()
    {
        var (character, ids) = MultiTokenCharacter();
        Assert.True(ids.Count >= 2);

        var some = Qwen3.EncodeToIds("ab" + character, 2, out _, out var charsConsumed);

        Assert.Equal(Qwen3.EncodeToIds("ab"), some);
        Assert.Equal(2, charsConsumed);
    }

    [Fact]
    public void EncodeToIds_ZeroMaxTokenCount_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Qwen3.EncodeToIds("abc", 0, out _, out _));
    }

    [Fact]
    public void GetIndexByTokenCount_FromStart_PrefixEncodesWithinTheLimit()
    {
        const string text = "Qwen is a family of large language models. 通义千问是阿里云研发的大语言模型。";

        for (var limit = 1; limit < 20; limit++)
        {
            var index = Qwen3.GetIndexByTokenCount(text, limit, out var normalized, out var tokenCount);

            Assert.Null(normalized);
            Assert.InRange(tokenCount, 0, limit);
            Assert.Equal(tokenCount, Qwen3.CountTokens(text[..index]));
        }

        Assert.Equal(text.Length, Qwen3.GetIndexByTokenCount(text, 1000, out _, out var all));
        Assert.Equal(Qwen3.CountTokens(text), all);
    }

    [Fact]
    public void GetIndexByTokenCountFromEnd_SuffixEncodesWithinTheLimit()
    {
        const string text = "Qwen is a family of large language models. 通义千问是阿里云研发的大语言模型。";

        for (var limit = 1; limit < 20; limit++)
        {
            var index = Qwen3.GetIndexByTokenCountFromEnd(text, limit, out _, out var tokenCount);

            Assert.InRange(tokenCount, 0, limit);
            Assert.Equal(tokenCount, Qwen3.CountTokens(text[index..]));
        }
    }

    [Fact]
    public void PreTokenizer_SplitsAddedTokensAndPatternPieces()
    {
        var pieces = Qwen3.PreTokenizer!.PreTokenize("Hello world<|im_end|>  it's 42").ToList();

        Assert.Equal([(0, 5), (5, 6), (11, 10), (21, 1), (22, 3), (25, 2), (27, 1), (28, 1), (29, 1)], pieces);
    }

    [Fact]
    public void Normalizer_ComposesToNfc()
    {
        Assert.Equal("é", Qwen3.Normalizer!.Normalize("e\u0301"));
        Assert.Equal("a\uD800", Qwen3.Normalizer.Normalize("a\uD800"));
    }

    [Fact]
    public void Decode_SkipSpecialTokens_DropsControlTokensKeepsMarkup()
    {
        var ids = Qwen3.EncodeToIds("<|im_start|>assistant\n<think>ok</think><|im_end|><|endoftext|>");

        Assert.Equal("assistant\n<think>ok</think>", Qwen3.Decode(ids, skipSpecialTokens: true));
        Assert.Equal("<|im_start|>assistant\n<think>ok</think><|im_end|><|endoftext|>", Qwen3.Decode(ids));
    }

    [Fact]
    public void Decode_IdsWithoutToken_AreSkipped()
    {
        Assert.Equal("Hello world", Qwen3.Decode([9707, -1, 151700, 1879, int.MaxValue]));
    }

    [Fact]
    public void Decode_IncompleteCharacterBeforeAddedToken_GivesReplacementCharacter()
    {
        var (_, ids) = MultiTokenCharacter();

        Assert.Equal("\uFFFD<|im_end|>", Qwen3.Decode([ids[0], 151645]));
    }

    [Fact]
    public void Decode_ToSpan_WritesAllOrTheLongestCompletePrefix()
    {
        var (character, charIds) = MultiTokenCharacter();
        var ids = Qwen3.EncodeToIds("Hello").Concat(charIds).ToArray();
        var expected = "Hello" + character;

        var big = new char[64];
        Assert.Equal(OperationStatus.Done, Qwen3.Decode(ids, big, out var consumed, out var written));
        Assert.Equal(ids.Length, consumed);
        Assert.Equal(expected, new string(big, 0, written));

        var small = new char[expected.Length - 1];
        Assert.Equal(OperationStatus.DestinationTooSmall, Qwen3.Decode(ids, small, out consumed, out written));
        Assert.Equal(ids.Length - charIds.Count, consumed);
        Assert.Equal("Hello", new string(small, 0, written));
    }

    [Fact]
    public void EncodeThenDecode_GoldenTexts_RoundTripToNfc()
    {
        foreach (var golden in TokenizerFixtures.ReadGolden("golden_random_qwen3.jsonl"))
        {
            var text = Qwen3.Normalizer!.Normalize(golden.Text);

            Assert.Equal(text, Qwen3.Decode(Qwen3.EncodeToIds(text)));
        }
    }

    [Fact]
    public void EncodeToIds_ManyThreadsSharingOneInstance_GiveTheSequentialResults()
    {
        var tokenizer = QwenTokenizer.FromDirectory(TokenizerFixtures.Qwen3Directory);
        var cases = TokenizerFixtures.ReadGolden("golden_random_qwen3.jsonl").ToArray();
        var failures = 0;

        Parallel.For(0, cases.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var golden = cases[i % cases.Length];
            if (!tokenizer.EncodeToIds(golden.Text).SequenceEqual(golden.Ids) || tokenizer.CountTokens(golden.Text) != golden.Ids.Length)
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
    }

    /// <summary>A character the vocabulary has no single token for, so its bytes span several tokens.</summary>
    internal static (string Text, IReadOnlyList<int> Ids) MultiTokenCharacter()
    {
        foreach (var candidate in new[] { "🦜", "𝄞", "🜁", "𠀋", "龘", "䶵" })
        {
            var ids = Qwen3.EncodeToIds(candidate);
            if (ids.Count >= 2)
            {
                return (candidate, ids);
            }
        }

        throw new InvalidOperationException("no multi-token character among the candidates");
    }
}
