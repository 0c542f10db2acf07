using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Qwen.Server.Tests;

/// <summary>The OpenAI-compatible API's request mapping, tool calls, reasoning and errors, over a scripted chat client.</summary>
public sealed class ChatCompletionsProtocolTests
{
    private const string Hello = """{"model": "m", "messages": [{"role": "user", "content": "hi"}]""";

    private static readonly string WeatherTool = """{"type": "function", "function": {"name": "get_weather", "description": "Weather of a city.", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}""";

    [Fact]
    public async Task ChatCompletions_SamplingFields_ReachTheChatClientAsChatOptions()
    {
        var client = new TestChatClient();
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", client));
        var body = """
            {"model": "m", "temperature": 0.5, "top_p": 0.9, "top_k": 20, "max_completion_tokens": 33, "stop": ["END", "STOP"], "seed": 42,
             "frequency_penalty": 0.25, "presence_penalty": -0.5, "parallel_tool_calls": false, "chat_template_kwargs": {"enable_thinking": false},
             "messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]}
            """;

        using var response = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", body));

        response.EnsureSuccessStatusCode();
        var (messages, options) = Assert.Single(client.Requests);
        Assert.Equal(0.5f, options!.Temperature);
        Assert.Equal(0.9f, options.TopP);
        Assert.Equal(20, options.TopK);
        Assert.Equal(33, options.MaxOutputTokens);
        Assert.Equal(["END", "STOP"], options.StopSequences);
        Assert.Equal(42, options.Seed);
        Assert.Equal(0.25f, options.FrequencyPenalty);
        Assert.Equal(-0.5f, options.PresencePenalty);
        Assert.False(options.AllowMultipleToolCalls);
        Assert.Equal(false, options.AdditionalProperties!["enable_thinking"]);
        Assert.Equal(ChatRole.System, messages[0].Role);
        Assert.Equal("ab", messages[1].Text);
    }

    [Fact]
    public async Task ChatCompletions_MaxTokens_UsedWhenMaxCompletionTokensIsAbsent()
    {
        var client = new TestChatClient();
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", client));

        using var response = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Hello + """, "max_tokens": 7, "stop": "X"}"""));

        response.EnsureSuccessStatusCode();
        Assert.Equal(7, client.Requests[0].Options!.MaxOutputTokens);
        Assert.Equal(["X"], client.Requests[0].Options!.StopSequences);
    }

    [Theory]
    [InlineData("\"auto\"", "auto")]
    [InlineData("\"none\"", "none")]
    [InlineData("\"required\"", "required")]
    [InlineData("{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"}}", "get_weather")]
    public async Task ChatCompletions_ToolChoice_MapsToToolMode(string choice, string expected)
    {
        var client = new TestChatClient();
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", client));

        using var response = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Hello + $", \"tools\": [{WeatherTool}], \"tool_choice\": {choice}}}"));

        response.EnsureSuccessStatusCode();
        var options = client.Requests[0].Options!;
        var tool = Assert.IsAssignableFrom<AIFunctionDeclaration>(Assert.Single(options.Tools!));
        Assert.Equal("get_weather", tool.Name);
        Assert.Equal("Weather of a city.", tool.Description);
        Assert.Equal("string", tool.JsonSchema.GetProperty("properties").GetProperty("city").GetProperty("type").GetString());
        var mode = options.ToolMode switch
        {
            AutoChatToolMode => "auto",
            NoneChatToolMode => "none",
            RequiredChatToolMode { RequiredFunctionName: null } => "required",
            RequiredChatToolMode r => r.RequiredFunctionName,
            _ => "?",
        };
        Assert.Equal(expected, mode);
    }

    [Fact]
    public async Task ChatCompletions_ToolCallAnswer_ReturnsToolCallsNotStreamingAndStreaming()
    {
        var client = new TestChatClient
        {
            Stream = (_, _, _) => TestChatClient.Updates(new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }), new FunctionCallContent("call_2", "get_weather", new Dictionary<string, object?> { ["city"] = "Rome" })),
        };
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", client));
        var body = Hello + $", \"tools\": [{WeatherTool}]";

        using var whole = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", body + "}"));
        using var streamed = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", body + ", \"stream\": true}"));

        var json = JsonNode.Parse(await whole.Content.ReadAsStringAsync())!["choices"]![0]!;
        Assert.Equal("tool_calls", json["finish_reason"]!.GetValue<string>());
        Assert.Null(json["message"]!["content"]);
        var calls = json["message"]!["tool_calls"]!.AsArray();
        Assert.Equal(2, calls.Count);
        Assert.Equal("call_1", calls[0]!["id"]!.GetValue<string>());
        Assert.Equal("function", calls[0]!["type"]!.GetValue<string>());
        Assert.Equal("get_weather", calls[0]!["function"]!["name"]!.GetValue<string>());
        Assert.Equal("Paris", JsonNode.Parse(calls[0]!["function"]!["arguments"]!.GetValue<string>())!["city"]!.GetValue<string>());

        var chunks = await SseClient.ReadChunksAsync(streamed);
        var deltas = chunks.SelectMany(c => c["choices"]![0]!["delta"]!["tool_calls"]?.AsArray() ?? []).ToList();
        Assert.Equal([0, 1], deltas.Select(d => d!["index"]!.GetValue<int>()));
        Assert.Equal(["call_1", "call_2"], deltas.Select(d => d!["id"]!.GetValue<string>()));
        Assert.Equal("tool_calls", chunks[^1]["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenAIClient_ToolCallsAndResults_RoundTripThroughTheServer()
    {
        var client = new TestChatClient
        {
            Stream = (messages, _, _) => messages[^1].Role == ChatRole.Tool
                ? TestChatClient.Updates(new TextContent("It is sunny in Paris."))
                : TestChatClient.Updates(new FunctionCallContent("call_9", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })),
        };
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", client));
        var weather = AIFunctionFactory.Create((string city) => $"Sunny in {city}", "get_weather", "Weather of a city.");
        using var remote = new FunctionInvokingChatClient(ChatCompletionsTinyModelTests.OpenAIChatClient(host, "m"));

        var response = await remote.GetResponseAsync("Weather in Paris?", new ChatOptions { Tools = [weather] });

        Assert.Equal("It is sunny in Paris.", response.Text);
        var second = client.Requests[1].Messages;
        var call = Assert.IsType<FunctionCallContent>(Assert.Single(second[^2].Contents));
        Assert.Equal("call_9", call.CallId);
        Assert.Equal("Paris", call.Arguments!["city"]!.ToString());
        var result = Assert.IsType<FunctionResultContent>(Assert.Single(second[^1].Contents));
        Assert.Equal("call_9", result.CallId);
        Assert.Contains("Sunny in Paris", result.Result!.ToString());
        Assert.Equal("get_weather", Assert.Single(client.Requests[0].Options!.Tools!).Name);
    }

    [Fact]
    public async Task OpenAIClient_DrivingAnFnCallAgent_ToolLoopRunsThroughTheServer()
    {
        var client = new TestChatClient
        {
            Stream = (messages, _, _) => messages[^1].Role == ChatRole.Tool
                ? TestChatClient.Updates(new TextContent("Oslo is cold."))
                : TestChatClient.Updates(new FunctionCallContent("call_o", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" })),
        };
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", client));
        var weather = AIFunctionFactory.Create((string city) => $"Cold in {city}", "get_weather", "Weather of a city.");
        var agent = new Qwen.Agents.FnCallAgent(ChatCompletionsTinyModelTests.OpenAIChatClient(host, "m"), new Qwen.Agents.FnCallAgentOptions { Tools = [weather] });

        var response = await agent.RunAsync("Weather in Oslo?");

        Assert.Equal("Oslo is cold.", response.Text);
        Assert.Equal(2, client.Requests.Count);
        var result = Assert.IsType<FunctionResultContent>(Assert.Single(client.Requests[1].Messages[^1].Contents));
        Assert.Equal("call_o", result.CallId);
        Assert.Contains("Cold in Oslo", result.Result!.ToString());
    }

    [Fact]
    public async Task ChatCompletions_Reasoning_ComesBackAsReasoningContent()
    {
        var client = new TestChatClient { Stream = (_, _, _) => TestChatClient.Updates(new TextReasoningContent("Let me think."), new TextContent("Four.")) };
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", client));

        using var whole = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Hello + "}"));
        using var streamed = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Hello + ", \"stream\": true}"));

        var message = JsonNode.Parse(await whole.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!;
        Assert.Equal("Let me think.", message["reasoning_content"]!.GetValue<string>());
        Assert.Equal("Four.", message["content"]!.GetValue<string>());
        var chunks = await SseClient.ReadChunksAsync(streamed);
        Assert.Equal("Let me think.", SseClient.Content(chunks, "reasoning_content"));
        Assert.Equal("Four.", SseClient.Content(chunks));
    }

    [Fact]
    public async Task ChatCompletions_AssistantHistory_ToolCallsReasoningAndToolResultsAreRead()
    {
        var client = new TestChatClient();
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", client));
        var body = """
            {"model": "m", "messages": [
              {"role": "user", "content": "weather?"},
              {"role": "assistant", "content": null, "reasoning_content": "need a tool", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}}]},
              {"role": "tool", "tool_call_id": "c1", "content": "cold"}]}
            """;

        using var response = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", body));

        response.EnsureSuccessStatusCode();
        var messages = client.Requests[0].Messages;
        Assert.Equal("need a tool", Assert.IsType<TextReasoningContent>(messages[1].Contents[0]).Text);
        var call = Assert.IsType<FunctionCallContent>(messages[1].Contents[1]);
        Assert.Equal("Oslo", ((JsonElement)call.Arguments!["city"]!).GetString());
        var result = Assert.IsType<FunctionResultContent>(Assert.Single(messages[2].Contents));
        Assert.Equal(("c1", "cold"), (result.CallId, result.Result));
    }

    [Theory]
    [InlineData("{not json", null, "not valid JSON")]
    [InlineData("[]", null, "must be a JSON object")]
    [InlineData("""{"messages": []}""", "model", "'model' is required")]
    [InlineData("""{"model": "m"}""", "messages", "'messages' is required")]
    [InlineData("""{"model": "m", "messages": []}""", "messages", "at least one message")]
    [InlineData("""{"model": "m", "messages": [{"role": "wizard", "content": "x"}]}""", "messages[0].role", "'wizard'")]
    [InlineData("""{"model": "m", "messages": [{"role": "user"}]}""", "messages[0].content", "is required")]
    [InlineData("""{"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}""", "messages[0].content[0].type", "only 'text'")]
    [InlineData("""{"model": "m", "messages": [{"role": "tool", "content": "x"}]}""", "messages[0].tool_call_id", "is required")]
    [InlineData("""{"model": "m", "messages": [{"role": "assistant", "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": "{oops"}}]}]}""", "messages[0].tool_calls[0].function.arguments", "not a JSON object")]
    [InlineData("""{"model": "m", "temperature": 5, "messages": [{"role": "user", "content": "x"}]}""", "temperature", "[0, 2]")]
    [InlineData("""{"model": "m", "temperature": "hot", "messages": [{"role": "user", "content": "x"}]}""", "temperature", "must be a number")]
    [InlineData("""{"model": "m", "top_p": 0, "messages": [{"role": "user", "content": "x"}]}""", "top_p", "(0, 1]")]
    [InlineData("""{"model": "m", "max_tokens": 0, "messages": [{"role": "user", "content": "x"}]}""", "max_tokens", "at least 1")]
    [InlineData("""{"model": "m", "max_tokens": 1.5, "messages": [{"role": "user", "content": "x"}]}""", "max_tokens", "must be an integer")]
    [InlineData("""{"model": "m", "n": 2, "messages": [{"role": "user", "content": "x"}]}""", "n", "must be 1")]
    [InlineData("""{"model": "m", "stop": 3, "messages": [{"role": "user", "content": "x"}]}""", "stop", "string or an array")]
    [InlineData("""{"model": "m", "stream": "yes", "messages": [{"role": "user", "content": "x"}]}""", "stream", "true or false")]
    [InlineData("""{"model": "m", "tools": [{"type": "code"}], "messages": [{"role": "user", "content": "x"}]}""", "tools[0]", "\"type\": \"function\"")]
    [InlineData("""{"model": "m", "tool_choice": "required", "messages": [{"role": "user", "content": "x"}]}""", "tool_choice", "no 'tools'")]
    [InlineData("""{"model": "m", "tool_choice": "sometimes", "messages": [{"role": "user", "content": "x"}]}""", "tool_choice", "'sometimes'")]
    [InlineData("""{"model": "m", "tool_choice": {"type": "function", "function": {"name": "nope"}}, "messages": [{"role": "user", "content": "x"}]}""", "tool_choice", "'nope'")]
    [InlineData("""{"model": "m", "chat_template_kwargs": {"enable_thinking": "no"}, "messages": [{"role": "user", "content": "x"}]}""", "chat_template_kwargs.enable_thinking", "true or false")]
    public async Task ChatCompletions_BadRequest_400NamingTheField(string body, string? param, string message)
    {
        var client = new TestChatClient();
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", client));

        using var response = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorAsync(response);
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Equal(param, error["param"]?.GetValue<string>());
        Assert.Contains(message, error["message"]!.GetValue<string>());
        Assert.Empty(client.Requests);

        // The server keeps serving.
        using var next = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Hello + "}"));
        next.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task ChatCompletions_UnknownModel_404ModelNotFound()
    {
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", new TestChatClient()));

        using var response = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", """{"model": "gpt-9", "messages": [{"role": "user", "content": "x"}]}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = await ErrorAsync(response);
        Assert.Equal("model_not_found", error["code"]!.GetValue<string>());
        Assert.Equal("model", error["param"]!.GetValue<string>());
        Assert.Contains("'gpt-9'", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ChatCompletions_ClientThrowsArgumentException_400BeforeTheStreamStarts()
    {
        var client = new TestChatClient { Stream = (_, _, _) => throw new ArgumentException("ChatOptions.TopK must be >= 0.", "options") };
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", client));

        using var response = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Hello + ", \"stream\": true}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("TopK", (await ErrorAsync(response))["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ChatCompletions_ErrorMapper_TurnsAClientExceptionIntoItsError()
    {
        var client = new TestChatClient { Stream = (_, _, _) => throw new InvalidOperationException("The prompt is 9000 tokens, but the model's context length is 4096 tokens.") };
        await using var host = await ServerHost.StartAsync(
            s => s.AddQwenServedModel("m", client),
            o => o.ErrorMapper = e => e is InvalidOperationException ? new ApiError(400, e.Message, Param: "messages", Code: "context_length_exceeded") : null);

        using var response = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Hello + ", \"stream\": true}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorAsync(response);
        Assert.Equal("context_length_exceeded", error["code"]!.GetValue<string>());
        Assert.Contains("9000", error["message"]!.GetValue<string>());
        Assert.Contains("4096", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ChatCompletions_ClientFailsMidStream_ErrorEventThenDone()
    {
        static async IAsyncEnumerable<ChatResponseUpdate> Failing()
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, "partial");
            await Task.Yield();
            throw new InvalidOperationException("the device fell over");
        }

        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", new TestChatClient { Stream = (_, _, _) => Failing() }));

        using var response = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Hello + ", \"stream\": true}"));

        var events = await SseClient.ReadEventsAsync(response);
        Assert.Equal("[DONE]", events[^1]);
        var error = JsonNode.Parse(events[^2])!["error"]!;
        Assert.Equal("server_error", error["type"]!.GetValue<string>());
        Assert.Contains("the device fell over", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ChatCompletions_BodyOverTheLimit_413()
    {
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", new TestChatClient()), o => o.MaxRequestBodyBytes = 2048);
        var big = Hello.Replace("hi", new string('x', 5000), StringComparison.Ordinal) + "}";

        using var response = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", big));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("2048", (await ErrorAsync(response))["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ChatCompletions_QueueFull_503WithRetryAfter()
    {
        var release = new TaskCompletionSource();
        async IAsyncEnumerable<ChatResponseUpdate> Blocked()
        {
            await release.Task;
            yield return new ChatResponseUpdate(ChatRole.Assistant, "done");
        }

        var client = new TestChatClient { Stream = (_, _, _) => Blocked() };
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", client), o =>
        {
            o.MaxConcurrentRequests = 1;
            o.MaxQueuedRequests = 1;
        });

        var running = host.Http.SendAsync(SseClient.Post("v1/chat/completions", Hello + "}"));
        await WaitUntilAsync(() => client.Requests.Count == 1);
        var queued = host.Http.SendAsync(SseClient.Post("v1/chat/completions", Hello + "}"));
        await WaitUntilAsync(() => host.Services.GetRequiredService<ServerContext>().Gate.Waiting == 1);
        using var refused = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Hello + "}"));
        release.SetResult();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal("queue_full", (await ErrorAsync(refused))["code"]!.GetValue<string>());
        using var first = await running;
        using var second = await queued;
        first.EnsureSuccessStatusCode();
        second.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task ChatCompletions_RequestOutlivesTheTimeout_504AndGenerationCancelled()
    {
        var cancelled = new TaskCompletionSource();
        var client = new TestChatClient
        {
            Stream = (_, _, ct) =>
            {
                ct.Register(() => cancelled.TrySetResult());
                return TestChatClient.Endless(TimeSpan.FromMilliseconds(20), ct);
            },
        };
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", client), o => o.RequestTimeout = TimeSpan.FromMilliseconds(300));

        using var response = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Hello + "}"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("timeout", (await ErrorAsync(response))["code"]!.GetValue<string>());
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ApiKey_Set_RequestsWithoutItAre401AndWithItPass()
    {
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", new TestChatClient()), o => o.ApiKey = "s3cret");

        using var none = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Hello + "}"));
        using var wrong = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Hello + "}", apiKey: "guess"));
        using var models = await host.Http.GetAsync("v1/models");
        using var right = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Hello + "}", apiKey: "s3cret"));
        var viaOpenAI = await ChatCompletionsTinyModelTests.OpenAIChatClient(host, "m", "s3cret").GetResponseAsync("hi");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
        Assert.Equal("authentication_error", (await ErrorAsync(wrong))["type"]!.GetValue<string>());
        Assert.DoesNotContain("s3cret", await none.Content.ReadAsStringAsync());
        right.EnsureSuccessStatusCode();
        Assert.Equal("ok", viaOpenAI.Text);
    }

    [Fact]
    public async Task UnknownRoute_UnderTheApi_Json404()
    {
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("m", new TestChatClient()));

        using var response = await host.Http.GetAsync("v1/embeddings");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("/v1/embeddings", (await ErrorAsync(response))["message"]!.GetValue<string>());
    }

    [Fact]
    public void Options_OutOfRange_ValidateNamesTheField()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new QwenServerOptions { MaxConcurrentRequests = 0 }.Validate());

        Assert.Contains("MaxConcurrentRequests", e.Message);
    }

    private static async Task<JsonNode> ErrorAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(10);
        }
    }
}
