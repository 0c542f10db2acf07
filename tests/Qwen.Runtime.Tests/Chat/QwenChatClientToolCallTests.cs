using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Qwen.Runtime.Tests;

/// <summary>Tool calls, reasoning and prompt shaping, with the model's tokens scripted (a random tiny model never writes a tool call).</summary>
public sealed class QwenChatClientToolCallTests
{
    private const string WeatherCall = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";

    [Fact]
    public async Task FunctionInvokingChatClient_ModelCallsTool_RoundTripsThroughTheTemplate()
    {
        var (client, generator) = ScriptedGenerator.Create(WeatherCall, "It is sunny in Paris.");
        var calls = new List<string>();
        var tool = AIFunctionFactory.Create((string city) => { calls.Add(city); return "sunny"; }, "get_weather", "Weather of a city.");
        using var invoking = new FunctionInvokingChatClient(client);

        var response = await invoking.GetResponseAsync([new(ChatRole.User, "Weather in Paris?")], new ChatOptions { Tools = [tool] });

        Assert.Equal(["Paris"], calls);
        Assert.Equal("It is sunny in Paris.", response.Text);
        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        var result = response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single();
        Assert.Equal(call.CallId, result.CallId);
        Assert.StartsWith("call_", call.CallId);
        Assert.Contains("\"name\": \"get_weather\"", generator.Prompts[0]);
        Assert.Contains("<tools>", generator.Prompts[0]);
        Assert.Contains(WeatherCall + "<|im_end|>\n<|im_start|>user\n<tool_response>\nsunny\n</tool_response><|im_end|>\n<|im_start|>assistant\n", generator.Prompts[1]);
        Assert.DoesNotContain(response.Messages.SelectMany(m => m.Contents).OfType<TextContent>(), t => t.Text.Contains("tool_call", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ToolCall_FinishesWithToolCallsAndNoText()
    {
        var (client, _) = ScriptedGenerator.Create(WeatherCall);
        var tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather");

        var response = await client.GetResponseAsync([new(ChatRole.User, "Weather?")], new ChatOptions { Tools = [tool] });

        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.Equal(string.Empty, response.Text);
        var call = Assert.IsType<FunctionCallContent>(Assert.Single(response.Messages.SelectMany(m => m.Contents), c => c is not UsageContent));
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Paris", call.Arguments?["city"]?.ToString());
    }

    [Fact]
    public async Task GetStreamingResponseAsync_TwoCalls_UniqueIds()
    {
        var (client, _) = ScriptedGenerator.Create(WeatherCall + "\n" + WeatherCall.Replace("Paris", "Rome", StringComparison.Ordinal));
        var tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather");

        var response = await client.GetResponseAsync([new(ChatRole.User, "Weather?")], new ChatOptions { Tools = [tool] });

        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(["Paris", "Rome"], calls.Select(c => c.Arguments?["city"]?.ToString()));
        Assert.NotEqual(calls[0].CallId, calls[1].CallId);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_AllowMultipleToolCallsFalse_StopsAfterTheFirstCall()
    {
        var reply = WeatherCall + "\n" + WeatherCall.Replace("Paris", "Rome", StringComparison.Ordinal);
        var (client, generator) = ScriptedGenerator.Create(reply);
        var tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather");

        var response = await client.GetResponseAsync([new(ChatRole.User, "Weather?")], new ChatOptions { Tools = [tool], AllowMultipleToolCalls = false });

        Assert.Equal("Paris", response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single().Arguments?["city"]?.ToString());
        Assert.True(generator.TokensPulled[0] < ScriptedGenerator.Tokenizer.EncodeToIds(reply).Count);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_RequireNamedFunction_PrefillsTheCall()
    {
        var (client, generator) = ScriptedGenerator.Create("{\"city\": \"Rome\"}}\n</tool_call>");
        var tools = new AITool[] { AIFunctionFactory.Create((string city) => "sunny", "get_weather"), AIFunctionFactory.Create(() => "12:00", "get_time") };

        var response = await client.GetResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { Tools = tools, ToolMode = ChatToolMode.RequireSpecific("get_weather") });

        Assert.EndsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": ", generator.Prompts[0]);
        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Rome", call.Arguments?["city"]?.ToString());
    }

    [Fact]
    public async Task GetStreamingResponseAsync_RequireAny_PrefillsToolCallTag()
    {
        var (client, generator) = ScriptedGenerator.Create("{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>");
        var tool = AIFunctionFactory.Create(() => "12:00", "get_time");

        var response = await client.GetResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.RequireAny });

        Assert.EndsWith("</think>\n\n<tool_call>\n", generator.Prompts[0]);
        Assert.Equal("get_time", response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single().Name);
    }

    [Fact]
    public void GetStreamingResponseAsync_RequiredFunctionNotDeclared_Throws()
    {
        var (client, _) = ScriptedGenerator.Create("unused");
        var tool = AIFunctionFactory.Create(() => "12:00", "get_time");

        var e = Assert.Throws<ArgumentException>(() => client.GetStreamingResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.RequireSpecific("launch") }));

        Assert.Contains("'launch'", e.Message);
        Assert.Contains("get_time", e.Message);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ToolModeNone_NoToolsInPromptAndMarkupIsText()
    {
        var (client, generator) = ScriptedGenerator.Create(WeatherCall);
        var tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather");

        var response = await client.GetResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.None });

        Assert.DoesNotContain("<tools>", generator.Prompts[0]);
        Assert.Empty(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Contains("get_weather", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_MalformedCall_ComesBackAsTextWithAWarning()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = new LoggerFactory([new FakeLoggerProvider(logs)]);
        var (client, _) = ScriptedGenerator.Create(null, loggerFactory, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {{{\n</tool_call>");
        var tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather");

        var response = await client.GetResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { Tools = [tool] });

        Assert.Contains("{{{", response.Text);
        Assert.Empty(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Contains(logs.GetSnapshot(), e => e.Level == LogLevel.Warning && e.Id.Id == 2201 && e.Category == typeof(QwenChatClient).FullName && e.Message.Contains("get_weather", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ThinkBlock_StreamsAsReasoning()
    {
        var (client, _) = ScriptedGenerator.Create("<think>\nThe user greets me.\n</think>\n\nHello!");
        var updates = new List<ChatResponseUpdate>();

        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "Hi")]))
        {
            updates.Add(update);
        }

        var contents = updates.SelectMany(u => u.Contents).ToList();
        Assert.Equal("The user greets me.", string.Concat(contents.OfType<TextReasoningContent>().Select(r => r.Text)));
        Assert.Equal("Hello!", string.Concat(contents.OfType<TextContent>().Select(r => r.Text)));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ReasoningOutputNone_DropsReasoning()
    {
        var (client, _) = ScriptedGenerator.Create("<think>\nsecret\n</think>\n\nHello!");

        var response = await client.GetResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { Reasoning = new ReasoningOptions { Output = ReasoningOutput.None } });

        Assert.Empty(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>());
        Assert.Equal("Hello!", response.Text);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData("false", true)]
    [InlineData(true, false)]
    public async Task GetStreamingResponseAsync_EnableThinkingKey_SetsTheTemplateFlag(object value, bool emptyThinkBlock)
    {
        var (client, generator) = ScriptedGenerator.Create("Hi.");

        await client.GetResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { AdditionalProperties = new() { [QwenChatClient.EnableThinkingKey] = value } });

        Assert.Equal(emptyThinkBlock, generator.Prompts[0].EndsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n", StringComparison.Ordinal));
    }

    [Fact]
    public void GetStreamingResponseAsync_EnableThinkingNotABool_Throws()
    {
        var (client, _) = ScriptedGenerator.Create("Hi.");

        var e = Assert.Throws<ArgumentException>(() => client.GetStreamingResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { AdditionalProperties = new() { [QwenChatClient.EnableThinkingKey] = "maybe" } }));

        Assert.Contains(QwenChatClient.EnableThinkingKey, e.Message);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Instructions_JoinTheSystemMessage()
    {
        var (client, generator) = ScriptedGenerator.Create("Hi.", "Hi.");

        await client.GetResponseAsync([new(ChatRole.System, "Be kind."), new(ChatRole.User, "Hi")], new ChatOptions { Instructions = "Be brief." });
        await client.GetResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { Instructions = "Be brief." });

        Assert.StartsWith("<|im_start|>system\nBe brief.\n\nBe kind.<|im_end|>\n<|im_start|>user\nHi<|im_end|>", generator.Prompts[0]);
        Assert.StartsWith("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>", generator.Prompts[1]);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_SamplingOptions_ReachGeneration()
    {
        var (client, generator) = ScriptedGenerator.Create("Hi.");

        await client.GetResponseAsync(
            [new(ChatRole.User, "Hi")],
            new ChatOptions { Temperature = 0.7f, TopP = 0.9f, TopK = 20, Seed = 42, PresencePenalty = 0.5f, FrequencyPenalty = 0.25f, MaxOutputTokens = 33, StopSequences = ["END"] });

        var options = Assert.Single(generator.Options);
        Assert.Equal(33, options.MaxNewTokens);
        Assert.Equal(["END"], options.StopStrings);
        Assert.Contains(ScriptedGenerator.Tokenizer.TokenToId("<|im_end|>")!.Value, options.StopTokenIds);
        var sampling = options.Sampling!;
        Assert.Equal(0.7, sampling.Temperature, 5);
        Assert.Equal(0.9, sampling.TopP, 5);
        Assert.Equal(20, sampling.TopK);
        Assert.Equal(42, sampling.Seed);
        Assert.Equal(0.5, sampling.PresencePenalty, 5);
        Assert.Equal(0.25, sampling.FrequencyPenalty, 5);
    }

    [Fact]
    public void GetStreamingResponseAsync_UnsupportedSchemaKeyword_ThrowsBeforeGenerating()
    {
        var (client, generator) = ScriptedGenerator.Create("{}");
        using var schema = JsonDocument.Parse("""{"type":"object","not":{"required":["a"]}}""");

        var e = Assert.Throws<Core.JsonGrammarException>(() => client.GetStreamingResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema.RootElement) }));

        Assert.Equal("not", e.Keyword);
        Assert.Empty(generator.Prompts);
    }

    [Fact]
    public async Task GetResponseAsync_SchemaWithUnenforcedKeyword_LogsAWarningNamingIt()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = new LoggerFactory([new FakeLoggerProvider(logs)]);
        var (client, generator) = ScriptedGenerator.Create(null, loggerFactory, "{\"n\": 3}");
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"n":{"type":"integer","maximum":10}},"required":["n"]}""");

        await client.GetResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema.RootElement) });

        Assert.Contains(logs.GetSnapshot(), e => e.Level == LogLevel.Warning && e.Id.Id == 2202 && e.Message.Contains("'maximum'", StringComparison.Ordinal));
        Assert.NotNull(generator.Options[0].Constraint);
    }

    [Fact]
    public async Task GetResponseAsync_ToolsWithAutoMode_ConstrainsCallsLazily()
    {
        var (client, generator) = ScriptedGenerator.Create("Hello", "Hello");
        var tool = AIFunctionFactory.Create((string city) => "sunny", "get_weather");

        await client.GetResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { Tools = [tool] });
        await client.GetResponseAsync([new(ChatRole.User, "Hi")], new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.None });

        Assert.NotNull(generator.Options[0].Constraint);
        Assert.Null(generator.Options[1].Constraint);
    }
}
