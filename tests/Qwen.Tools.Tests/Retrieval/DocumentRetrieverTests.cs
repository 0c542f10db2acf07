using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Qwen.Core;
using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Tools.Tests.Retrieval;

public sealed class DocumentRetrieverTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task RetrieveAsync_FixturePdfs_FindsTheRightPageOfTheRightFile()
    {
        using var parser = new DocumentParser();
        using var retriever = new DocumentRetriever(parser, ApproximateTokenizer.Instance, new RetrievalOptions { Chunking = { MaxTokens = 128 } });

        var result = await retriever.RetrieveAsync(
            [Fixtures.Docs("doc.pdf"), Fixtures.Docs("poem.pdf")],
            RetrievalQuery.Parse("how to rotate an image by 90 degrees"),
            tokenBudget: 300);

        Assert.True(result.Sum(r => r.Chunk.Tokens) <= 300);
        var best = result.MaxBy(r => r.Score)!;
        Assert.Equal(Fixtures.Docs("doc.pdf"), best.Chunk.Source);
        Assert.Equal(2, best.Chunk.Page);
        Assert.Contains("rotate", best.Chunk.Text);

        var poem = await retriever.RetrieveAsync([Fixtures.Docs("doc.pdf"), Fixtures.Docs("poem.pdf")], RetrievalQuery.Parse("王维 观猎"), tokenBudget: 200);
        Assert.Contains(poem, r => r.Chunk.Source == Fixtures.Docs("poem.pdf") && r.Chunk.Text.Contains("王维《观猎》", StringComparison.Ordinal) && r.Chunk.Page == 2);
    }

    [Fact]
    public async Task RetrieveAsync_SameDocumentTwice_BuildsItsIndexOnce()
    {
        using var parser = new DocumentParser();
        using var retriever = new DocumentRetriever(parser, ApproximateTokenizer.Instance);
        var path = WriteDocument("a.md", 3);

        await retriever.RetrieveAsync([path], RetrievalQuery.Parse("harbor"));
        await retriever.RetrieveAsync([path, path], RetrievalQuery.Parse("river"));

        Assert.Equal(1, retriever.IndexBuilds);
    }

    [Fact]
    public async Task RetrieveAsync_WithALoggerFactory_LogsParseIndexAndCacheEventsWithTheirIds()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = new LoggerFactory([new FakeLoggerProvider(logs)], new LoggerFilterOptions { MinLevel = LogLevel.Debug });
        var path = WriteDocument("logged.md", 2);
        using var parser = new DocumentParser(new DocumentParserOptions { CacheDirectory = _temp.Combine("parse-cache") }, loggerFactory);
        using var retriever = new DocumentRetriever(parser, ApproximateTokenizer.Instance, null, loggerFactory);

        await retriever.RetrieveAsync([path, path], RetrievalQuery.Parse("harbor")); // the second is read from the parse cache, then skipped

        var records = logs.GetSnapshot();
        var parsed = Assert.Single(records, r => r.Id.Id == 3101);
        Assert.Equal(typeof(DocumentParser).FullName, parsed.Category);
        Assert.Contains(path, parsed.Message, StringComparison.Ordinal);
        Assert.Single(records, r => r.Id.Id == 3102);
        Assert.Single(records, r => r.Id.Id == 3201 && r.Category == typeof(DocumentRetriever).FullName);
        Assert.Single(records, r => r.Id.Id == 3204);
    }

    [Fact]
    public async Task RetrieveAsync_DiskCache_IsReusedByAnotherRetrieverAndRebuiltWhenTheFileChanges()
    {
        var options = new RetrievalOptions { CacheDirectory = _temp.Combine("index-cache") };
        var path = WriteDocument("b.md", 7);
        IReadOnlyList<RetrievedChunk> first;
        using (var parser = new DocumentParser())
        using (var retriever = new DocumentRetriever(parser, ApproximateTokenizer.Instance, options))
        {
            first = await retriever.RetrieveAsync([path], RetrievalQuery.Parse("village bridge"), tokenBudget: 1200);
            Assert.Equal(1, retriever.IndexBuilds);
        }

        using (var parser = new DocumentParser())
        using (var retriever = new DocumentRetriever(parser, ApproximateTokenizer.Instance, options))
        {
            var second = await retriever.RetrieveAsync([path], RetrievalQuery.Parse("village bridge"), tokenBudget: 1200);
            Assert.Equal(0, retriever.IndexBuilds);
            Assert.Equal(first.Select(r => r.Chunk), second.Select(r => r.Chunk));
            Assert.Equal(first.Select(r => r.Score), second.Select(r => r.Score));

            await File.AppendAllTextAsync(path, "\n\nA new closing paragraph about a violet comet.");
            var changed = await retriever.RetrieveAsync([path], RetrievalQuery.Parse("violet comet"), tokenBudget: 1200);
            Assert.Equal(1, retriever.IndexBuilds);
            Assert.True(changed.Any(r => r.Chunk.Text.Contains("violet comet", StringComparison.Ordinal)), string.Join("\n---\n", changed.Select(r => $"{r.Score} {r.Chunk.Text}")));
        }
    }

    [Fact]
    public async Task RetrieveAsync_SameContentUnderAnotherName_ReportsTheNameAskedFor()
    {
        using var parser = new DocumentParser();
        using var retriever = new DocumentRetriever(parser, ApproximateTokenizer.Instance);
        var a = WriteDocument("first.md", 9);
        var b = _temp.WriteAllText("second.md", await File.ReadAllTextAsync(a));

        await retriever.RetrieveAsync([a], RetrievalQuery.Parse("harbor"));
        var result = await retriever.RetrieveAsync([b], RetrievalQuery.Parse("harbor"));

        Assert.Equal(1, retriever.IndexBuilds);
        Assert.All(result, r => Assert.Equal(b, r.Chunk.Source));
    }

    [Fact]
    public async Task RetrieveAsync_UnparsableFile_ThrowsDocumentParseException()
    {
        using var parser = new DocumentParser();
        using var retriever = new DocumentRetriever(parser, ApproximateTokenizer.Instance);
        var bad = _temp.WriteAllText("bad.pdf", "not a pdf");

        var error = await Assert.ThrowsAsync<DocumentParseException>(() => retriever.RetrieveAsync([bad], RetrievalQuery.Parse("x")));

        Assert.Contains("bad.pdf", error.Message);
    }

    private string WriteDocument(string name, ulong seed)
    {
        var filler = new FillerText(seed);
        return _temp.WriteAllText(name, string.Join("\n\n", Enumerable.Range(0, 60).Select(_ => filler.Paragraph())));
    }
}
