using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace Qwen.Runtime.Tests;

/// <summary>AddQwenChatClient: configuration binding, validation at start, loading at start with progress, disposal with the host, middleware chained on the returned builder.</summary>
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
            new() { ["Qwen:ModelPath"] = Fixtures.TinyModel("qwen3_tiny"), ["Qwen:Model:Device"] = "cpu", ["Qwen:LoadAtStart"] = "true", ["Qwen:Chat:DefaultMaxOutputTokens"] = "3" },
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
        using var host = Build(new() { ["Qwen:ModelPath"] = Fixtures.TinyModel("qwen3_tiny"), ["Qwen:Model:Device"] = "cpu" }, o => o.LoadProgress = new SyncProgress(reports.Add));
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
    [InlineData("FIXTURE", "tpu", "1", "QwenHostingOptions.Model.Device 'tpu'")]
    [InlineData("FIXTURE", "cpu", "0", "QwenHostingOptions.Model.Threads must be at least 1")]
    public async Task AddQwenChatClient_BadOptions_FailAtStartNamingTheField(string? path, string device, string threads, string expected)
    {
        using var host = Build(new()
        {
            ["Qwen:ModelPath"] = path == "FIXTURE" ? Fixtures.TinyModel("qwen3_tiny") : path,
            ["Qwen:Model:Device"] = device,
            ["Qwen:Model:Threads"] = threads,
        });

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task AddQwenChatClient_MiddlewareChainedOnTheBuilder_WrapsTheResolvedClient()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var calls = new List<string>();
        builder.Services.AddQwenChatClient(o =>
            {
                o.ModelPath = Fixtures.TinyModel("qwen3_tiny");
                o.Model.Device = "cpu";
                o.Model.MaxBatchSize = 2;
            })
            .UseFunctionInvocation()
            .Use(async (messages, options, next, cancellationToken) =>
            {
                calls.Add(messages.Last().Text);
                await next(messages, options, cancellationToken);
            });
        using var host = builder.Build();
        await host.StartAsync();

        var client = host.Services.GetRequiredService<IChatClient>();
        var response = await client.GetResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { MaxOutputTokens = 2 });

        Assert.Equal(["Hi"], calls);
        Assert.NotNull(client.GetService<FunctionInvokingChatClient>());
        Assert.InRange(response.Usage!.OutputTokenCount!.Value, 1, 2);
        var model = client.GetService<QwenModel>()!;
        Assert.Equal("cpu", model.DeviceName);
        await host.StopAsync();
    }

    [Fact]
    public async Task AddQwenChatClient_ModelOptionsFromConfiguration_ReachTheModelAndLogThroughTheContainer()
    {
        var logs = new FakeLogCollector();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Qwen:ModelPath"] = Fixtures.TinyModel("qwen3_tiny"),
            ["Qwen:LoadAtStart"] = "true",
            ["Qwen:Model:Device"] = "cpu",
            ["Qwen:Model:DType"] = "BFloat16",
            ["Qwen:Model:Threads"] = "2",
            ["Qwen:Model:MaxBatchSize"] = "3",
            ["Qwen:Model:CpuKernels"] = "false",
        });
        builder.Logging.AddProvider(new FakeLoggerProvider(logs));
        builder.Services.AddQwenChatClient(builder.Configuration.GetSection("Qwen"));
        using var host = builder.Build();

        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<QwenHostingOptions>>().Value;
        var model = host.Services.GetRequiredService<IChatClient>().GetService<QwenModel>()!;
        await host.StopAsync();

        Assert.Equal((ModelDType.BFloat16, 2, 3, false), (options.Model.DType, options.Model.Threads, options.Model.MaxBatchSize, options.Model.CpuKernels));
        Assert.Equal(ModelDType.BFloat16, model.DType);
        var loaded = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 2001);
        Assert.Equal(typeof(QwenModel).FullName, loaded.Category);
        Assert.Contains("on cpu as BFloat16", loaded.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddQwenChatClient_BadChatAndBatchOptions_FailAtStartNamingEveryField()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddQwenChatClient(o =>
        {
            o.ModelPath = Fixtures.TinyModel("qwen3_tiny");
            o.Model.MaxBatchSize = 0;
            o.Model.Hub = new HubOptions { Endpoint = "ftp://example" };
            o.Chat.DefaultMaxOutputTokens = 0;
        });
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("QwenHostingOptions.Model.MaxBatchSize must be at least 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("QwenHostingOptions.Model.Hub: HubOptions.Endpoint 'ftp://example'", e.Message, StringComparison.Ordinal);
        Assert.Contains("QwenHostingOptions.Chat.DefaultMaxOutputTokens must be at least 1", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool, racing the assertions).</summary>
    private sealed class SyncProgress(Action<LoadProgress> report) : IProgress<LoadProgress>
    {
        public void Report(LoadProgress value) => report(value);
    }
}
