using System.Diagnostics;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Qwen.Agents.Tests.TestSupport;

namespace Qwen.Agents.Tests.Agents;

public sealed class FnCallAgentTests
{
    private static readonly AIFunction Weather = AIFunctionFactory.Create((string city) => $"Sunny, 21 C in {city}", "get_weather", "Current weather of a city.");

    /// <summary>A model that calls get_weather for the city in the question, then answers from the tool result.</summary>
    private static ScriptedChatClient WeatherModel() => new(request =>
        request.ToolResults.Count == 0
            ? ScriptedReply.Text("Checking.").AndCall("get_weather", new { city = "Paris" }, "call_w1")
            : ScriptedReply.Text("It is " + request.ToolResults[^1].Result + "."));

    [Fact]
    public async Task RunStreamingAsync_ToolCall_StreamsCallThenResultThenAnswerInOrder()
    {
        var agent = new FnCallAgent(WeatherModel(), new FnCallAgentOptions { Tools = [Weather], Name = "weather-bot" });

        var updates = await Collect(agent.RunStreamingAsync("What's the weather in Paris?"));

        var kinds = updates.SelectMany(u => u.Contents.Select(c => (u, c))).ToList();
        var callAt = kinds.FindIndex(x => x.c is FunctionCallContent);
        var resultAt = kinds.FindIndex(x => x.c is FunctionResultContent);
        var answerAt = kinds.FindLastIndex(x => x.c is TextContent);
        Assert.True(callAt >= 0 && callAt < resultAt && resultAt < answerAt, string.Join(",", kinds.Select(k => k.c.GetType().Name)));
        var call = (FunctionCallContent)kinds[callAt].c;
        var result = (FunctionResultContent)kinds[resultAt].c;
        Assert.Equal(("call_w1", "call_w1"), (call.CallId, result.CallId));
        Assert.Equal(ChatRole.Tool, kinds[resultAt].u.Role);
        Assert.Contains(updates, u => u.Contents.OfType<UsageContent>().Any(c => c.Details.TotalTokenCount == 30));
        Assert.All(updates, u => Assert.Equal(agent.Id, u.AgentId));
        Assert.True(updates.Count(u => u.Contents.OfType<TextContent>().Any()) > 3, "text arrives as deltas");

        var response = updates.ToAgentResponse();
        Assert.Equal(["assistant", "tool", "assistant"], response.Messages.Select(m => m.Role.Value));
        Assert.EndsWith("It is Sunny, 21 C in Paris.", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NoSession_UsesOnlyGivenMessages()
    {
        var model = WeatherModel();
        var agent = new FnCallAgent(model, new FnCallAgentOptions { Tools = [Weather] });

        var response = await agent.RunAsync([new ChatMessage(ChatRole.User, "Weather?")]);

        Assert.Equal("Checking.\nIt is Sunny, 21 C in Paris.", response.Text);
        Assert.Equal(2, model.Requests.Count);
        Assert.Equal(["user", "assistant", "tool"], model.Requests[1].Messages.Select(m => m.Role.Value));
        Assert.Equal(30, response.Usage?.TotalTokenCount);
    }

    [Fact]
    public async Task RunAsync_SystemInInputAndInstructions_AgentsFirstThenBlankLineThenInputs()
    {
        var model = new ScriptedChatClient(_ => ScriptedReply.Text("ok"));
        var agent = new FnCallAgent(model, new FnCallAgentOptions { Instructions = "You are Qwen." });

        await agent.RunAsync([new ChatMessage(ChatRole.System, "Answer briefly."), new ChatMessage(ChatRole.User, "hi")]);
        await agent.RunAsync("hello");

        Assert.Equal("You are Qwen.\n\nAnswer briefly.", model.Requests[0].SystemText);
        Assert.Single(model.Requests[0].Messages, m => m.Role == ChatRole.System);
        Assert.Equal("You are Qwen.", model.Requests[1].SystemText);
    }

    [Fact]
    public async Task RunAsync_ParallelCalls_RunConcurrentlyAndResultsKeepCallOrder()
    {
        var bothStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        async Task<string> Slow(string name, int delayMs)
        {
            if (Interlocked.Increment(ref started) == 2)
            {
                bothStarted.SetResult();
            }

            await bothStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
            await Task.Delay(delayMs);
            return "done " + name;
        }

        var model = new ScriptedChatClient(request => request.ToolResults.Count == 0
            ? ScriptedReply.Call("work", new { name = "first", delayMs = 200 }, "c1").AndCall("work", new { name = "second", delayMs = 0 }, "c2")
            : ScriptedReply.Text(string.Join(" | ", request.ToolResults.Select(r => r.Result))));
        var agent = new FnCallAgent(model, new FnCallAgentOptions { Tools = [AIFunctionFactory.Create(Slow, "work")] });

        var updates = await Collect(agent.RunStreamingAsync("go"));

        var streamed = updates.SelectMany(u => u.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToList();
        Assert.Equal(["c2", "c1"], streamed); // each result as soon as its tool ends
        Assert.Equal(["c1", "c2"], model.Requests[1].ToolResults.Select(r => r.CallId)); // appended in call order
        Assert.Equal("done first | done second", updates.ToAgentResponse().Messages[^1].Text);
    }

    [Fact]
    public async Task RunAsync_MaxConcurrentToolCallsOne_RunsOneAtATime()
    {
        var running = 0;
        var peak = 0;
        async Task<int> Step(int n)
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(30);
            Interlocked.Decrement(ref running);
            return n;
        }

        var model = new ScriptedChatClient(request => request.ToolResults.Count == 0
            ? ScriptedReply.Call("step", new { n = 1 }).AndCall("step", new { n = 2 }).AndCall("step", new { n = 3 })
            : ScriptedReply.Text("done"));
        var agent = new FnCallAgent(model, new FnCallAgentOptions { Tools = [AIFunctionFactory.Create(Step, "step")], MaxConcurrentToolCalls = 1 });

        await agent.RunAsync("go");

        Assert.Equal(1, peak);
        Assert.Equal(3, model.Requests[1].ToolResults.Count);
    }

    [Fact]
    public async Task RunStreamingAsync_ModelNeverStops_EndsAtLimitWithExplicitUpdateAndNoDanglingCalls()
    {
        var calls = 0;
        var counter = AIFunctionFactory.Create(() => ++calls, "count");
        var model = new ScriptedChatClient(request => ScriptedReply.Call("count", new { step = request.Index }));
        var agent = new FnCallAgent(model, new FnCallAgentOptions { Tools = [counter], MaxModelCalls = 3 });
        var session = await agent.CreateSessionAsync();

        var updates = await Collect(agent.RunStreamingAsync("count forever", session));

        Assert.Equal(3, model.Requests.Count);
        Assert.Equal(2, calls); // the calls of the last response are answered as not run
        var final = Assert.Single(updates, u => u.FinishReason == AgentFinishReasons.ModelCallLimit);
        Assert.Contains("3 model calls", final.Text, StringComparison.Ordinal);
        var history = ((QwenAgentSession)session).Messages;
        Assert.Contains("was not run", history[^2].Contents.OfType<FunctionResultContent>().Single().Result?.ToString(), StringComparison.Ordinal);
        Assert.Equal(ChatRole.Assistant, history[^1].Role);
        AssertEveryCallAnswered(history);
    }

    [Fact]
    public async Task RunAsync_ChineseConversation_LimitMessageInChinese()
    {
        var model = new ScriptedChatClient(request => ScriptedReply.Call("count", new { step = request.Index }));
        var agent = new FnCallAgent(model, new FnCallAgentOptions { Tools = [AIFunctionFactory.Create(() => 1, "count")], MaxModelCalls = 1 });

        var response = await agent.RunAsync("一直数下去");

        Assert.Contains("模型调用上限", response.Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_SameCallThreeTimesInARow_ThirdIsNotRunAndModelIsTold()
    {
        var runs = 0;
        var search = AIFunctionFactory.Create((string query) => { runs++; return "nothing found"; }, "search");
        var model = new ScriptedChatClient(request =>
            request.ToolResults.Any(r => r.Result?.ToString()?.Contains("repeating yourself", StringComparison.Ordinal) == true)
                ? ScriptedReply.Text("I could not find it.")
                : ScriptedReply.Call("search", new { query = "needle" }));
        var agent = new FnCallAgent(model, new FnCallAgentOptions { Tools = [search] });

        var response = await agent.RunAsync("find the needle");

        Assert.Equal(2, runs);
        Assert.Equal(4, model.Requests.Count);
        Assert.Equal("I could not find it.", response.Messages[^1].Text);
    }

    [Fact]
    public async Task RunAsync_ToolFailures_GoBackToModelAsErrorsNamingTheTool()
    {
        var failing = AIFunctionFactory.Create(string () => throw new InvalidOperationException("disk on fire"), "explode");
        var malformed = new FunctionCallContent("c3", "get_weather") { Exception = new System.Text.Json.JsonException("'}' is invalid") };
        var model = new ScriptedChatClient(request => request.ToolResults.Count == 0
            ? ScriptedReply.Call("no_such_tool", null, "c1").AndCall("explode", null, "c2").And(malformed).AndCall("get_weather", new { town = "Paris" }, "c4")
            : ScriptedReply.Text("summary"));
        var agent = new FnCallAgent(model, new FnCallAgentOptions { Tools = [Weather, failing] });

        var response = await agent.RunAsync("do things");

        var results = model.Requests[1].ToolResults.ToDictionary(r => r.CallId, r => r.Result?.ToString() ?? "");
        Assert.Contains("no tool named 'no_such_tool'", results["c1"], StringComparison.Ordinal);
        Assert.Contains("get_weather", results["c1"], StringComparison.Ordinal); // lists what exists
        Assert.Contains("'explode' failed: disk on fire", results["c2"], StringComparison.Ordinal);
        Assert.Contains("arguments for tool 'get_weather' could not be read", results["c3"], StringComparison.Ordinal);
        Assert.Contains("get_weather", results["c4"], StringComparison.Ordinal);
        Assert.Contains("city", results["c4"], StringComparison.Ordinal);
        Assert.All(results.Values, r => Assert.StartsWith("Error:", r, StringComparison.Ordinal));
        Assert.Equal("summary", response.Messages[^1].Text);
    }

    [Fact]
    public async Task RunAsync_ToolHangs_TimesOutWithErrorAndRunGoesOn()
    {
        var hang = AIFunctionFactory.Create(async () => { await Task.Delay(Timeout.Infinite, CancellationToken.None); return "never"; }, "hang");
        var model = new ScriptedChatClient(request => request.ToolResults.Count == 0 ? ScriptedReply.Call("hang", null, "h1") : ScriptedReply.Text("gave up"));
        var agent = new FnCallAgent(model, new FnCallAgentOptions { Tools = [hang], ToolTimeout = TimeSpan.FromMilliseconds(200) });

        var response = await agent.RunAsync("wait");

        Assert.Contains("tool 'hang' did not finish within 0.2 s", model.Requests[1].ToolResults[0].Result?.ToString(), StringComparison.Ordinal);
        Assert.Equal("gave up", response.Messages[^1].Text);
    }

    [Fact]
    public async Task RunStreamingAsync_CancelledWhileToolIgnoresToken_StopsWithinASecondAndSessionHasNoDanglingCall()
    {
        var toolStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stubborn = AIFunctionFactory.Create(async () => { toolStarted.SetResult(); await Task.Delay(30_000, CancellationToken.None); return "late"; }, "stubborn");
        var model = new ScriptedChatClient(request => request.ToolResults.Count == 0 ? ScriptedReply.Text("On it.").AndCall("stubborn", null, "s1") : ScriptedReply.Text("done"));
        var agent = new FnCallAgent(model, new FnCallAgentOptions { Tools = [stubborn] });
        var session = await agent.CreateSessionAsync();
        using var cts = new CancellationTokenSource();

        var run = Collect(agent.RunStreamingAsync("start", session, cancellationToken: cts.Token));
        await toolStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var watch = Stopwatch.StartNew();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        var history = ((QwenAgentSession)session).Messages;
        Assert.Equal("start", history[0].Text);
        AssertEveryCallAnswered(history);
        Assert.DoesNotContain(history.SelectMany(m => m.Contents), c => c is FunctionCallContent);
    }

    [Fact]
    public async Task RunAsync_ModelStreamDropsMidAnswer_ThrowsAndSessionKeepsInput()
    {
        var model = new ScriptedChatClient(_ => ScriptedReply.TextThenThrow("The answer is", new HttpRequestException("The response ended prematurely.")));
        var agent = new FnCallAgent(model);
        var session = await agent.CreateSessionAsync();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => agent.RunAsync("question", session));

        Assert.Contains("prematurely", error.Message, StringComparison.Ordinal);
        Assert.Equal(["question"], ((QwenAgentSession)session).Messages.Select(m => m.Text));
    }

    [Fact]
    public async Task Session_SerializedAndResumed_ContinuesTheConversation()
    {
        var model = new ScriptedChatClient(request => request.ToolResults.Count == 0 && request.LastUserText.Contains("Paris", StringComparison.Ordinal)
            ? ScriptedReply.Call("get_weather", new { city = "Paris" }, "call_p")
            : ScriptedReply.Text($"turn {request.Messages.Count(m => m.Role == ChatRole.User)}"));
        var agent = new FnCallAgent(model, new FnCallAgentOptions { Tools = [Weather] });
        var session = await agent.CreateSessionAsync();
        await agent.RunAsync("Weather in Paris?", session);

        var saved = await agent.SerializeSessionAsync(session);
        var resumed = await agent.DeserializeSessionAsync(System.Text.Json.JsonDocument.Parse(saved.GetRawText()).RootElement);
        var response = await agent.RunAsync("And tomorrow?", resumed);

        Assert.Equal("turn 2", response.Text);
        var sent = model.Requests[^1].Messages;
        Assert.Equal(["user", "assistant", "tool", "assistant", "user"], sent.Select(m => m.Role.Value));
        var call = sent[1].Contents.OfType<FunctionCallContent>().Single();
        Assert.Equal(("call_p", "get_weather", "Paris"), (call.CallId, call.Name, call.Arguments!["city"]!.ToString()));
        Assert.Equal("call_p", sent[2].Contents.OfType<FunctionResultContent>().Single().CallId);
    }

    [Fact]
    public async Task DeserializeSessionAsync_NotAnObject_Throws()
    {
        var agent = new FnCallAgent(new ScriptedChatClient(_ => ScriptedReply.Text("x")));
        await Assert.ThrowsAsync<ArgumentException>(async () => await agent.DeserializeSessionAsync(System.Text.Json.JsonDocument.Parse("[1]").RootElement));
    }

    [Fact]
    public async Task RunAsync_ForeignSession_Throws()
    {
        var agent = new FnCallAgent(new ScriptedChatClient(_ => ScriptedReply.Text("x")));
        var foreign = await new ChatClientAgent(new ScriptedChatClient(_ => ScriptedReply.Text("y"))).CreateSessionAsync();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => agent.RunAsync("hi", foreign));
        Assert.Contains("QwenAgentSession", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_BadOptions_ThrowsNamingTheOption()
    {
        var model = new ScriptedChatClient(_ => ScriptedReply.Text("x"));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new FnCallAgent(model, new FnCallAgentOptions { MaxModelCalls = 0 }));
        Assert.Contains("MaxModelCalls", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new FnCallAgent(model, new FnCallAgentOptions { Tools = [Weather, Weather] }));
    }

    [Fact]
    public async Task RunAsync_RequiredToolMode_OnlyFirstCallIsForced()
    {
        var model = WeatherModel();
        var agent = new FnCallAgent(model, new FnCallAgentOptions { Tools = [Weather], ChatOptions = new ChatOptions { ToolMode = ChatToolMode.RequireAny, Temperature = 0.1f } });

        await agent.RunAsync("weather", options: new ChatClientAgentRunOptions(new ChatOptions { Temperature = 0.7f }));

        Assert.IsType<RequiredChatToolMode>(model.Requests[0].Options!.ToolMode);
        Assert.Equal(ChatToolMode.Auto, model.Requests[1].Options!.ToolMode);
        Assert.Equal(0.7f, model.Requests[0].Options!.Temperature);
        Assert.Equal(["get_weather"], model.Requests[0].ToolNames);
    }

    [Fact]
    public async Task RunAsync_AnotherAgentAsTool_RunsItAndUsesItsAnswer()
    {
        var researcher = new FnCallAgent(new ScriptedChatClient(r => ScriptedReply.Text($"Research on '{r.LastUserText}': 42.")),
            new FnCallAgentOptions { Name = "researcher", Description = "Looks things up." });
        var model = new ScriptedChatClient(request => request.ToolResults.Count == 0
            ? ScriptedReply.Call("researcher", new { query = "meaning of life" }, "r1")
            : ScriptedReply.Text("The researcher says: " + request.ToolResults[0].Result));
        var boss = new FnCallAgent(model, new FnCallAgentOptions { Tools = [researcher.AsAIFunction()] });

        var response = await boss.RunAsync("What is the meaning of life?");

        Assert.Equal("The researcher says: Research on 'meaning of life': 42.", response.Text);
        Assert.Contains("Looks things up.", model.Requests[0].Options!.Tools!.Single().Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Logger_LogsModelAndToolCalls()
    {
        using var provider = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider));
        var agent = new FnCallAgent(WeatherModel(), new FnCallAgentOptions { Tools = [Weather], Name = "w" }, factory);

        await agent.RunAsync("weather");

        var records = provider.Collector.GetSnapshot();
        Assert.Equal(2, records.Count(r => r.Id.Id == 1001));
        var tool = Assert.Single(records, r => r.Id.Id == 1002);
        Assert.Contains("get_weather", tool.Message, StringComparison.Ordinal);
        Assert.Contains("succeeded", tool.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToCumulativeMessagesAsync_Stream_YieldsGrowingSnapshots()
    {
        var agent = new FnCallAgent(WeatherModel(), new FnCallAgentOptions { Tools = [Weather] });

        var snapshots = new List<IReadOnlyList<ChatMessage>>();
        await foreach (var messages in agent.RunStreamingAsync("weather?").ToCumulativeMessagesAsync())
        {
            snapshots.Add(messages);
        }

        Assert.Equal("Che", snapshots[0].Single().Text);
        Assert.Equal("Checking.", snapshots[2].Single().Text);
        var last = snapshots[^1];
        Assert.Equal(["assistant", "tool", "assistant"], last.Select(m => m.Role.Value));
        Assert.Equal("It is Sunny, 21 C in Paris.", last[2].Text);
        Assert.Single(last[0].Contents.OfType<FunctionCallContent>());
    }

    private static async Task<List<AgentResponseUpdate>> Collect(IAsyncEnumerable<AgentResponseUpdate> updates)
    {
        var list = new List<AgentResponseUpdate>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }

        return list;
    }

    private static void AssertEveryCallAnswered(IReadOnlyList<ChatMessage> history)
    {
        var results = history.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToHashSet();
        Assert.All(history.SelectMany(m => m.Contents).OfType<FunctionCallContent>(), c => Assert.Contains(c.CallId, results));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
