using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Qwen.Agents.Tests.TestSupport;
using Qwen.Core;

namespace Qwen.Agents.Tests.ChatClients;

public sealed class PromptFunctionCallingChatClientTests
{
    private const string HermesCall = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";

    private static readonly AIFunction Weather = AIFunctionFactory.Create((string city) => $"sunny in {city}", "get_weather", "Weather of a city.");

    [Fact]
    public async Task GetStreamingResponseAsync_HermesCall_HoldsBackPartialMarkupAndReturnsTheCall()
    {
        var inner = new ScriptedChatClient(_ => ScriptedReply.Text("Let me check.\n" + HermesCall));
        using var client = new PromptFunctionCallingChatClient(inner);

        var updates = await Collect(client.GetStreamingResponseAsync([new(ChatRole.User, "Weather in Paris?")], new ChatOptions { Tools = [Weather] }));

        var texts = updates.SelectMany(u => u.Contents).OfType<TextContent>().Select(t => t.Text).ToList();
        Assert.Equal("Let me check.", string.Concat(texts));
        Assert.DoesNotContain(texts, t => t.Contains('<', StringComparison.Ordinal));
        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Paris", call.Arguments!["city"]!.ToString());
        Assert.StartsWith("call_", call.CallId, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.ToolCalls, updates.ToChatResponse().FinishReason);
        Assert.Equal(15, updates.ToChatResponse().Usage?.TotalTokenCount);

        var request = Assert.Single(inner.Requests);
        Assert.Null(request.Options?.Tools);
        Assert.Equal(HermesFormat.RenderToolsSystemText([Weather]), request.SystemText);
    }

    [Fact]
    public async Task FunctionInvokingChatClient_HermesRoundTrip_RendersCallsAndResultsAsText()
    {
        var inner = new ScriptedChatClient(r => r.Index == 0 ? ScriptedReply.Text(HermesCall) : ScriptedReply.Text("It is sunny."));
        using var client = new ChatClientBuilder(inner).UseFunctionInvocation().UsePromptFunctionCalling().Build();

        var response = await client.GetResponseAsync(
            [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Weather in Paris?")], new ChatOptions { Tools = [Weather] });

        Assert.Equal("It is sunny.", response.Text);
        var second = inner.Requests[1];
        Assert.Equal("Be brief.\n\n" + HermesFormat.RenderToolsSystemText([Weather]), second.SystemText);
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User], second.Messages.Select(m => m.Role));
        Assert.Equal(HermesCall, second.Messages[2].Text);
        Assert.Equal("<tool_response>\nsunny in Paris\n</tool_response>", second.Messages[3].Text);
        Assert.All(second.Messages, m => Assert.All(m.Contents, c => Assert.IsType<TextContent>(c)));
        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        Assert.Equal(call.CallId, response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single().CallId);
    }

    [Fact]
    public async Task FunctionInvokingChatClient_QwenFormatChinese_UsesQwenAgentLayoutAndStops()
    {
        var inner = new ScriptedChatClient(r => r.Index == 0
            ? ScriptedReply.Text("好的。\n✿FUNCTION✿: get_weather\n✿ARGS✿: {\"city\": \"北京\"}\n")
            : ScriptedReply.Text("北京晴。"));
        using var client = new ChatClientBuilder(inner).UseFunctionInvocation().UsePromptFunctionCalling(new PromptFunctionCallingOptions { Format = FunctionCallFormat.Qwen }).Build();

        var response = await client.GetResponseAsync([new(ChatRole.User, "北京天气怎么样？")], new ChatOptions { Tools = [Weather] });

        Assert.Equal("北京晴。", response.Messages[^1].Text);
        var first = inner.Requests[0];
        Assert.Equal(QwenFnCallFormat.RenderSystemText([Weather], "zh"), first.SystemText);
        Assert.Equal(["✿RESULT✿", "✿RETURN✿"], first.Options!.StopSequences!);
        var second = inner.Requests[1];
        Assert.Equal(ChatRole.Assistant, second.Messages[^1].Role);
        Assert.Equal("好的。\n✿FUNCTION✿: get_weather\n✿ARGS✿: {\"city\": \"北京\"}\n✿RESULT✿: sunny in 北京\n✿RETURN✿", second.Messages[^1].Text);
    }

    [Fact]
    public async Task GetResponseAsync_QwenParallelHistoryWithReply_MergesTheTurn()
    {
        var inner = new ScriptedChatClient(_ => ScriptedReply.Text("ok"));
        using var client = new PromptFunctionCallingChatClient(inner, new PromptFunctionCallingOptions { Format = FunctionCallFormat.Qwen, Language = "en", ParallelCalls = true });
        var a = new FunctionCallContent("a", "get_weather", new Dictionary<string, object?> { ["city"] = "Rome" });
        var b = new FunctionCallContent("b", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" });

        await client.GetResponseAsync(
        [
            new(ChatRole.User, "Rome and Oslo?"),
            new(ChatRole.Assistant, [a, b]),
            new(ChatRole.Tool, [new FunctionResultContent("b", "snow"), new FunctionResultContent("a", "sun")]),
            new(ChatRole.Assistant, [new TextReasoningContent("hidden"), new TextContent("Sun and snow.")]),
            new(ChatRole.User, "Thanks"),
        ], new ChatOptions { Tools = [Weather] });

        var sent = inner.Requests[0].Messages;
        Assert.Equal(QwenFnCallFormat.RenderSystemText([Weather], "en", parallel: true), sent[0].Text);
        Assert.Equal(
            "✿FUNCTION✿: get_weather\n✿ARGS✿: {\"city\": \"Rome\"}\n✿FUNCTION✿: get_weather\n✿ARGS✿: {\"city\": \"Oslo\"}\n✿RESULT✿: sun\n✿RESULT✿: snow\n✿RETURN✿: Sun and snow.",
            sent[2].Text);
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User], sent.Select(m => m.Role));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_XmlFormat_ParsesTypedCallsAndRendersHistory()
    {
        var add = AIFunctionFactory.Create((int a, int b) => a + b, "add");
        var inner = new ScriptedChatClient(_ => ScriptedReply.Text("<tool_call>\n<function=add>\n<parameter=a>\n2\n</parameter>\n<parameter=b>\n3\n</parameter>\n</function>\n</tool_call>"));
        using var client = new PromptFunctionCallingChatClient(inner, new PromptFunctionCallingOptions { Format = FunctionCallFormat.Xml });
        var earlier = new FunctionCallContent("x", "add", new Dictionary<string, object?> { ["a"] = 1, ["b"] = 1 });

        var updates = await Collect(client.GetStreamingResponseAsync(
            [new(ChatRole.User, "1+1"), new(ChatRole.Assistant, [new TextContent("Adding."), earlier]), new(ChatRole.Tool, [new FunctionResultContent("x", 2)]), new(ChatRole.User, "2+3")],
            new ChatOptions { Tools = [add] }));

        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("{\"a\":2,\"b\":3}", JsonSerializer.Serialize(call.Arguments));
        var sent = inner.Requests[0].Messages;
        Assert.Equal(XmlFunctionCallFormat.RenderToolsSystemText([add]), sent[0].Text);
        Assert.Equal("Adding.\n\n" + XmlFunctionCallFormat.RenderCall(earlier), sent[2].Text);
        Assert.Equal("<tool_response>\n2\n</tool_response>", sent[3].Text);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ThinkBlockAndServerReasoning_BecomeReasoningContent()
    {
        var inner = new ScriptedChatClient(_ => new ScriptedReply().AndReasoning("server-side thought").AndText("<think>\nplan\n</think>\n\nAnswer."));
        using var client = new PromptFunctionCallingChatClient(inner);

        var response = (await Collect(client.GetStreamingResponseAsync([new(ChatRole.User, "Q")], new ChatOptions { Tools = [Weather] }))).ToChatResponse();

        var reasoning = string.Concat(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text));
        Assert.Equal("server-side thoughtplan", reasoning);
        Assert.Equal("Answer.", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task GetResponseAsync_MalformedCall_IsTextWithTheParseErrorAndAWarning()
    {
        var logsCollector = new FakeLogCollector();
        using var logs = new LoggerFactory([new FakeLoggerProvider(logsCollector)], new LoggerFilterOptions { MinLevel = LogLevel.Trace });
        var inner = new ScriptedChatClient(_ => ScriptedReply.Text("Trying.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": [1]}\n</tool_call>"));
        using var client = new PromptFunctionCallingChatClient(inner, loggerFactory: logs);

        var response = await client.GetResponseAsync([new(ChatRole.User, "Q")], new ChatOptions { Tools = [Weather] });

        Assert.Empty(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        var error = response.Messages.SelectMany(m => m.Contents).OfType<TextContent>().Select(t => t.RawRepresentation).OfType<ToolCallParseErrorEvent>().Single();
        Assert.Equal("get_weather", error.Name);
        Assert.Contains("<tool_call>", response.Text, StringComparison.Ordinal);
        Assert.Contains(logsCollector.GetSnapshot(), e => e.Level == LogLevel.Warning && e.Message.Contains("could not be parsed", StringComparison.Ordinal));
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task GetResponseAsync_ManyCalls_HaveUniqueIds()
    {
        var inner = new ScriptedChatClient(_ => ScriptedReply.Text(string.Join("\n", Enumerable.Repeat(HermesCall, 20))));
        using var client = new PromptFunctionCallingChatClient(inner);

        var response = await client.GetResponseAsync([new(ChatRole.User, "Q")], new ChatOptions { Tools = [Weather] });

        var ids = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.CallId).ToList();
        Assert.Equal(20, ids.Count);
        Assert.Equal(20, ids.Distinct().Count());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public async Task GetResponseAsync_AllowMultipleToolCallsFalse_KeepsOnlyTheFirstCall()
    {
        var inner = new ScriptedChatClient(_ => ScriptedReply.Text(HermesCall + "\n" + HermesCall.Replace("Paris", "Rome", StringComparison.Ordinal)));
        using var client = new PromptFunctionCallingChatClient(inner);

        var response = await client.GetResponseAsync([new(ChatRole.User, "Q")], new ChatOptions { Tools = [Weather], AllowMultipleToolCalls = false });

        Assert.Equal("Paris", response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single().Arguments!["city"]!.ToString());
    }

    [Fact]
    public async Task GetResponseAsync_ToolModes_ShapeTheSystemText()
    {
        var inner = new ScriptedChatClient(_ => ScriptedReply.Text("ok"));
        using var client = new PromptFunctionCallingChatClient(inner);

        await client.GetResponseAsync([new(ChatRole.User, "Q")], new ChatOptions { Tools = [Weather], ToolMode = ChatToolMode.None });
        await client.GetResponseAsync([new(ChatRole.User, "Q")], new ChatOptions { Tools = [Weather], ToolMode = ChatToolMode.RequireSpecific("get_weather") });
        await client.GetResponseAsync([new(ChatRole.User, "Q")]);

        Assert.Equal(string.Empty, inner.Requests[0].SystemText);
        Assert.EndsWith("You must call the function get_weather in this reply.", inner.Requests[1].SystemText, StringComparison.Ordinal);
        Assert.Equal([ChatRole.User], inner.Requests[2].Messages.Select(m => m.Role));
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingTheField()
    {
        var inner = new ScriptedChatClient(_ => ScriptedReply.Text("ok"));

        Assert.Contains("Format", Assert.Throws<ArgumentException>(() => new PromptFunctionCallingChatClient(inner, new PromptFunctionCallingOptions { Format = FunctionCallFormat.ReAct })).Message, StringComparison.Ordinal);
        Assert.Contains("Language", Assert.Throws<ArgumentException>(() => new PromptFunctionCallingChatClient(inner, new PromptFunctionCallingOptions { Language = "fr" })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new PromptFunctionCallingChatClient(null!));
    }

    [Fact]
    public async Task GetResponseAsync_NonFunctionTool_ThrowsNotSupported()
    {
        using var client = new PromptFunctionCallingChatClient(new ScriptedChatClient(_ => ScriptedReply.Text("ok")));

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync([new(ChatRole.User, "Q")], new ChatOptions { Tools = [new HostedWebSearchTool()] }));

        Assert.Contains("web_search", error.Message, StringComparison.Ordinal);
    }

    private static async Task<List<ChatResponseUpdate>> Collect(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var list = new List<ChatResponseUpdate>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }

        return list;
    }
}
