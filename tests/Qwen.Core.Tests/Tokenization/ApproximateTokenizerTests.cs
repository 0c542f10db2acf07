using Microsoft.ML.Tokenizers;
using Qwen.Core;

namespace Qwen.Core.Tests.Tokenization;

public sealed class ApproximateTokenizerTests
{
    private readonly Tokenizer _tokenizer = ApproximateTokenizer.Instance;

    [Theory]
    [InlineData("", 0)]
    [InlineData("Hello world", 2)]
    [InlineData("Hello world.", 3)]
    [InlineData("你好世界", 4)]
    [InlineData("12345", 5)]
    [InlineData("year 2024", 6)]
    [InlineData("internationalization", 3)]
    [InlineData("open_and_show_image", 4)]
    [InlineData("line one\nline two", 5)]
    [InlineData("a    b", 3)]
    [InlineData("日本語のテキスト", 8)]
    [InlineData("😀🚀", 2)]
    [InlineData("你好，世界！", 6)]
    [InlineData("ＡＢＣ１２３", 6)]
    public void CountTokens_KnownText_FollowsTheDocumentedRule(string text, int expected) =>
        Assert.Equal(expected, _tokenizer.CountTokens(text));

    [Fact]
    public void CountTokens_CjkGoldenTexts_CountsAtLeastTheRealTokensAndAtMostTheDocumentedExcess()
    {
        // The Qwen3 golden file holds the real tokenizer's ids; its CJK lines mix ideographs, kana, full-width punctuation and Latin.
        var cases = TokenizerFixtures.ReadGolden("golden_qwen3.jsonl").Where(c => c.Text.Any(CjkText.IsCjk)).ToList();
        Assert.True(cases.Count >= 4, $"expected CJK lines in the golden file, found {cases.Count}");

        var real = cases.Sum(c => c.Ids.Length);
        var approximate = cases.Sum(c => _tokenizer.CountTokens(c.Text));

        // Documented: one token a CJK character, where Qwen's vocabulary merges common words, so about a third more, never fewer.
        Assert.InRange((double)approximate / real, 1.0, 1.4);
    }

    [Theory]
    [InlineData("The quick brown fox jumps over the lazy dog.")]
    [InlineData("def f(x):\n    return x ** 2  # square\n")]
    [InlineData("混合 mixed 文本 with 123 digits, 标点。And emoji 😀 too!")]
    [InlineData("  leading and trailing  \n\n")]
    public void EncodeToTokens_AnyText_CoversTheTextContiguouslyAndMatchesTheCount(string text)
    {
        var tokens = _tokenizer.EncodeToTokens(text, out _);

        Assert.Equal(_tokenizer.CountTokens(text), tokens.Count);
        var position = 0;
        foreach (var token in tokens)
        {
            var (offset, length) = token.Offset.GetOffsetAndLength(text.Length);
            Assert.Equal(position, offset);
            Assert.True(length > 0);
            Assert.Equal(text.Substring(offset, length), token.Value);
            Assert.InRange(token.Id, 0, 151_642);
            position = offset + length;
        }

        Assert.Equal(text.Length, position);
    }

    [Fact]
    public void EncodeToIds_SameTextTwice_GivesTheSameIds()
    {
        var text = "Deterministic pseudo-ids, 稳定的编号.";

        Assert.Equal(_tokenizer.EncodeToIds(text), _tokenizer.EncodeToIds(text));
        Assert.Equal(_tokenizer.CountTokens(text), _tokenizer.EncodeToIds(text).Count);
    }

    [Fact]
    public void EncodeToTokens_Emoji_NeverSplitsASurrogatePair()
    {
        var tokens = _tokenizer.EncodeToTokens("😀😀", out _);

        Assert.All(tokens, t => Assert.False(char.IsLowSurrogate(t.Value[0])));
        Assert.All(tokens, t => Assert.False(char.IsHighSurrogate(t.Value[^1])));
    }

    [Fact]
    public void GetIndexByTokenCount_Limit_ReturnsTheEndOfTheLastWholeToken()
    {
        var text = "alpha beta gamma delta";

        var index = _tokenizer.GetIndexByTokenCount(text, 2, out _, out var count);
        var fromEnd = _tokenizer.GetIndexByTokenCountFromEnd(text, 1, out _, out var countFromEnd);

        Assert.Equal(2, count);
        Assert.Equal("alpha beta", text[..index]);
        Assert.Equal(1, countFromEnd);
        Assert.Equal(" delta", text[fromEnd..]);
    }

    [Fact]
    public void EncodeToIds_MaxTokenCount_StopsAtTheLimitAndReportsTheCharsConsumed()
    {
        var ids = _tokenizer.EncodeToIds("one two three four", 3, out _, out var consumed);

        Assert.Equal(3, ids.Count);
        Assert.Equal("one two three".Length, consumed);
    }

    [Fact]
    public void Decode_AnyIds_ThrowsNotSupportedWithAClearMessage()
    {
        var error = Assert.Throws<NotSupportedException>(() => _tokenizer.Decode([1, 2, 3]));

        Assert.Contains("ApproximateTokenizer", error.Message);
    }
}
