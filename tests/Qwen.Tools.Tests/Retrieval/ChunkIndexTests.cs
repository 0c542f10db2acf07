using Qwen.Core;
using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Tools.Tests.Retrieval;

public sealed class ChunkIndexTests
{
    [Fact]
    public void Search_EnglishQuestion_MatchesStemmedWordsAndIgnoresStopWords()
    {
        var chunks = Chunks("a.txt", "The harbor was rebuilt.", "Runners were running along the river banks.", "Nothing here.");
        using var index = ChunkIndex.Create(chunks);

        var result = index.Search("Who runs by the rivers?", tokenBudget: chunks[1].Tokens);

        var hit = Assert.Single(result);
        Assert.Contains("Runners were running", hit.Chunk.Text);
        Assert.True(hit.Score > 0);
    }

    [Fact]
    public void Search_ChineseQuestion_MatchesByBigrams()
    {
        var chunks = Chunks("poem.txt", "春风又绿江南岸，明月何时照我还。", "离离原上草，一岁一枯荣。", "野火烧不尽，春风吹又生。");
        using var index = ChunkIndex.Create(chunks);

        var result = index.Search("江南岸在哪里", tokenBudget: chunks[0].Tokens);

        Assert.Contains("江南岸", Assert.Single(result).Chunk.Text);
    }

    [Fact]
    public void Search_MixedLanguageKeywords_MatchBothScripts()
    {
        var chunks = Chunks("m.txt", "Qwen 模型的长上下文能力", "Unrelated English text about boats", "另一段无关的中文内容");
        using var index = ChunkIndex.Create(chunks);

        var result = index.Search(RetrievalQuery.Parse("""{"keywords_zh": ["上下文"], "keywords_en": ["qwen"], "text": ""}"""), tokenBudget: chunks[0].Tokens);

        Assert.Equal("Qwen 模型的长上下文能力", Assert.Single(result).Chunk.Text.Split('\n')[1]);
    }

    [Fact]
    public void Search_KeywordWeights_ChangeTheRanking()
    {
        var chunks = Chunks("w.txt", "apples apples apples", "pears pears pears");
        using var index = ChunkIndex.Create(chunks);
        var budget = chunks.Max(c => c.Tokens);

        var pears = index.Search(new RetrievalQuery(null, [new WeightedKeyword("apples", 1), new WeightedKeyword("pears", 5)]), budget);
        var apples = index.Search(new RetrievalQuery(null, [new WeightedKeyword("apples", 5), new WeightedKeyword("pears", 1)]), budget);

        Assert.Contains("pears", Assert.Single(pears).Chunk.Text);
        Assert.Contains("apples", Assert.Single(apples).Chunk.Text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("the of and is it")]
    [InlineData("[]")]
    public void Search_NothingToSearchFor_ReturnsTheStartOfTheDocuments(string query)
    {
        var chunks = Chunks("s.txt", "first part", "second part", "third part", "fourth part");
        using var index = ChunkIndex.Create(chunks);
        var budget = chunks[0].Tokens + chunks[1].Tokens;

        var result = index.Search(query, budget);

        Assert.Equal(["first part", "second part"], result.Select(r => r.Chunk.Text.Split('\n')[1]));
        Assert.All(result, r => Assert.Equal(0, r.Score));
    }

    [Fact]
    public void Search_EverythingFits_ReturnsEveryChunkInOrder()
    {
        using var index = ChunkIndex.Create(Chunks("all.txt", "alpha", "beta", "gamma"));

        var result = index.Search("beta", tokenBudget: 8000);

        Assert.Equal(3, result.Count);
        Assert.True(result[1].Score > 0);
        Assert.Equal(0, result[0].Score);
    }

    [Fact]
    public void Search_SeveralDocuments_ReturnsBestChunksWithinBudgetInDocumentOrderWithSourceAndPage()
    {
        var filler = new FillerText(5);
        var first = Enumerable.Range(0, 40).Select(i => i == 30 ? "The lighthouse keeper logged a violet comet." : filler.Sentence()).ToArray();
        var second = Enumerable.Range(0, 40).Select(i => i == 3 ? "A violet comet was seen over the harbor lighthouse." : filler.Sentence()).ToArray();
        var chunks = Chunks("one.pdf", first).Concat(Chunks("two.pdf", second)).ToList();
        using var index = ChunkIndex.Create(chunks);
        var budget = 60;

        var result = index.Search("violet comet lighthouse", budget);

        Assert.True(result.Sum(r => r.Chunk.Tokens) <= budget);
        Assert.Contains(result, r => r.Chunk.Source == "one.pdf" && r.Chunk.Text.Contains("violet comet", StringComparison.Ordinal) && r.Chunk.Page == 31);
        Assert.Contains(result, r => r.Chunk.Source == "two.pdf" && r.Chunk.Text.Contains("violet comet", StringComparison.Ordinal) && r.Chunk.Page == 4);
        var order = result.Select(r => (r.Chunk.Source, r.Chunk.Index)).ToList();
        Assert.Equal(order.OrderBy(o => o.Source, StringComparer.Ordinal).ThenBy(o => o.Index), order);
    }

    [Fact]
    public void Search_BadBudget_Throws()
    {
        using var index = ChunkIndex.Create(Chunks("b.txt", "text"));

        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search("text", 0));
    }

    [Fact]
    public void Parse_QueryForms_AreRecognised()
    {
        var plain = RetrievalQuery.Parse("What is BM25?");
        var list = RetrievalQuery.Parse("""["bm25", {"text": "lucene", "weight": 2}, {"word": "index"}]""");
        var qwenAgent = RetrievalQuery.Parse("""{"keywords_zh": ["检索"], "keywords_en": ["retrieval"], "text": "如何检索"}""");
        var notJson = RetrievalQuery.Parse("[draft] notes on retrieval");

        Assert.Equal("What is BM25?", plain.Text);
        Assert.Equal([new WeightedKeyword("bm25"), new WeightedKeyword("lucene", 2), new WeightedKeyword("index")], list.Keywords);
        Assert.Equal("如何检索", qwenAgent.Text);
        Assert.Equal(["检索", "retrieval"], qwenAgent.Keywords.Select(k => k.Text));
        Assert.Equal("[draft] notes on retrieval", notJson.Text);
        Assert.True(RetrievalQuery.Parse("  ").IsEmpty);
    }

    /// <summary>One chunk per text, on pages 1, 2, 3, ...</summary>
    internal static List<DocumentChunk> Chunks(string source, params string[] texts) =>
        [.. texts.Select((t, i) =>
        {
            var text = $"[page: {i + 1}]\n{t}";
            return new DocumentChunk(source, i, i + 1, i + 1, text, ApproximateTokenizer.Instance.CountTokens(text));
        })];
}
