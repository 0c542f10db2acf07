using System.Net;
using System.Text;
using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Tools.Tests.Web;

public sealed class WebExtractorTests : IDisposable
{
    private const string Page = """
        <html><head><title>Local News</title><script>alert('x')</script></head>
        <body><h1>Weather</h1><p>Sunny &amp; warm.</p></body></html>
        """;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Invoke_LoopbackByDefault_IsRefusedWithoutConnecting()
    {
        await using var server = new LocalHttpServer(_ => LocalHttpServer.Response.Html(Page));
        var registry = Registry(allowPrivate: false);

        var result = await registry.InvokeAsync("web_extractor", $$"""{"url": "{{server.Url("/")}}"}""");

        Assert.True(result.IsError);
        Assert.Contains("non-public address", result.Text);
        Assert.Contains("AllowPrivateNetworks", result.Text);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task Invoke_LoopbackAllowed_ReturnsTheVisibleText()
    {
        await using var server = new LocalHttpServer(_ => LocalHttpServer.Response.Html(Page));

        var result = await Registry(allowPrivate: true).InvokeAsync("web_extractor", $$"""{"url": "{{server.Url("/news")}}"}""");

        Assert.False(result.IsError, result.Text);
        Assert.Equal("# Local News\n# Weather\nSunny & warm.", result.Text);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.com/file.txt")]
    [InlineData("not a url")]
    public async Task Invoke_NonHttpUrl_IsRefused(string url)
    {
        var result = await Registry(allowPrivate: true).InvokeAsync("web_extractor", $$"""{"url": "{{url}}"}""");

        Assert.True(result.IsError);
        Assert.Contains("must be an absolute http or https URL", result.Text);
    }

    [Fact]
    public async Task FetchAsync_Redirects_AreFollowedWithinTheLimit()
    {
        await using var server = new LocalHttpServer(path => path switch
        {
            "/a" => LocalHttpServer.Response.Redirect("/b"),
            "/b" => LocalHttpServer.Response.Redirect("/c"),
            "/loop" => LocalHttpServer.Response.Redirect("/loop"),
            _ => LocalHttpServer.Response.Html("<p>arrived</p>"),
        });
        using var fetcher = new WebFetcher(new WebFetchOptions { AllowPrivateNetworks = true, MaxRedirects = 3 });

        var resource = await fetcher.FetchAsync(server.Url("/a"));
        var loop = await Assert.ThrowsAsync<WebFetchException>(() => fetcher.FetchAsync(server.Url("/loop")));

        Assert.Equal("/c", resource.Url.AbsolutePath);
        Assert.Equal("text/html", resource.MediaType);
        Assert.Equal("more than 3 redirects.", loop.Reason);
    }

    [Fact]
    public async Task FetchAsync_RedirectToAnotherScheme_IsRefused()
    {
        await using var server = new LocalHttpServer(_ => LocalHttpServer.Response.Redirect("file:///etc/passwd"));
        using var fetcher = new WebFetcher(new WebFetchOptions { AllowPrivateNetworks = true });

        var error = await Assert.ThrowsAsync<WebFetchException>(() => fetcher.FetchAsync(server.Url("/")));

        Assert.Contains("scheme 'file' is not allowed", error.Reason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FetchAsync_BodyOverTheLimit_IsRefused(bool omitLength)
    {
        await using var server = new LocalHttpServer(_ => new LocalHttpServer.Response(200, "text/plain", new byte[100_000]) { OmitLength = omitLength });
        using var fetcher = new WebFetcher(new WebFetchOptions { AllowPrivateNetworks = true, MaxBytes = 10_000 });

        var error = await Assert.ThrowsAsync<WebFetchException>(() => fetcher.FetchAsync(server.Url("/big")));

        Assert.Contains("over the limit of 10,000 bytes", error.Reason);
    }

    [Fact]
    public async Task FetchAsync_SlowServer_StopsAtTheTimeLimit()
    {
        await using var server = new LocalHttpServer(_ => LocalHttpServer.Response.Html("late") with { Delay = TimeSpan.FromSeconds(10) });
        using var fetcher = new WebFetcher(new WebFetchOptions { AllowPrivateNetworks = true, Timeout = TimeSpan.FromMilliseconds(300) });

        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<WebFetchException>(() => fetcher.FetchAsync(server.Url("/")));

        Assert.Contains("no complete answer within 0.3 s", error.Reason);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task FetchAsync_HttpError_ReportsTheStatus()
    {
        await using var server = new LocalHttpServer(_ => new LocalHttpServer.Response(404, "text/plain", Encoding.UTF8.GetBytes("no")));
        using var fetcher = new WebFetcher(new WebFetchOptions { AllowPrivateNetworks = true });

        var error = await Assert.ThrowsAsync<WebFetchException>(() => fetcher.FetchAsync(server.Url("/missing")));

        Assert.StartsWith("the server answered 404", error.Reason);
    }

    [Fact]
    public async Task ParseAsync_PdfByUrl_IsFetchedAndParsed()
    {
        var pdf = await File.ReadAllBytesAsync(Fixtures.Docs("doc.pdf"));
        await using var server = new LocalHttpServer(_ => new LocalHttpServer.Response(200, "application/pdf", pdf));
        using var parser = new DocumentParser(new DocumentParserOptions { Web = { AllowPrivateNetworks = true } });

        var document = await parser.ParseAsync(server.Url("/files/tutorial"));

        Assert.Equal(3, document.Pages.Count);
        Assert.Equal(server.Url("/files/tutorial"), document.Source);
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.20.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("8.8.8.8", true)]
    [InlineData("2606:4700:4700::1111", true)]
    public void IsPublic_Address_ClassifiesPrivateRanges(string address, bool expected) =>
        Assert.Equal(expected, NetworkAddressPolicy.IsPublic(IPAddress.Parse(address)));

    private ToolRegistry Registry(bool allowPrivate) =>
        new([new WebExtractorTool(new ToolOptions { WorkDirectory = _temp.Path, Web = { AllowPrivateNetworks = allowPrivate, Timeout = TimeSpan.FromSeconds(10) } })]);
}
