using Microsoft.Extensions.AI;

namespace Qwen.Agents.Tests.TestSupport;

public sealed class ScriptedChatClientTests
{
    [Fact]
    public async Task GetStreamingResponseAsync_TextAndCall_StreamsPiecesThenUsage()
    {
        var client = new ScriptedChatClient(request => request.LastUserText.Contains("weather", StringComparison.Ordinal)
            ? ScriptedReply.Text("Let me look.").AndCall("get_weather", new { city = "Paris" }, "call_1")
            : ScriptedReply.Text("no"));

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "weather in Paris?")]))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        Assert.Equal("Let me look.", response.Text);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("call_1", "get_weather", "Paris"), (call.CallId, call.Name, call.Arguments!["city"]!.ToString()));
        Assert.True(updates.Count > 3);
        Assert.Equal(15, response.Usage?.TotalTokenCount);
        Assert.Single(client.Requests);
    }

    [Fact]
    public async Task GetResponseAsync_Failure_Throws()
    {
        var client = new ScriptedChatClient(_ => ScriptedReply.Throw(new TimeoutException("slow")));
        await Assert.ThrowsAsync<TimeoutException>(() => client.GetResponseAsync("hi"));
    }
}
