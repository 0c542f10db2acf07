using System.Text.RegularExpressions;
using Qwen.Core;
using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Tools.Tests.Documents;

public sealed partial class DocumentChunkerTests
{
    private static readonly ApproximateTokenizer Tokenizer = ApproximateTokenizer.Instance;

    [Fact]
    public void Split_VariedDocument_KeepsEveryChunkWithinTheLimit()
    {
        var document = VariedDocument(pages: 12);
        var chunker = new DocumentChunker(Tokenizer, new ChunkingOptions { MaxTokens = 128, OverlapTokens = 20 });

        var chunks = chunker.Split(document);

        Assert.True(chunks.Count > 20);
        Assert.All(chunks, c => Assert.InRange(c.Tokens, 1, 128));
        Assert.All(chunks, c => Assert.Equal(Tokenizer.CountTokens(c.Text), c.Tokens));
        Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.Index));
        Assert.All(chunks, c => Assert.Equal("doc.txt", c.Source));
    }

    [Fact]
    public void Split_Chunks_StartWithTheirPageMarkerAndMarkEveryPageChange()
    {
        var document = VariedDocument(pages: 6);

        var chunks = new DocumentChunker(Tokenizer, new ChunkingOptions { MaxTokens = 200 }).Split(document);

        foreach (var chunk in chunks)
        {
            Assert.StartsWith($"[page: {chunk.Page}]\n", chunk.Text);
            var markers = PageMarker().Matches(chunk.Text).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(markers.Order(), markers);
            Assert.Equal(chunk.LastPage, markers[^1]);
        }

        Assert.Equal(Enumerable.Range(1, 6), chunks.SelectMany(c => Enumerable.Range(c.Page, c.LastPage - c.Page + 1)).Distinct());
    }

    [Fact]
    public void Split_AnyDocument_NeverCutsAWordAndLosesNoText()
    {
        var document = VariedDocument(pages: 5);

        var chunks = new DocumentChunker(Tokenizer, new ChunkingOptions { MaxTokens = 64, OverlapTokens = 10 }).Split(document);

        var sourceWords = document.Text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var chunkWords = chunks.SelectMany(c => PageMarker().Replace(c.Text, string.Empty).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.All(chunkWords, w => Assert.Contains(w, sourceWords));
        Assert.True(sourceWords.IsSubsetOf(chunkWords));
    }

    [Fact]
    public void Split_LongChineseParagraph_SplitsBetweenCharactersAndKeepsThemAll()
    {
        var text = string.Concat(Enumerable.Repeat("春风又绿江南岸，明月何时照我还。", 60));
        var document = new ParsedDocument("poem.txt", "poem", "hash", [new DocumentPage(1, [new DocumentParagraph(DocumentParagraphKind.Text, text)])]);

        var chunks = new DocumentChunker(Tokenizer, new ChunkingOptions { MaxTokens = 100, OverlapTokens = 0 }).Split(document);

        Assert.True(chunks.Count >= 10);
        Assert.All(chunks, c => Assert.InRange(c.Tokens, 1, 100));
        Assert.Equal(text, string.Concat(chunks.Select(c => c.Text.Replace("[page: 1]\n", string.Empty, StringComparison.Ordinal))));
    }

    [Fact]
    public void Split_ConsecutiveChunks_OverlapByWholeSentences()
    {
        var filler = new FillerText(11);
        var paragraphs = Enumerable.Range(0, 30).Select(_ => new DocumentParagraph(DocumentParagraphKind.Text, filler.Paragraph())).ToList();
        var document = new ParsedDocument("a.txt", "a", "hash", [new DocumentPage(1, paragraphs)]);

        var chunks = new DocumentChunker(Tokenizer, new ChunkingOptions { MaxTokens = 256, OverlapTokens = 60 }).Split(document);

        var overlapping = 0;
        for (var i = 1; i < chunks.Count; i++)
        {
            var start = chunks[i].Text["[page: 1]\n".Length..];
            var firstLine = start.Split('\n')[0];
            if (chunks[i - 1].Text.Contains(firstLine, StringComparison.Ordinal))
            {
                overlapping++;
                Assert.EndsWith(".", firstLine);
                Assert.True(Tokenizer.CountTokens(firstLine) <= 60);
            }
        }

        Assert.True(overlapping >= chunks.Count / 2, $"{overlapping} of {chunks.Count} chunks overlap");
    }

    [Fact]
    public void Split_LongTable_SplitsAtRowsAndRepeatsTheHeader()
    {
        var rows = Enumerable.Range(0, 200).Select(i => $"| row {i} | value {i * 7} |");
        var table = "| Name | Value |\n| --- | --- |\n" + string.Join('\n', rows);
        var document = new ParsedDocument("t.csv", "t", "hash", [new DocumentPage(1, [new DocumentParagraph(DocumentParagraphKind.Table, table)])]);

        var chunks = new DocumentChunker(Tokenizer, new ChunkingOptions { MaxTokens = 150, OverlapTokens = 10 }).Split(document);

        Assert.True(chunks.Count > 5);
        Assert.All(chunks, c => Assert.StartsWith("[page: 1]\n| Name | Value |\n| --- | --- |\n| row ", c.Text));
        Assert.All(chunks, c => Assert.InRange(c.Tokens, 1, 150));
        var allRows = chunks.SelectMany(c => c.Text.Split('\n').Where(l => l.StartsWith("| row ", StringComparison.Ordinal))).ToList();
        Assert.Equal(rows, allRows);
    }

    [Fact]
    public void Split_SingleHugeWord_IsCutWithinTheLimit()
    {
        var blob = string.Concat(Enumerable.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", 200));
        var document = new ParsedDocument("b.txt", "b", "hash", [new DocumentPage(1, [new DocumentParagraph(DocumentParagraphKind.Text, "start " + blob + " end")])]);

        var chunks = new DocumentChunker(Tokenizer, new ChunkingOptions { MaxTokens = 64, OverlapTokens = 0 }).Split(document);

        Assert.All(chunks, c => Assert.InRange(c.Tokens, 1, 64));
        Assert.Contains(blob, string.Concat(chunks.Select(c => c.Text.Replace("[page: 1]\n", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal))));
    }

    [Fact]
    public void Split_EmptyDocument_GivesNoChunks()
    {
        var document = new ParsedDocument("e.txt", "e", "hash", [new DocumentPage(1, [])]);

        Assert.Empty(new DocumentChunker(Tokenizer).Split(document));
    }

    [Theory]
    [InlineData(16, 0, "MaxTokens")]
    [InlineData(512, -1, "OverlapTokens")]
    public void Constructor_OptionsOutOfRange_NamesTheOption(int maxTokens, int overlap, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DocumentChunker(Tokenizer, new ChunkingOptions { MaxTokens = maxTokens, OverlapTokens = overlap }));

        Assert.Contains($"ChunkingOptions.{name}", error.Message);
    }

    internal static ParsedDocument VariedDocument(int pages)
    {
        var filler = new FillerText(42);
        var result = new List<DocumentPage>();
        for (var page = 1; page <= pages; page++)
        {
            var paragraphs = new List<DocumentParagraph> { new(DocumentParagraphKind.Heading, $"## Section {page}", 2) };
            for (var i = 0; i < 4; i++)
            {
                paragraphs.Add(new DocumentParagraph(DocumentParagraphKind.Text, filler.Paragraph()));
            }

            // A long paragraph that must be split, a CJK paragraph, and a short list item.
            paragraphs.Add(new DocumentParagraph(DocumentParagraphKind.Text, string.Join(' ', Enumerable.Range(0, 8).Select(_ => filler.Paragraph()))));
            paragraphs.Add(new DocumentParagraph(DocumentParagraphKind.Text, "长江一帆远，落日五湖春。谁见汀洲上，相思愁白苹。"));
            paragraphs.Add(new DocumentParagraph(DocumentParagraphKind.ListItem, "- " + filler.Sentence()));
            result.Add(new DocumentPage(page, paragraphs));
        }

        return new ParsedDocument("doc.txt", "doc", "hash", result);
    }

    [GeneratedRegex(@"\[page: (\d+)\]")]
    private static partial Regex PageMarker();
}
