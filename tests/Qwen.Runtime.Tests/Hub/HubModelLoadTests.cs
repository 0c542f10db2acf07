using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Qwen.Runtime.Tests;

/// <summary>QwenChatClient.Load and AddQwenChatClient take a model name, downloading it from the (fake) Hub first.</summary>
public sealed class HubModelLoadTests : IAsyncLifetime, IDisposable
{
    private readonly HubTestCache _cache = new();
    private FakeHub _hub = null!;

    public async Task InitializeAsync()
    {
        _hub = await FakeHub.StartAsync();
        _hub.AddRepo("test-org/tiny-chat", HubTestCache.TinyCheckpoint);
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task QwenChatClientLoad_ModelName_DownloadsWithProgressAndAnswers()
    {
        var reports = new List<DownloadProgress>();
        var options = new QwenModelOptions { Device = "cpu", Hub = _cache.Options(_hub.Endpoint), DownloadProgress = new SyncProgress<DownloadProgress>(reports.Add) };

        using var client = QwenChatClient.Load("test-org/tiny-chat", options);
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { MaxOutputTokens = 2 });

        Assert.InRange(response.Usage!.OutputTokenCount!.Value, 1, 2);
        Assert.StartsWith(_cache.RepoFolder("test-org/tiny-chat"), client.GetService<QwenModel>()!.Directory);
        Assert.Equal(reports[^1].TotalBytes, reports[^1].BytesDownloaded);
        Assert.All(reports, r => Assert.Equal("test-org/tiny-chat", r.Model));
    }

    [Fact]
    public async Task AddQwenChatClient_ModelPathIsAName_ValidatesAndLoadsFromTheHub()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddQwenChatClient(o =>
        {
            o.ModelPath = "test-org/tiny-chat";
            o.Model.Device = "cpu";
            o.LoadAtStart = true;
            o.Model.Hub = _cache.Options(_hub.Endpoint);
        });
        using var host = builder.Build();

        await host.StartAsync();
        var model = host.Services.GetRequiredService<IChatClient>().GetService<QwenModel>()!;
        await host.StopAsync();

        Assert.StartsWith(Path.Combine(_cache.RepoFolder("test-org/tiny-chat"), "snapshots"), model.Directory);
    }

    [Fact]
    public void QwenModelLoad_UnknownName_ThrowsHubException()
    {
        var error = Assert.Throws<HubException>(() => QwenModel.Load("test-org/missing", new QwenModelOptions { Device = "cpu", Hub = _cache.Options(_hub.Endpoint) }));

        Assert.Equal(HubErrorKind.RepositoryNotFound, error.Kind);
    }

    [Fact]
    public void QwenModelLoad_PathThatIsNoName_StillSaysItIsNotADirectory()
    {
        var error = Assert.Throws<CheckpointFormatException>(() => QwenModel.Load("/no/such/model", new QwenModelOptions { Hub = _cache.Options(_hub.Endpoint) }));

        Assert.Contains("is not a directory", error.Message);
        Assert.Empty(_hub.Requests);
    }
}
