using System.ClientModel;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Qwen.Agents.Tests.TestSupport;

namespace Qwen.Agents.Tests.ChatClients;

public sealed class OpenAICompatibleChatClientTests
{
    [Theory]
    [InlineData("reasoning_content")]
    [InlineData("reasoning")]
    public async Task GetStreamingResponseAsync_ServerReasoningField_ArrivesAsReasoningDeltas(string field)
    {
        await using var server = await FakeOpenAIServer.StartAsync(_ => new FakeOpenAIReply().AndReasoning("Think first. Then answer.", field).AndText("The answer is 4."));
        using var client = server.CreateClient();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "2+2?")]))
        {
            updates.Add(update);
        }

        var reasoningUpdates = updates.Where(u => u.Contents.OfType<TextReasoningContent>().Any()).ToList();
        Assert.True(reasoningUpdates.Count > 1, "reasoning streams in several deltas");
        Assert.Equal("Think first. Then answer.", string.Concat(updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Select(r => r.Text)));
        var response = updates.ToChatResponse();
        Assert.Equal("The answer is 4.", response.Text);
        Assert.Equal(19, response.Usage?.TotalTokenCount);
        Assert.True(server.Requests[0].Stream);
        Assert.Equal("fake-model", server.Requests[0].Model);
        Assert.Equal("Bearer test-key", server.Requests[0].Authorization);
    }

    [Theory]
    [InlineData("reasoning_content")]
    [InlineData("reasoning")]
    public async Task GetResponseAsync_ServerReasoningField_ArrivesAsReasoningContent(string field)
    {
        await using var server = await FakeOpenAIServer.StartAsync(_ => new FakeOpenAIReply().AndReasoning("Because.", field).AndText("Yes."));
        using var client = server.CreateClient();

        var response = await client.GetResponseAsync([new(ChatRole.User, "Q")]);

        var contents = response.Messages.Single().Contents;
        Assert.Equal("Because.", Assert.Single(contents.OfType<TextReasoningContent>()).Text);
        Assert.Equal("Yes.", response.Text);
        Assert.False(server.Requests[0].Stream);
    }

    [Fact]
    public async Task GetResponseAsync_BothReasoningFields_ReportsTheReasoningOnce()
    {
        await using var server = await FakeOpenAIServer.StartAsync(_ => new FakeOpenAIReply().AndReasoning("Once.").AndReasoning("Once.", "reasoning").AndText("A"));
        using var client = server.CreateClient();

        var response = await client.GetResponseAsync([new(ChatRole.User, "Q")]);
        var streamed = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "Q")]))
        {
            streamed.Add(update);
        }

        Assert.Equal("Once.", Assert.Single(response.Messages.Single().Contents.OfType<TextReasoningContent>()).Text);
        Assert.Equal("Once.Once.", string.Concat(streamed.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Select(r => r.Text)));
    }

    [Fact]
    public async Task FunctionInvokingChatClient_NativeToolCalls_StreamAndRoundTripWithIds()
    {
        await using var server = await FakeOpenAIServer.StartAsync(r => r.Index == 0
            ? FakeOpenAIReply.Call("get_weather", """{"city": "Paris"}""", "call_abc").AndCall("get_weather", """{"city": "Rome"}""", "call_def")
            : FakeOpenAIReply.Text("Sunny in both."));
        using var client = new ChatClientBuilder(server.CreateClient()).UseFunctionInvocation().Build();
        var tool = AIFunctionFactory.Create((string city) => $"sunny in {city}", "get_weather");

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "Paris and Rome?")], new ChatOptions { Tools = [tool] }))
        {
            updates.Add(update);
        }

        var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(["call_abc", "call_def"], calls.Select(c => c.CallId));
        Assert.Equal("Sunny in both.", updates.ToChatResponse().Messages[^1].Text);
        Assert.Equal(["get_weather"], server.Requests[0].ToolNames);
        var sent = server.Requests[1].Messages;
        var toolMessages = sent.Where(m => m?["role"]?.GetValue<string>() == "tool").ToList();
        Assert.Equal(["call_abc", "call_def"], toolMessages.Select(m => m!["tool_call_id"]!.GetValue<string>()));
        Assert.Contains("sunny in Rome", toolMessages[1]!["content"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_StreamDroppedMidAnswer_ThrowsAfterTheTextThatArrived()
    {
        await using var server = await FakeOpenAIServer.StartAsync(_ => FakeOpenAIReply.DroppedStream("This answer never finishes properly.", events: 3));
        using var client = server.CreateClient();

        var text = new System.Text.StringBuilder();
        var error = await Record.ExceptionAsync(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "Q")]))
            {
                text.Append(update.Text);
            }
        });

        Assert.True(error is not null, "no error");
        Assert.True(text.Length > 0, error.ToString());
        Assert.True(error is IOException or HttpRequestException or ClientResultException, error.GetType().FullName);
        Assert.Equal("This ans", text.ToString()); // the role event, then two 4-character deltas
    }

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(400)]
    public async Task GetResponseAsync_ServerError_ThrowsClientResultExceptionWithTheStatusAndDoesNotRetry(int status)
    {
        await using var server = await FakeOpenAIServer.StartAsync(_ => FakeOpenAIReply.Error(status));
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync([new(ChatRole.User, "Q")]));

        Assert.Equal(status, error.Status);
        Assert.Single(server.Requests);
    }

    [Fact]
    public void Create_BadArguments_ThrowNamingTheArgument()
    {
        Assert.Throws<ArgumentNullException>("baseUrl", () => OpenAICompatibleChatClient.Create(null!, "m"));
        Assert.Throws<ArgumentException>("baseUrl", () => OpenAICompatibleChatClient.Create(new Uri("ftp://host/v1"), "m"));
        Assert.Throws<ArgumentException>("baseUrl", () => OpenAICompatibleChatClient.Create(new Uri("/v1", UriKind.Relative), "m"));
        Assert.Throws<ArgumentException>("model", () => OpenAICompatibleChatClient.Create(new Uri("http://localhost/v1"), " "));
        Assert.Throws<ArgumentOutOfRangeException>("networkTimeout", () => OpenAICompatibleChatClient.Create(new Uri("http://localhost/v1"), "m", networkTimeout: TimeSpan.Zero));
    }

    [Fact]
    public async Task Create_NoApiKey_SendsThePlaceholder()
    {
        await using var server = await FakeOpenAIServer.StartAsync(_ => FakeOpenAIReply.Text("ok"));
        using var client = OpenAICompatibleChatClient.Create(server.BaseUrl, "m");

        await client.GetResponseAsync([new(ChatRole.User, "Q")]);

        Assert.Equal("Bearer " + OpenAICompatibleChatClient.PlaceholderApiKey, server.Requests[0].Authorization);
    }
}
