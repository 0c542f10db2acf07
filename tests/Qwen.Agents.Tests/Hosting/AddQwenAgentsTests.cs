using System.Diagnostics;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Qwen.Agents.Tests.TestSupport;
using Qwen.Tools;

namespace Qwen.Agents.Tests.Hosting;

public sealed class AddQwenAgentsTests
{
    private static ScriptedChatClient WeatherModel() => new(request =>
        request.ToolResults.Count == 0 && request.ToolNames.Contains("get_weather")
            ? ScriptedReply.Call("get_weather", new { city = "Paris" }, "call_1")
            : ScriptedReply.Text(request.ToolResults.Count > 0 ? "It is " + request.ToolResults[^1].Result : "Call: helper"));

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("QwenAgents:" + v.Key, v.Value))).Build().GetSection("QwenAgents");

    private static ServiceCollection Services(IChatClient client)
    {
        var services = new ServiceCollection();
        services.AddChatClient(client);
        services.AddQwenTool(AIFunctionFactory.Create((string city) => $"sunny in {city}", "get_weather", "Weather of a city."));
        services.AddQwenTools(options => options.WorkDirectory = Path.GetTempPath());
        return services;
    }

    [Fact]
    public async Task AddQwenAgents_FromConfiguration_BuildsEachKindWithRegistryTools()
    {
        var services = Services(WeatherModel());
        services.AddQwenAgents(Configuration(
            ("Agents:helper:Kind", "FnCall"),
            ("Agents:helper:Description", "Answers weather questions."),
            ("Agents:helper:Tools:0", "get_weather"),
            ("Agents:helper:MaxModelCalls", "5"),
            ("Agents:thinker:Kind", "ReAct"),
            ("Agents:docs:Kind", "Assistant"),
            ("Agents:front:Kind", "Router"),
            ("Agents:front:Agents:0", "helper"),
            ("Agents:front:Agents:1", "thinker")));
        await using var provider = services.BuildServiceProvider();

        var catalog = provider.GetRequiredService<QwenAgentCatalog>();
        var helper = provider.GetRequiredKeyedService<AIAgent>("helper");
        var response = await helper.RunAsync("Weather in Paris?");

        Assert.Equal(["docs", "front", "helper", "thinker"], catalog.Names.Order(StringComparer.Ordinal));
        Assert.IsType<FnCallAgent>(helper);
        Assert.Same(helper, catalog.GetAgent("helper"));
        Assert.Equal("helper", helper.Name);
        Assert.Equal("It is sunny in Paris", response.Text);
        Assert.IsType<ReActChat>(catalog.GetAgent("thinker"));
        Assert.IsType<Qwen.Agents.Assistant>(catalog.GetAgent("docs"));
        var router = Assert.IsType<Router>(catalog.GetAgent("front"));
        Assert.Equal(["helper", "thinker"], router.Agents.Select(a => a.Name));
    }

    [Fact]
    public void GetAgent_UnknownName_ThrowsNamingTheConfiguredOnes()
    {
        var services = Services(WeatherModel());
        services.AddQwenAgents(options => options.Agents["helper"] = new QwenAgentDefinition());
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<ArgumentException>(() => provider.GetRequiredKeyedService<AIAgent>("nobody"));

        Assert.Contains("'nobody'", error.Message, StringComparison.Ordinal);
        Assert.Contains("configured: helper", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Agents:a:Tools:0", "no_such_tool", "QwenAgents:Agents:a:Tools names 'no_such_tool'")]
    [InlineData("Agents:a:MaxModelCalls", "0", "QwenAgents:Agents:a:MaxModelCalls must be between 1 and 1000")]
    [InlineData("Agents:a:MaxConcurrentToolCalls", "999", "MaxConcurrentToolCalls must be between 1 and 256")]
    [InlineData("Agents:a:Files:0", "x.pdf", "Files is only read by an Assistant")]
    [InlineData("Agents:a:Agents:0", "b", "Agents is only read by a Router")]
    [InlineData("Agents:a:ChatClientKey", "other", "ChatClientKey 'other' names no keyed IChatClient")]
    public async Task StartAsync_InvalidDefinition_FailsAtStartNamingTheField(string key, string value, string expected)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddChatClient(WeatherModel());
        builder.Services.AddQwenTools(options => options.WorkDirectory = Path.GetTempPath());
        builder.Services.AddQwenAgents(Configuration(("Agents:a:Kind", "FnCall"), (key, value)));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_RouterCycleAndMissingTarget_FailsAtStart()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddChatClient(WeatherModel());
        builder.Services.AddQwenAgents(Configuration(
            ("Agents:r1:Kind", "Router"), ("Agents:r1:Agents:0", "r2"),
            ("Agents:r2:Kind", "Router"), ("Agents:r2:Agents:0", "r1"), ("Agents:r2:Agents:1", "ghost")));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("routers must not form a cycle", error.Message, StringComparison.Ordinal);
        Assert.Contains("names 'ghost', which is not configured", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ValidDefinitions_Starts()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddChatClient(WeatherModel());
        builder.Services.AddQwenAgents(Configuration(("Agents:a:Kind", "FnCall"), ("Agents:a:Instructions", "Be brief.")));
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();

        Assert.Equal("Be brief.", Assert.IsType<FnCallAgent>(host.Services.GetRequiredKeyedService<AIAgent>("a")).Instructions);
    }

    [Fact]
    public async Task UseAgentPipeline_MafLoggingAndOpenTelemetry_WrapTheAgentAndRecordTheRun()
    {
        var loggersCollector = new FakeLogCollector();
        using var loggers = new LoggerFactory([new FakeLoggerProvider(loggersCollector)], new LoggerFilterOptions { MinLevel = LogLevel.Trace });
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "qwen-agents-test" or "qwen-chat-test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);

        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(loggers);
        services.AddChatClient(WeatherModel()).UseLogging().UseOpenTelemetry(sourceName: "qwen-chat-test");
        services.AddQwenTool(AIFunctionFactory.Create((string city) => $"sunny in {city}", "get_weather", "Weather of a city."));
        services.AddQwenAgents(options => options.Agents["helper"] = new QwenAgentDefinition { Tools = ["get_weather"] })
            .UseAgentPipeline(agent => agent.UseLogging(loggers).UseOpenTelemetry("qwen-agents-test"));
        await using var provider = services.BuildServiceProvider();

        var agent = provider.GetRequiredKeyedService<AIAgent>("helper");
        var updates = new List<AgentResponseUpdate>();
        await foreach (var update in agent.RunStreamingAsync("Weather in Paris?"))
        {
            updates.Add(update);
        }

        Assert.IsType<LoggingAgent>(agent);
        Assert.NotNull(agent.GetService<OpenTelemetryAgent>());
        Assert.NotNull(agent.GetService<FnCallAgent>());
        Assert.Equal("It is sunny in Paris", updates.ToAgentResponse().Text);
        Assert.Contains(updates, u => u.Contents.OfType<FunctionCallContent>().Any(c => c.CallId == "call_1"));
        Assert.Contains(activities, a => a.Source.Name == "qwen-agents-test");
        Assert.Equal(2, activities.Count(a => a.Source.Name == "qwen-chat-test"));
        Assert.Contains(loggersCollector.GetSnapshot(), e => e.Message.Contains("RunStreamingAsync", StringComparison.Ordinal));
        Assert.Contains(loggersCollector.GetSnapshot(), e => e.Message.Contains("GetStreamingResponseAsync", StringComparison.Ordinal));
        Assert.Contains(loggersCollector.GetSnapshot(), e => e.Message.Contains("get_weather", StringComparison.Ordinal) && e.Message.Contains("call_1", StringComparison.Ordinal));
    }
}
