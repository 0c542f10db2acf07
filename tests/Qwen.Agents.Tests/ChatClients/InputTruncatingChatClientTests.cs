using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Qwen.Agents.Tests.TestSupport;
using Microsoft.ML.Tokenizers;
using Qwen.Core;

namespace Qwen.Agents.Tests.ChatClients;

public sealed class InputTruncatingChatClientTests
{
    private static readonly Tokenizer Counter = ApproximateTokenizer.Instance;

    /// <summary>A tiny Qwen3 checkpoint's tokenizer, loaded once for the class.</summary>
    private static readonly Lazy<QwenTokenizer> Qwen3 = new(() => QwenTokenizer.FromDirectory(Path.Combine(AppContext.BaseDirectory, "Fixtures", "qwen3_tiny")));

    [Fact]
    public async Task GetResponseAsync_InputWithinLimit_IsSentUnchanged()
    {
        var inner = new ScriptedChatClient(_ => ScriptedReply.Text("ok"));
        using var client = new InputTruncatingChatClient(inner, new InputTruncationOptions { MaxInputTokens = 1000 });
        List<ChatMessage> messages = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hello there")];

        await client.GetResponseAsync(messages);

        Assert.Equal(messages.Select(m => (m.Role, m.Text)), inner.Requests[0].Messages.Select(m => (m.Role, m.Text)));
    }

    [Fact]
    public async Task GetResponseAsync_LongHistory_DropsOldestWholeTurnsKeepingSystemAndLastTurn()
    {
        var inner = new ScriptedChatClient(_ => ScriptedReply.Text("ok"));
        var logsCollector = new FakeLogCollector();
        using var logs = new LoggerFactory([new FakeLoggerProvider(logsCollector)], new LoggerFilterOptions { MinLevel = LogLevel.Trace });
        using var client = new InputTruncatingChatClient(inner, new InputTruncationOptions { MaxInputTokens = 400 }, logs);
        var messages = new List<ChatMessage> { new(ChatRole.System, "You are a weather bot.") };
        for (var turn = 0; turn < 6; turn++)
        {
            messages.Add(new(ChatRole.User, $"Question {turn}: " + Words(40)));
            messages.Add(new(ChatRole.Assistant, [new FunctionCallContent($"call_{turn}", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]));
            messages.Add(new(ChatRole.Tool, [new FunctionResultContent($"call_{turn}", Words(30))]));
            messages.Add(new(ChatRole.Assistant, $"Answer {turn}."));
        }

        messages.Add(new(ChatRole.User, "Last question"));

        await client.GetResponseAsync(messages);

        var sent = inner.Requests[0].Messages;
        Assert.Equal("You are a weather bot.", sent[0].Text);
        Assert.Equal("Last question", sent[^1].Text);
        Assert.True(sent.Count < messages.Count);
        Assert.Equal(ChatRole.User, sent[1].Role); // whole turns go: what is left starts with a user message
        var calls = sent.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.CallId).ToList();
        var results = sent.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToList();
        Assert.Equal(calls, results);
        Assert.NotEmpty(calls);
        Assert.Contains("Question 5", sent.Skip(1).Select(m => m.Text).First(t => t.StartsWith("Question", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.True(Tokens(sent) <= 400, $"{Tokens(sent)} tokens");
        Assert.Contains(logsCollector.GetSnapshot(), e => e.Level == LogLevel.Warning && e.Message.Contains("dropped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_HugeToolResultsInLastTurn_AreShortenedHeadAndTail()
    {
        var inner = new ScriptedChatClient(_ => ScriptedReply.Text("ok"));
        using var client = new InputTruncatingChatClient(inner, new InputTruncationOptions { MaxInputTokens = 1500 });
        var big = "HEAD-START " + Words(3000) + " TAIL-END";
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "sys"),
            new(ChatRole.User, "Read both files"),
            new(ChatRole.Assistant, [new FunctionCallContent("a", "read", new Dictionary<string, object?> { ["path"] = "a.txt" }), new FunctionCallContent("b", "read", new Dictionary<string, object?> { ["path"] = "b.txt" })]),
            new(ChatRole.Tool, [new FunctionResultContent("a", big), new FunctionResultContent("b", "short result")]),
        ];

        await foreach (var _ in client.GetStreamingResponseAsync(messages))
        {
        }

        var sent = inner.Requests[0].Messages;
        Assert.Equal(messages.Select(m => m.Role), sent.Select(m => m.Role));
        var results = sent[3].Contents.OfType<FunctionResultContent>().ToList();
        Assert.Equal(["a", "b"], results.Select(r => r.CallId));
        var cut = Assert.IsType<string>(results[0].Result);
        Assert.StartsWith("HEAD-START", cut, StringComparison.Ordinal);
        Assert.EndsWith("TAIL-END", cut, StringComparison.Ordinal);
        Assert.Contains("tokens of this tool result were cut", cut, StringComparison.Ordinal);
        Assert.Equal("short result", results[1].Result);
        Assert.Equal(["a", "b"], sent[2].Contents.OfType<FunctionCallContent>().Select(c => c.CallId));
        Assert.True(Tokens(sent) <= 1500, $"{Tokens(sent)} tokens");
        Assert.IsType<string>(messages[3].Contents.OfType<FunctionResultContent>().First().Result); // the caller's messages are not changed
        Assert.Equal(big, messages[3].Contents.OfType<FunctionResultContent>().First().Result);
    }

    [Fact]
    public async Task GetResponseAsync_QwenTokenizer_CountsWithTheCheckpointsTokenizer()
    {
        var tokenizer = Qwen3.Value;
        var inner = new ScriptedChatClient(_ => ScriptedReply.Text("ok"));
        using var client = new InputTruncatingChatClient(inner, new InputTruncationOptions { MaxInputTokens = 600, Tokenizer = tokenizer });

        await client.GetResponseAsync(
        [
            new(ChatRole.User, "Summarise"),
            new(ChatRole.Assistant, [new FunctionCallContent("x", "fetch")]),
            new(ChatRole.Tool, [new FunctionResultContent("x", "Start. " + string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 120)) + "End.")]),
        ]);

        var result = (string)inner.Requests[0].Messages[2].Contents.OfType<FunctionResultContent>().Single().Result!;
        Assert.InRange(tokenizer.CountTokens(result), 200, 600);
        Assert.StartsWith("Start.", result, StringComparison.Ordinal);
        Assert.EndsWith("End.", result, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NoTokenizerConfigured_UsesTheInnerClientsQwenTokenizerElseTheApproximation()
    {
        var tokenizer = Qwen3.Value;
        var scripted = new ScriptedChatClient(_ => ScriptedReply.Text("ok"));
        using var checkpointClient = new TokenizerOfferingClient(scripted, tokenizer);

        using var withCheckpoint = new InputTruncatingChatClient(checkpointClient);
        using var withoutCheckpoint = new InputTruncatingChatClient(scripted);

        Assert.Same(tokenizer, withCheckpoint.Tokenizer);
        Assert.Same(ApproximateTokenizer.Instance, withoutCheckpoint.Tokenizer);
    }

    [Fact]
    public async Task GetResponseAsync_LastTurnAloneTooLong_SendsItAndWarns()
    {
        var inner = new ScriptedChatClient(_ => ScriptedReply.Text("ok"));
        var logsCollector = new FakeLogCollector();
        using var logs = new LoggerFactory([new FakeLoggerProvider(logsCollector)], new LoggerFilterOptions { MinLevel = LogLevel.Trace });
        using var client = new InputTruncatingChatClient(inner, new InputTruncationOptions { MaxInputTokens = 50 }, logs);

        await client.GetResponseAsync([new(ChatRole.User, "old"), new(ChatRole.Assistant, "old answer"), new(ChatRole.User, Words(200))]);

        Assert.Equal([ChatRole.User], inner.Requests[0].Messages.Select(m => m.Role));
        Assert.Contains(logsCollector.GetSnapshot(), e => e.Message.Contains("after truncation", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, null, null, InputTruncationOptions.DefaultMaxInputTokens)]
    [InlineData(null, 32_768, null, 32_768 - 2048)]
    [InlineData(null, 32_768, 8_000, 32_768 - 8_000)]
    [InlineData(1_000, 32_768, 8_000, 1_000)]
    public void GetMaxInputTokens_Options_PickTheDocumentedLimit(int? maxInput, int? context, int? maxOutput, int expected)
    {
        using var client = new InputTruncatingChatClient(new ScriptedChatClient(_ => ScriptedReply.Text("x")), new InputTruncationOptions { MaxInputTokens = maxInput, ContextLength = context });

        Assert.Equal(expected, client.GetMaxInputTokens(new ChatOptions { MaxOutputTokens = maxOutput }));
    }

    [Fact]
    public void Constructor_OptionsOutOfRange_ThrowNamingTheField()
    {
        var inner = new ScriptedChatClient(_ => ScriptedReply.Text("x"));

        Assert.Contains("MaxInputTokens", Assert.Throws<ArgumentOutOfRangeException>(() => new InputTruncatingChatClient(inner, new InputTruncationOptions { MaxInputTokens = 0 })).Message, StringComparison.Ordinal);
        Assert.Contains("DefaultOutputTokens", Assert.Throws<ArgumentOutOfRangeException>(() => new InputTruncatingChatClient(inner, new InputTruncationOptions { ContextLength = 100, DefaultOutputTokens = 100 })).Message, StringComparison.Ordinal);
        Assert.Contains("MinToolResultTokens", Assert.Throws<ArgumentOutOfRangeException>(() => new InputTruncatingChatClient(inner, new InputTruncationOptions { MinToolResultTokens = 1 })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseInputTruncation_UnderFunctionInvocation_KeepsEveryModelCallWithinTheLimit()
    {
        var inner = new ScriptedChatClient(r => r.Index < 3 ? ScriptedReply.Call("dump") : ScriptedReply.Text("done"));
        var dump = AIFunctionFactory.Create(() => Words(2000), "dump");
        using var client = new ChatClientBuilder(inner).UseFunctionInvocation().UseInputTruncation(new InputTruncationOptions { MaxInputTokens = 2000 }).Build();

        var response = await client.GetResponseAsync([new(ChatRole.User, "dump three times")], new ChatOptions { Tools = [dump] });

        Assert.Equal("done", response.Messages[^1].Text);
        Assert.All(inner.Requests, r => Assert.True(Tokens(r.Messages) <= 2000, $"request {r.Index}: {Tokens(r.Messages)} tokens"));
    }

    private static string Words(int count) => string.Join(' ', Enumerable.Range(0, count).Select(i => $"word{i % 97}"));

    /// <summary>Counts as the middleware does, roughly (text of every content), for asserting the limit holds.</summary>
    private static int Tokens(IEnumerable<ChatMessage> messages) => messages.Sum(m => m.Contents.Sum(c => c switch
    {
        TextContent t => Counter.CountTokens(t.Text),
        FunctionResultContent r => Counter.CountTokens(r.Result?.ToString() ?? string.Empty),
        _ => 0,
    }));

    /// <summary>Stands in for a checkpoint's client, which offers its tokenizer as a service.</summary>
    private sealed class TokenizerOfferingClient(IChatClient inner, QwenTokenizer tokenizer) : DelegatingChatClient(inner)
    {
        public override object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceKey is null && serviceType == typeof(QwenTokenizer) ? tokenizer : base.GetService(serviceType, serviceKey);
    }
}
