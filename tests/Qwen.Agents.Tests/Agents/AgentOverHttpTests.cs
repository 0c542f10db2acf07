using System.ClientModel;
using System.Text.Json.Nodes;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Qwen.Agents.Tests.TestSupport;

namespace Qwen.Agents.Tests.Agents;

/// <summary>FnCallAgent end to end over HTTP: the OpenAI-compatible client against a loopback server that speaks chat completions.</summary>
public sealed class AgentOverHttpTests
{
    private static readonly AIFunction Weather = AIFunctionFactory.Create((string city) => $"Sunny, 21 C in {city}", "get_weather", "Current weather of a city.");

    /// <summary>A 429 first, then a call with reasoning, then the answer from the tool's result.</summary>
    private static FakeOpenAIReply Script(FakeOpenAIRequest request) =>
        request.Index == 0 ? FakeOpenAIReply.Error(429, retryAfter: "0")
        : !request.Messages.Any(m => m?["role"]?.GetValue<string>() == "tool")
            ? new FakeOpenAIReply().AndReasoning("The user wants the weather; I will call the tool.").AndCall("get_weather", """{"city": "Paris"}""", "call_http_1")
            : FakeOpenAIReply.Text("It is " + ToolText(request) + ".");

    private static string ToolText(FakeOpenAIRequest request) =>
        request.Messages.Last(m => m?["role"]?.GetValue<string>() == "tool")!["content"] is JsonValue value ? value.GetValue<string>() : "?";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FnCallAgent_OverOpenAICompatibleServer_RetriesA429AndRunsTheCallWithReasoning(bool streaming)
    {
        await using var server = await FakeOpenAIServer.StartAsync(Script);
        var client = server.CreateClient().AsBuilder().UseRetries(new RetryingChatClientOptions { MaxRetries = 2, TimeProvider = new InstantTimeProvider() }).Build();
        var agent = new FnCallAgent(client, new FnCallAgentOptions { Tools = [Weather] });

        AgentResponse response;
        if (streaming)
        {
            var updates = new List<AgentResponseUpdate>();
            await foreach (var update in agent.RunStreamingAsync("What's the weather in Paris?"))
            {
                updates.Add(update);
            }

            Assert.Contains(updates, u => u.Contents.OfType<TextReasoningContent>().Any());
            response = updates.ToAgentResponse();
        }
        else
        {
            response = await agent.RunAsync("What's the weather in Paris?");
        }

        Assert.Equal(3, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.True(r.Stream)); // RunAsync wraps the streaming run (streaming first)
        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        Assert.Contains("weather", string.Concat(contents.OfType<TextReasoningContent>().Select(r => r.Text)), StringComparison.Ordinal);
        var call = Assert.Single(contents.OfType<FunctionCallContent>());
        Assert.Equal(("call_http_1", "get_weather", "Paris"), (call.CallId, call.Name, call.Arguments!["city"]!.ToString()));
        Assert.Equal("call_http_1", Assert.Single(contents.OfType<FunctionResultContent>()).CallId);
        Assert.Equal("It is Sunny, 21 C in Paris.", response.Messages[^1].Text);
        var toolMessage = server.Requests[^1].Messages.Single(m => m?["role"]?.GetValue<string>() == "tool")!;
        Assert.Equal("call_http_1", toolMessage["tool_call_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task FnCallAgent_ServerRejectsAnOverlongPrompt_FailsWithoutRetryAndKeepsTheInput()
    {
        await using var server = await FakeOpenAIServer.StartAsync(_ => FakeOpenAIReply.Error(400));
        var client = server.CreateClient().AsBuilder().UseRetries(new RetryingChatClientOptions { MaxRetries = 3, TimeProvider = new InstantTimeProvider() }).Build();
        var agent = new FnCallAgent(client);
        var session = await agent.CreateSessionAsync();

        var error = await Assert.ThrowsAsync<ClientResultException>(() => agent.RunAsync(new string('x', 1000), session));

        Assert.Equal(400, error.Status);
        Assert.Single(server.Requests);
        Assert.Equal(new string('x', 1000), Assert.Single(((QwenAgentSession)session).Messages).Text);
    }

    [Fact]
    public async Task FnCallAgent_StreamDroppedMidAnswer_FailsClearlyAndKeepsTheInput()
    {
        await using var server = await FakeOpenAIServer.StartAsync(_ => FakeOpenAIReply.DroppedStream("The answer is forty", events: 3));
        var agent = new FnCallAgent(server.CreateClient());
        var session = await agent.CreateSessionAsync();

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var update in agent.RunStreamingAsync("question", session))
            {
            }
        });

        Assert.Equal(["question"], ((QwenAgentSession)session).Messages.Select(m => m.Text));
    }
}
