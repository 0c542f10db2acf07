using Qwen.Core;

namespace Qwen.Core.Tests.Tokenization;

public sealed class NfcTests
{
    private static string Normalize(string text) => TokenizerFixtures.Qwen3.Normalizer!.Normalize(text);

    [Theory]
    [InlineData("e\u0301", "é")]
    [InlineData("A\u030A", "Å")]
    [InlineData("\u212B", "Å")]
    [InlineData("\u212A", "K")]
    [InlineData("a\u0301\u0328", "ą\u0301")]
    [InlineData("a\u0328\u0301", "ą\u0301")]
    [InlineData("e\u0323\u0302", "ệ")]
    [InlineData("e\u0302\u0323", "ệ")]
    [InlineData("\u1100\u1161\u11A8", "각")]
    [InlineData("\uAC00\u11A8", "각")]
    [InlineData("\u0915\u093C", "\u0915\u093C")]
    [InlineData("\u0958", "\u0915\u093C")]
    [InlineData("\u0B47\u0B3E", "\u0B4B")]
    [InlineData("\u0344", "\u0308\u0301")]
    [InlineData("\u0301e", "\u0301e")]
    [InlineData("\u1AEB\u0301", "\u0301\u1AEB")]
    public void Normalize_CanonicalEquivalents_ComposeLikeUnicode17(string input, string expected)
    {
        Assert.Equal(expected, Normalize(input));
    }

    [Theory]
    [InlineData("plain ASCII text")]
    [InlineData("通义千问，日本語のテキスト、한국어")]
    [InlineData("ไทย العربية עברית")]
    [InlineData("👨‍👩‍👧‍👦🇨🇳")]
    public void Normalize_TextAlreadyInNfc_ReturnsTheSameInstance(string text)
    {
        Assert.Same(text, Normalize(text));
    }

    [Theory]
    [InlineData("a\uD800\u0301", "a\uD800\u0301")]
    [InlineData("e\uFFFE\u0301", "e\uFFFE\u0301")]
    [InlineData("\uDC00e\u0301", "\uDC00é")]
    public void Normalize_LoneSurrogatesAndNoncharacters_PassThroughAsStarters(string input, string expected)
    {
        Assert.Equal(expected, Normalize(input));
    }
}
