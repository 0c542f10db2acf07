using System.Text;
using Qwen.Core;

namespace Qwen.Core.Tests.Tokenization;

public sealed class QwenStreamingDecoderTests
{
    private static QwenTokenizer Qwen3 => TokenizerFixtures.Qwen3;

    [Fact]
    public void Append_CharacterSplitOverTokens_EmitsItOnceComplete()
    {
        var (character, ids) = QwenTokenizerEncodeTests.MultiTokenCharacter();
        var decoder = Qwen3.CreateStreamingDecoder();

        var deltas = ids.Select(decoder.Append).ToList();

        Assert.All(deltas.SkipLast(1), d => Assert.Equal(string.Empty, d));
        Assert.Equal(character, deltas[^1]);
        Assert.False(decoder.HasPendingBytes);
        Assert.Equal(string.Empty, decoder.Flush());
    }

    [Theory]
    [InlineData("Hi 👨‍👩‍👧‍👦 and 👍🏽! 通义千问 — 𠀋龘 ok")]
    [InlineData("<|im_start|>assistant\n<think>思考</think>\n🦜🦜🦜<|im_end|>")]
    public void Append_EveryDelta_IsWholeCharactersAndAllAddUpToDecode(string text)
    {
        var ids = Qwen3.EncodeToIds(text);
        var decoder = Qwen3.CreateStreamingDecoder();
        var joined = new StringBuilder();

        foreach (var id in ids)
        {
            var delta = decoder.Append(id);
            Assert.DoesNotContain('\uFFFD', delta);
            Assert.False(delta.Length > 0 && char.IsHighSurrogate(delta[^1]), "a delta ends inside a surrogate pair");
            joined.Append(delta);
        }

        joined.Append(decoder.Flush());
        Assert.Equal(text, joined.ToString());
    }

    [Fact]
    public void Flush_AfterIncompleteCharacter_EmitsReplacementAndResets()
    {
        var (_, ids) = QwenTokenizerEncodeTests.MultiTokenCharacter();
        var decoder = Qwen3.CreateStreamingDecoder();

        Assert.Equal(string.Empty, decoder.Append(ids[0]));
        Assert.True(decoder.HasPendingBytes);
        Assert.Equal(Qwen3.Decode([ids[0]]), decoder.Flush());
        Assert.False(decoder.HasPendingBytes);
        Assert.Equal("Hello", decoder.Append(9707));
    }

    [Fact]
    public void Append_AddedTokenAfterIncompleteCharacter_MatchesOneShotDecode()
    {
        var (_, ids) = QwenTokenizerEncodeTests.MultiTokenCharacter();
        var decoder = Qwen3.CreateStreamingDecoder();

        var text = decoder.Append(ids[0]) + decoder.Append(151645) + decoder.Flush();

        Assert.Equal(Qwen3.Decode([ids[0], 151645]), text);
    }

    [Fact]
    public void Append_SkipSpecialTokens_LeavesControlTokensOut()
    {
        var decoder = Qwen3.CreateStreamingDecoder(skipSpecialTokens: true);

        var text = string.Concat(Qwen3.EncodeToIds("<|im_start|>ok<think>x</think><|im_end|>").Select(decoder.Append)) + decoder.Flush();

        Assert.Equal("ok<think>x</think>", text);
    }

    [Fact]
    public void Append_RandomIds_DeltasAddUpToOneShotDecode()
    {
        var random = new Random(3);
        for (var round = 0; round < 300; round++)
        {
            var ids = Enumerable.Range(0, random.Next(1, 16)).Select(_ => random.Next(10) switch
            {
                < 4 => random.Next(0, 256),
                < 8 => random.Next(0, 151643),
                8 => random.Next(151643, 151669),
                _ => random.Next(151669, 152000),
            }).ToArray();
            foreach (var skip in new[] { false, true })
            {
                var decoder = Qwen3.CreateStreamingDecoder(skip);

                var streamed = string.Concat(ids.Select(decoder.Append)) + decoder.Flush();

                Assert.Equal(Qwen3.Decode(ids, skip), streamed);
            }
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x41 }, 0)]
    [InlineData(new byte[] { 0x41, 0xE4 }, 1)]
    [InlineData(new byte[] { 0xE4, 0xBD }, 2)]
    [InlineData(new byte[] { 0xE4, 0xBD, 0xA0 }, 0)]
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98 }, 3)]
    [InlineData(new byte[] { 0xED, 0xA0 }, 0)]
    [InlineData(new byte[] { 0xE0, 0x80 }, 0)]
    [InlineData(new byte[] { 0xF4, 0x90 }, 0)]
    [InlineData(new byte[] { 0xC0 }, 0)]
    [InlineData(new byte[] { 0xBD, 0xA0 }, 0)]
    public void IncompleteTail_HoldsBackOnlyValidUnfinishedSequences(byte[] bytes, int expected)
    {
        Assert.Equal(expected, QwenStreamingDecoder.IncompleteTail(bytes));
    }
}
