using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Qwen.Runtime.Tests;

/// <summary>AddQwenChatClient: configuration binding, validation at start, loading at start with progress, disposal with the host.</summary>
public sealed class QwenChatClientHostingTests
{
    private static IHost Build(Dictionary<string, string?> settings, Action<QwenHostingOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddQwenChatClient(builder.Configuration.GetSection("Qwen"), configure);
        return builder.Build();
    }

    [Fact]
    public async Task AddQwenChatClient_FromConfiguration_LoadsAtStartAnswersAndDisposesWithTheHost()
    {
        var reports = new List<LoadProgress>();
        QwenModel model;
        using (var host = Build(
            new() { ["Qwen:ModelPath"] = Fixtures.TinyModel("qwen3_tiny"), ["Qwen:Device"] = "cpu", ["Qwen:LoadAtStart"] = "true", ["Qwen:Chat:DefaultMaxOutputTokens"] = "3" },
            o => o.LoadProgress = new SyncProgress(reports.Add)))
        {
            await host.StartAsync();
            Assert.NotEmpty(reports);
            Assert.Equal(reports[^1].TensorCount, reports[^1].TensorsLoaded);

            var client = host.Services.GetRequiredService<IChatClient>();
            var response = await client.GetResponseAsync([new(ChatRole.User, "Hi")]);
            Assert.InRange(response.Usage!.OutputTokenCount!.Value, 1, 3);
            model = client.GetService<QwenModel>()!;
            Assert.Equal("cpu", model.DeviceName);
            await host.StopAsync();
        }

        Assert.Throws<ObjectDisposedException>(() => model.Forward([1, 2]));
    }

    [Fact]
    public async Task AddQwenChatClient_Lazy_LoadsOnFirstRequestOnly()
    {
        var reports = new List<LoadProgress>();
        using var host = Build(new() { ["Qwen:ModelPath"] = Fixtures.TinyModel("qwen3_tiny"), ["Qwen:Device"] = "cpu" }, o => o.LoadProgress = new SyncProgress(reports.Add));
        await host.StartAsync();
        Assert.Empty(reports);

        var client = host.Services.GetRequiredService<IChatClient>();
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { MaxOutputTokens = 2 }))
        {
            Assert.NotNull(update.MessageId);
        }

        Assert.NotEmpty(reports);
        await host.StopAsync();
    }

    [Theory]
    [InlineData(null, "auto", "1", "QwenHostingOptions.ModelPath is required")]
    [InlineData("/no/such/model", "auto", "1", "QwenHostingOptions.ModelPath '/no/such/model'")]
    [InlineData("FIXTURE", "tpu", "1", "QwenHostingOptions.Device 'tpu'")]
    [InlineData("FIXTURE", "cpu", "0", "QwenHostingOptions.Threads must be at least 1")]
    public async Task AddQwenChatClient_BadOptions_FailAtStartNamingTheField(string? path, string device, string threads, string expected)
    {
        using var host = Build(new()
        {
            ["Qwen:ModelPath"] = path == "FIXTURE" ? Fixtures.TinyModel("qwen3_tiny") : path,
            ["Qwen:Device"] = device,
            ["Qwen:Threads"] = threads,
        });

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, e.Message);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool, racing the assertions).</summary>
    private sealed class SyncProgress(Action<LoadProgress> report) : IProgress<LoadProgress>
    {
        public void Report(LoadProgress value) => report(value);
    }
}
