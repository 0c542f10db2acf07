using Microsoft.Extensions.AI;
using Qwen.Agents.Tests.TestSupport;
using Qwen.Core;

namespace Qwen.Agents.Tests.ChatClients;

public sealed class PromptFunctionCallingOverHttpTests
{
    [Fact]
    public async Task FunctionInvokingChatClient_ServerWithoutNativeTools_StreamsXmlCallsOverHttp()
    {
        await using var server = await FakeOpenAIServer.StartAsync(r => r.Index == 0
            ? new FakeOpenAIReply().AndReasoning("Need the weather.").AndText("<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n</function>\n</tool_call>")
            : FakeOpenAIReply.Text("Sunny."));
        using var client = new ChatClientBuilder(server.CreateClient())
            .UseFunctionInvocation()
            .UsePromptFunctionCalling(new PromptFunctionCallingOptions { Format = FunctionCallFormat.Xml })
            .Build();
        var tool = AIFunctionFactory.Create((string city) => $"sunny in {city}", "get_weather", "Weather of a city.");

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "Weather in Paris?")], new ChatOptions { Tools = [tool] }))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        Assert.Equal("Sunny.", response.Messages[^1].Text);
        Assert.Equal("Need the weather.", string.Concat(updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Select(r => r.Text)));
        var call = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().Single();
        Assert.Equal(call.CallId, updates.SelectMany(u => u.Contents).OfType<FunctionResultContent>().Single().CallId);
        Assert.All(server.Requests, r => Assert.Empty(r.ToolNames));
        var second = server.Requests[1].Messages;
        Assert.Contains("<name>get_weather</name>", second[0]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("user", second[^1]!["role"]!.GetValue<string>());
        Assert.Equal("<tool_response>\nsunny in Paris\n</tool_response>", second[^1]!["content"]!.GetValue<string>());
    }
}
