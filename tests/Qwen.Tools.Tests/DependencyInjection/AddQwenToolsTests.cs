using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.ML.Tokenizers;
using Qwen.Core;
using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Tools.Tests.DependencyInjection;

public sealed class AddQwenToolsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AddQwenTools_RegistersTheBuiltInToolsAndExtraFunctionsInOneRegistry()
    {
        var services = new ServiceCollection()
            .AddQwenTools(o => o.WorkDirectory = _temp.Path)
            .AddQwenTool(AIFunctionFactory.Create((string name) => $"Hello, {name}!", "greet", "Greets someone."));
        await using var provider = services.BuildServiceProvider();

        var registry = provider.GetRequiredService<ToolRegistry>();
        var greeting = await registry.InvokeAsync("greet", """{"name": "Qwen"}""");
        var stored = await registry.InvokeAsync("storage", """{"operate": "put", "key": "k", "value": "v"}""");

        Assert.Equal(["doc_parser", "retrieval", "storage", "web_extractor", "greet"], registry.Tools.Select(t => t.Name));
        Assert.Equal("Hello, Qwen!", greeting.Text);
        Assert.False(stored.IsError);
        Assert.True(File.Exists(_temp.Combine("storage", "k")));
        Assert.Same(ApproximateTokenizer.Instance, provider.GetRequiredService<Tokenizer>());
        Assert.Same(provider.GetRequiredService<DocumentParser>(), provider.GetRequiredService<DocumentParser>());
        Assert.NotNull(provider.GetRequiredService<DocumentRetriever>());
    }

    [Fact]
    public async Task AddQwenTools_InvalidOptions_FailWithTheOptionName()
    {
        await using var provider = new ServiceCollection().AddQwenTools(o => o.Retrieval.TokenBudget = 0).BuildServiceProvider();

        var error = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<ToolRegistry>());

        Assert.Contains("RetrievalOptions.TokenBudget", error.Message);
    }

    [Fact]
    public async Task AddQwenTools_InvalidOptions_FailHostStartNamingTheOption()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddQwenTools(o => o.Retrieval.TokenBudget = 0);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("RetrievalOptions.TokenBudget", error.Message);
    }

    [Fact]
    public async Task AddQwenTools_ValidOptions_StartAndLogTheTokenizerFallbackWithItsEventId()
    {
        var logs = new FakeLogCollector();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(new FakeLoggerProvider(logs));
        builder.Services.AddQwenTools(o => o.WorkDirectory = _temp.Path);
        using var host = builder.Build();

        await host.StartAsync();
        _ = host.Services.GetRequiredService<DocumentRetriever>();
        await host.StopAsync();

        Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 3501 && r.Level == LogLevel.Information && r.Message.Contains("ApproximateTokenizer", StringComparison.Ordinal));
    }
}
