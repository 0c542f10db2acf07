namespace Qwen.Runtime.Tests.Generation;

public sealed class StreamingDetokenizerTests
{
    [Fact]
    public void Push_CharacterSplitOverTokens_ComesOutWhole()
    {
        // Byte-level ids: id b is byte b. "é" is C3 A9, "€" is E2 82 AC.
        var detokenizer = new StreamingDetokenizer(new BytesDecoder());
        var deltas = new[] { (int)'a', 0xC3, 0xA9, 0xE2, 0x82, 0xAC, (int)'!' }.Select(detokenizer.Push).ToArray();

        Assert.Equal(["a", string.Empty, "é", string.Empty, string.Empty, "€", "!"], deltas);
        Assert.Equal(string.Empty, detokenizer.Flush());
    }

    [Fact]
    public void Flush_IncompleteCharacterAtTheEnd_ComesOutAsReplacement()
    {
        var detokenizer = new StreamingDetokenizer(new BytesDecoder());
        detokenizer.Push('x');
        detokenizer.Push(0xE2);

        Assert.Equal("\uFFFD", detokenizer.Flush());
    }

    private sealed class BytesDecoder : ITokenDecoder
    {
        public string Decode(IReadOnlyList<int> ids) => System.Text.Encoding.UTF8.GetString([.. ids.Select(i => (byte)i)]);
    }
}
