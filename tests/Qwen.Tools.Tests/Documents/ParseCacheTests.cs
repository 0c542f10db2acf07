using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Tools.Tests.Documents;

public sealed class ParseCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ParseAsync_UnchangedFile_IsReadFromTheCache()
    {
        using var parser = new DocumentParser(new DocumentParserOptions { CacheDirectory = _temp.Combine("cache") });
        var path = _temp.WriteAllBytes("doc.pdf", await File.ReadAllBytesAsync(Fixtures.Docs("doc.pdf")));

        var first = await parser.ParseAsync(path);
        var second = await parser.ParseAsync(path);

        Assert.Equal(1, parser.ReaderRuns);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.Pages.Select(p => p.Paragraphs.Count), second.Pages.Select(p => p.Paragraphs.Count));
        Assert.Single(Directory.GetFiles(_temp.Combine("cache"), $"{first.ContentHash}.v{DocumentParser.Version}.json"));
    }

    [Fact]
    public async Task ParseAsync_SameContentAnotherPathAndParser_HitsTheCacheButReportsItsOwnSource()
    {
        var options = new DocumentParserOptions { CacheDirectory = _temp.Combine("cache") };
        var a = _temp.WriteAllText("a.md", "# Shared\n\nSame content.");
        var b = _temp.WriteAllText("b.md", "# Shared\n\nSame content.");
        using var first = new DocumentParser(options);
        using var second = new DocumentParser(options);

        await first.ParseAsync(a);
        var fromCache = await second.ParseAsync(b);

        Assert.Equal(0, second.ReaderRuns);
        Assert.Equal(b, fromCache.Source);
        Assert.Equal("# Shared\nSame content.", fromCache.Text);
    }

    [Fact]
    public async Task ParseAsync_ChangedFile_IsParsedAgain()
    {
        using var parser = new DocumentParser(new DocumentParserOptions { CacheDirectory = _temp.Combine("cache") });
        var path = _temp.WriteAllText("notes.txt", "version one");

        var before = await parser.ParseAsync(path);
        await File.WriteAllTextAsync(path, "version two");
        var after = await parser.ParseAsync(path);

        Assert.Equal(2, parser.ReaderRuns);
        Assert.Equal("version two", after.Text);
        Assert.NotEqual(before.ContentHash, after.ContentHash);
    }

    [Fact]
    public async Task ParseAsync_DamagedCacheFile_IsIgnoredAndRewritten()
    {
        var cache = _temp.Combine("cache");
        using var parser = new DocumentParser(new DocumentParserOptions { CacheDirectory = cache });
        var path = _temp.WriteAllText("notes.txt", "some text");
        var document = await parser.ParseAsync(path);
        var entry = Path.Combine(cache, $"{document.ContentHash}.v{DocumentParser.Version}.json");
        await File.WriteAllTextAsync(entry, "{ not json");

        var again = await parser.ParseAsync(path);

        Assert.Equal("some text", again.Text);
        Assert.Equal(2, parser.ReaderRuns);
        Assert.StartsWith("{\"", await File.ReadAllTextAsync(entry));
    }

    [Fact]
    public async Task ParseAsync_WithoutCacheDirectory_ParsesEveryTime()
    {
        using var parser = new DocumentParser();
        var path = _temp.WriteAllText("notes.txt", "text");

        await parser.ParseAsync(path);
        await parser.ParseAsync(path);

        Assert.Equal(2, parser.ReaderRuns);
    }
}
