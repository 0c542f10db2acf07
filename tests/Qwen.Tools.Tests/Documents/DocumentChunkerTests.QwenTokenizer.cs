using Qwen.Core;

namespace Qwen.Tools.Tests.Documents;

/// <summary>The chunker measured with the real Qwen3 tokenizer, as the framework uses it with a local model.</summary>
public sealed partial class DocumentChunkerTests
{
    private static readonly Lazy<QwenTokenizer> Qwen3 = new(() =>
        QwenTokenizer.FromDirectory(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers", "qwen3")));

    [Theory]
    [InlineData(64)]
    [InlineData(512)]
    public void Split_WithQwenTokenizer_KeepsEveryChunkWithinTheLimitInQwenTokens(int maxTokens)
    {
        var document = VariedDocument(pages: 8);

        var chunks = new DocumentChunker(Qwen3.Value, new ChunkingOptions { MaxTokens = maxTokens }).Split(document);

        Assert.NotEmpty(chunks);
        Assert.All(chunks, c => Assert.Equal(Qwen3.Value.CountTokens(c.Text), c.Tokens));
        Assert.All(chunks, c => Assert.InRange(c.Tokens, 1, maxTokens));
    }

    [Fact]
    public void Split_ChineseWithQwenTokenizer_NeverSplitsACharacter()
    {
        var text = string.Concat(Enumerable.Repeat("春风又绿江南岸，明月何时照我还。😀", 80));
        var document = new ParsedDocument("poem.txt", "poem", "hash", [new DocumentPage(1, [new DocumentParagraph(DocumentParagraphKind.Text, text)])]);

        var chunks = new DocumentChunker(Qwen3.Value, new ChunkingOptions { MaxTokens = 50, OverlapTokens = 0 }).Split(document);

        Assert.True(chunks.Count > 5);
        Assert.All(chunks, c => Assert.InRange(c.Tokens, 1, 50));
        Assert.All(chunks, c => Assert.DoesNotContain('\uFFFD', c.Text));
        Assert.All(chunks, c => Assert.False(char.IsHighSurrogate(c.Text[^1]), "a chunk ends inside a surrogate pair"));
    }
}
