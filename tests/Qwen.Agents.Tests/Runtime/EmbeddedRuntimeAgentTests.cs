using Microsoft.Agents.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.AI;
using Qwen.Runtime;
using Qwen.Runtime.Diagnostics;

namespace Qwen.Agents.Tests.Runtime;

/// <summary>A FnCallAgent on the embedded runtime: a tiny random-weight Qwen3 whose forced, schema-constrained call really runs a tool.</summary>
public sealed class EmbeddedRuntimeAgentTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("qwen-agents-runtime-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task FnCallAgent_TinyQwen3WithForcedCall_RunsTheToolAndFeedsBackItsResult()
    {
        TinyModelWriter.Write(_directory.FullName, new TinyModelOptions
        {
            Architecture = "qwen3",
            HeadDim = 32,
            TokenizerDirectory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "qwen3_tiny"),
            Seed = 11,
        });
        using var model = QwenModel.Load(_directory.FullName, new QwenModelOptions { Device = "cpu" });
        using var client = new QwenChatClient(model);
        var cities = new List<string>();
        var weather = AIFunctionFactory.Create((string city) => { lock (cities) { cities.Add(city); } return $"Sunny in {city}"; }, "get_weather", "Current weather of a city.");
        var agent = new FnCallAgent(client, new FnCallAgentOptions
        {
            Tools = [weather],
            MaxModelCalls = 3,
            ChatOptions = new ChatOptions
            {
                ToolMode = ChatToolMode.RequireSpecific("get_weather"),
                MaxOutputTokens = 32,
                Temperature = 0,
                AdditionalProperties = new() { [QwenChatClient.EnableThinkingKey] = false },
            },
        });
        var session = await agent.CreateSessionAsync();

        var response = await agent.RunAsync("What's the weather in Paris?", session);

        Assert.NotEmpty(cities); // the forced call parsed, matched the schema and ran
        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().First();
        Assert.Equal("get_weather", call.Name);
        var result = response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().First();
        Assert.Equal(call.CallId, result.CallId);
        Assert.Equal($"Sunny in {cities[0]}", result.Result?.ToString());
        Assert.True(response.Usage?.InputTokenCount > 0);
        var history = ((QwenAgentSession)session).Messages;
        var answered = history.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToHashSet();
        Assert.All(history.SelectMany(m => m.Contents).OfType<FunctionCallContent>(), c => Assert.Contains(c.CallId, answered));
    }

    [Fact]
    public async Task AddQwenAgents_OverAddQwenChatClientWithMiddleware_AgentCallsGoThroughThePipeline()
    {
        TinyModelWriter.Write(_directory.FullName, new TinyModelOptions
        {
            Architecture = "qwen3",
            HeadDim = 32,
            TokenizerDirectory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "qwen3_tiny"),
            Seed = 11,
        });
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Qwen:ModelPath"] = _directory.FullName,
            ["Qwen:Model:Device"] = "cpu",
            ["Qwen:Chat:DefaultMaxOutputTokens"] = "3",
            ["Qwen:Chat:EnableThinking"] = "false",
            ["QwenAgents:Agents:helper:Kind"] = "FnCall",
            ["QwenAgents:Agents:helper:MaxModelCalls"] = "2",
        });
        var modelCalls = 0;
        builder.Services.AddQwenChatClient(builder.Configuration.GetSection("Qwen"))
            .Use(async (messages, options, next, cancellationToken) =>
            {
                Interlocked.Increment(ref modelCalls);
                await next(messages, options, cancellationToken);
            });
        builder.Services.AddQwenTools(options => options.WorkDirectory = Path.Combine(_directory.FullName, "work"));
        builder.Services.AddQwenAgents(builder.Configuration.GetSection("QwenAgents"));
        using var host = builder.Build();

        await host.StartAsync();
        var response = await host.Services.GetRequiredKeyedService<AIAgent>("helper").RunAsync("Hi");
        await host.StopAsync();

        Assert.Equal(1, modelCalls);
        Assert.InRange(response.Usage!.OutputTokenCount!.Value, 1, 3);
    }
}
