using System.ClientModel;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace Qwen.Server.Tests;

/// <summary>The OpenAI-compatible API over a real (tiny) checkpoint.</summary>
[Collection(TinyModelCollection.Name)]
public sealed class ChatCompletionsTinyModelTests(TinyModel model)
{
    private const string Greedy = """{"model": "qwen2-tiny", "temperature": 0, "max_tokens": 12, "chat_template_kwargs": {"enable_thinking": false}, "messages": [{"role": "user", "content": "MESSAGE"}]""";

    [Fact]
    public async Task ListModels_OneServedModel_ListsItsId()
    {
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("qwen2-tiny", model.Client));

        var json = JsonNode.Parse(await host.Http.GetStringAsync("v1/models"))!;

        Assert.Equal("list", json["object"]!.GetValue<string>());
        var entry = Assert.Single(json["data"]!.AsArray());
        Assert.Equal("qwen2-tiny", entry!["id"]!.GetValue<string>());
        Assert.Equal("model", entry["object"]!.GetValue<string>());
    }

    [Fact]
    public async Task ChatCompletions_NotStreaming_ReturnsACompletionWithUsage()
    {
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("qwen2-tiny", model.Client));

        using var response = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Body("Hello") + "}"));

        response.EnsureSuccessStatusCode();
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("chat.completion", json["object"]!.GetValue<string>());
        Assert.StartsWith("chatcmpl-", json["id"]!.GetValue<string>());
        Assert.Equal("qwen2-tiny", json["model"]!.GetValue<string>());
        var choice = json["choices"]![0]!;
        Assert.Equal("assistant", choice["message"]!["role"]!.GetValue<string>());
        Assert.NotEmpty(choice["message"]!["content"]!.GetValue<string>());
        Assert.Contains(choice["finish_reason"]!.GetValue<string>(), new[] { "stop", "length" });
        Assert.True(json["usage"]!["prompt_tokens"]!.GetValue<int>() > 5);
        var completion = json["usage"]!["completion_tokens"]!.GetValue<int>();
        Assert.InRange(completion, 1, 12);
        Assert.Equal(json["usage"]!["prompt_tokens"]!.GetValue<int>() + completion, json["usage"]!["total_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task ChatCompletions_Streaming_SseChunksEndWithUsageAndDone()
    {
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("qwen2-tiny", model.Client));

        using var streamed = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Body("Hello") + """, "stream": true, "stream_options": {"include_usage": true}}"""), HttpCompletionOption.ResponseHeadersRead);
        using var whole = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Body("Hello") + "}"));

        streamed.EnsureSuccessStatusCode();
        var chunks = await SseClient.ReadChunksAsync(streamed);
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c["object"]!.GetValue<string>()));
        Assert.Single(chunks.Select(c => c["id"]!.GetValue<string>()).Distinct());
        Assert.Equal("assistant", chunks[0]["choices"]![0]!["delta"]!["role"]!.GetValue<string>());
        var finish = chunks[^2]["choices"]![0]!;
        Assert.Contains(finish["finish_reason"]!.GetValue<string>(), new[] { "stop", "length" });
        Assert.Empty(chunks[^1]["choices"]!.AsArray());
        Assert.True(chunks[^1]["usage"]!["completion_tokens"]!.GetValue<int>() >= 1);
        Assert.All(chunks.Take(chunks.Count - 2), c => Assert.Null(c["choices"]![0]!["finish_reason"]?.GetValue<string>()));

        // Greedy: the stream spells the same answer as the whole response.
        var wholeText = JsonNode.Parse(await whole.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        Assert.Equal(wholeText, SseClient.Content(chunks));
    }

    [Fact]
    public async Task ChatCompletions_StreamingWithoutIncludeUsage_HasNoUsageChunk()
    {
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("qwen2-tiny", model.Client));

        using var streamed = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Body("Hi") + """, "stream": true}"""));

        var chunks = await SseClient.ReadChunksAsync(streamed);
        Assert.All(chunks, c => Assert.Single(c["choices"]!.AsArray()));
        Assert.All(chunks, c => Assert.Null(c["usage"]));
    }

    [Fact]
    public async Task OpenAIClient_PlainChatClient_StreamsAndAnswersLikeTheModelInProcess()
    {
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("qwen2-tiny", model.Client));
        using var remote = OpenAIChatClient(host, "qwen2-tiny");
        var options = new ChatOptions
        {
            Temperature = 0,
            MaxOutputTokens = 10,
            AdditionalProperties = new() { ["enable_thinking"] = false },
        };
        ChatMessage[] messages = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "What is 2 + 2?")];

        var local = await model.Client.GetResponseAsync(messages, options);
        var viaHttp = await remote.GetResponseAsync(messages, new ChatOptions
        {
            Temperature = 0,
            MaxOutputTokens = 10,
            RawRepresentationFactory = _ => ThinkingOff(),
        });
        var streamed = new List<ChatResponseUpdate>();
        await foreach (var update in remote.GetStreamingResponseAsync(messages, new ChatOptions { Temperature = 0, MaxOutputTokens = 10, RawRepresentationFactory = _ => ThinkingOff() }))
        {
            streamed.Add(update);
        }

        Assert.NotEmpty(local.Text);
        Assert.Equal(local.Text, viaHttp.Text);
        Assert.Equal(local.Text, string.Concat(streamed.Select(u => u.Text)));
        Assert.Equal(local.Usage!.InputTokenCount, viaHttp.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task ChatCompletions_SixteenConcurrentStreams_SameGreedyAnswersAsSerial()
    {
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("qwen2-tiny", model.Client));
        var prompts = Enumerable.Range(0, 16).Select(i => $"Question number {i}: tell me about {i * 7}.").ToList();

        var serial = new List<string>();
        foreach (var prompt in prompts)
        {
            serial.Add(await StreamTextAsync(host, prompt));
        }

        var concurrent = await Task.WhenAll(prompts.Select(p => StreamTextAsync(host, p)));

        Assert.Equal(serial, concurrent);
        Assert.True(serial.Distinct().Count() > 1, "different prompts should give different greedy answers: " + string.Join(" | ", serial));
    }

    [Fact]
    public async Task ChatCompletions_ClientDisconnectsMidStream_GenerationStopsAndSlotIsFreed()
    {
        var counting = new CountingChatClient(model.Client); // not disposed: that would dispose the shared model
        await using var host = await ServerHost.StartAsync(s => s.AddQwenServedModel("qwen2-tiny", counting), o => o.MaxConcurrentRequests = 1);
        var body = """{"model": "qwen2-tiny", "temperature": 1.0, "seed": 3, "max_tokens": 3000, "stream": true, "messages": [{"role": "user", "content": "Go on forever."}]}""";

        using (var cancel = new CancellationTokenSource())
        {
            using var response = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", body), HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
            var buffer = new byte[256];
            while (counting.Updates < 3)
            {
                Assert.True(await stream.ReadAsync(buffer, cancel.Token) > 0, "the stream ended before the test disconnected");
            }

            await cancel.CancelAsync();
        }

        // The server notices the closed connection, cancels the generation and disposes it, freeing the sequence. The deadline
        // is generous because CI runs the test projects side by side on 2 cores; it passes in well under a second when idle.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (counting.Active > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, counting.Active);
        var stoppedAt = counting.Updates;
        Assert.True(stoppedAt < 3000, $"generation ran on to {stoppedAt} tokens");
        await Task.Delay(200);
        Assert.Equal(stoppedAt, counting.Updates);

        // The one request slot is free again.
        using var next = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Body("Hi") + "}"));
        next.EnsureSuccessStatusCode();
    }

    internal static IChatClient OpenAIChatClient(ServerHost host, string modelId, string key = "unused") =>
        new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(host.BaseAddress, "v1") })
            .GetChatClient(modelId).AsIChatClient();

    private static OpenAI.Chat.ChatCompletionOptions ThinkingOff()
    {
        var options = new OpenAI.Chat.ChatCompletionOptions();
#pragma warning disable SCME0001 // Patch is the SDK's documented way to send fields it has no property for.
        options.Patch.Set("$.chat_template_kwargs.enable_thinking"u8, false);
#pragma warning restore SCME0001
        return options;
    }

    private static string Body(string message) => Greedy.Replace("MESSAGE", message, StringComparison.Ordinal);

    private static async Task<string> StreamTextAsync(ServerHost host, string prompt)
    {
        using var response = await host.Http.SendAsync(SseClient.Post("v1/chat/completions", Body(prompt) + """, "stream": true}"""), HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return SseClient.Content(await SseClient.ReadChunksAsync(response));
    }

    /// <summary>Counts the streams running through it and the updates they yielded.</summary>
    private sealed class CountingChatClient(IChatClient inner) : DelegatingChatClient(inner)
    {
        private int _active;
        private int _updates;

        public int Active => Volatile.Read(ref _active);

        public int Updates => Volatile.Read(ref _updates);

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _active);
            try
            {
                await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
                {
                    Interlocked.Increment(ref _updates);
                    yield return update;
                }
            }
            finally
            {
                Interlocked.Decrement(ref _active);
            }
        }
    }
}
