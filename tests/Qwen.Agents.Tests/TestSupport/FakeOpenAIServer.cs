using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Qwen.Agents.Tests.TestSupport;

/// <summary>What a <see cref="FakeOpenAIServer"/> was sent: one <c>POST /v1/chat/completions</c>.</summary>
/// <param name="Index">The request's number, from 0, in arrival order.</param>
/// <param name="Body">The JSON body as sent.</param>
/// <param name="Authorization">The Authorization header, if any.</param>
public sealed record FakeOpenAIRequest(int Index, JsonObject Body, string? Authorization)
{
    /// <summary>Gets a value indicating whether the client asked for a stream (<c>"stream": true</c>).</summary>
    public bool Stream => Body["stream"]?.GetValue<bool>() == true;

    /// <summary>Gets the model name sent.</summary>
    public string? Model => Body["model"]?.GetValue<string>();

    /// <summary>Gets the messages sent.</summary>
    public JsonArray Messages => Body["messages"]?.AsArray() ?? [];

    /// <summary>Gets the text of the last user message.</summary>
    public string LastUserText =>
        Messages.LastOrDefault(m => m?["role"]?.GetValue<string>() == "user")?["content"] is JsonValue content ? content.GetValue<string>() : string.Empty;

    /// <summary>Gets the names of the tools offered.</summary>
    public IReadOnlyList<string> ToolNames =>
        [.. (Body["tools"]?.AsArray() ?? []).Select(t => t?["function"]?["name"]?.GetValue<string>() ?? string.Empty)];
}

/// <summary>
/// One scripted reply of a <see cref="FakeOpenAIServer"/>: reasoning, text and tool calls (sent as one message, or streamed as
/// server-sent events in small pieces), or an HTTP error, or a stream that breaks off mid-answer.
/// </summary>
public sealed class FakeOpenAIReply
{
    private readonly List<(string Kind, string Name, string Value, string? Id)> _parts = [];

    /// <summary>Gets the HTTP status; 200 answers, anything else sends an OpenAI-style error body.</summary>
    public int StatusCode { get; private init; } = 200;

    /// <summary>Gets the Retry-After header value sent with an error, if any (seconds, or an HTTP date).</summary>
    public string? RetryAfter { get; private init; }

    /// <summary>Gets the number of streamed events after which the connection is cut without finishing; null to finish.</summary>
    public int? DropAfterEvents { get; private init; }

    /// <summary>Gets or sets how many characters each streamed text or reasoning delta carries.</summary>
    public int ChunkSize { get; set; } = 4;

    /// <summary>Gets or sets the usage reported (prompt, completion tokens).</summary>
    public (int Prompt, int Completion) Usage { get; set; } = (12, 7);

    /// <summary>A plain text answer.</summary>
    /// <param name="text">The answer.</param>
    /// <returns>The reply.</returns>
    public static FakeOpenAIReply Text(string text) => new FakeOpenAIReply().AndText(text);

    /// <summary>A reply that is one tool call.</summary>
    /// <param name="name">The function name.</param>
    /// <param name="argumentsJson">The arguments as the JSON string the server sends (may be invalid JSON on purpose).</param>
    /// <param name="id">The call id; generated when null.</param>
    /// <returns>The reply.</returns>
    public static FakeOpenAIReply Call(string name, string argumentsJson, string? id = null) => new FakeOpenAIReply().AndCall(name, argumentsJson, id);

    /// <summary>An HTTP error: 429, 500, 503, 400, ... with an OpenAI-style error body.</summary>
    /// <param name="statusCode">The status.</param>
    /// <param name="retryAfter">The Retry-After header value, if any.</param>
    /// <returns>The reply.</returns>
    public static FakeOpenAIReply Error(int statusCode, string? retryAfter = null) => new() { StatusCode = statusCode, RetryAfter = retryAfter };

    /// <summary>A streamed answer whose connection is cut after <paramref name="events"/> events (no finish, no <c>[DONE]</c>).</summary>
    /// <param name="text">The answer it started to send.</param>
    /// <param name="events">How many events get through.</param>
    /// <returns>The reply.</returns>
    public static FakeOpenAIReply DroppedStream(string text, int events) => new FakeOpenAIReply { DropAfterEvents = events }.AndText(text);

    /// <summary>Adds answer text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>This reply.</returns>
    public FakeOpenAIReply AndText(string text) => Add("text", "content", text, null);

    /// <summary>Adds reasoning, in the field the server uses: <c>reasoning_content</c> (vLLM, SGLang, llama.cpp, DashScope) or <c>reasoning</c> (Ollama, OpenRouter).</summary>
    /// <param name="text">The reasoning.</param>
    /// <param name="field">The JSON field name.</param>
    /// <returns>This reply.</returns>
    public FakeOpenAIReply AndReasoning(string text, string field = "reasoning_content") => Add("reasoning", field, text, null);

    /// <summary>Adds a tool call.</summary>
    /// <param name="name">The function name.</param>
    /// <param name="argumentsJson">The arguments' JSON text.</param>
    /// <param name="id">The call id; generated when null.</param>
    /// <returns>This reply.</returns>
    public FakeOpenAIReply AndCall(string name, string argumentsJson, string? id = null) => Add("call", name, argumentsJson, id ?? "call_" + Guid.NewGuid().ToString("N")[..16]);

    internal IEnumerable<(string Kind, string Name, string Value, string? Id)> Parts => _parts;

    private FakeOpenAIReply Add(string kind, string name, string value, string? id)
    {
        _parts.Add((kind, name, value, id));
        return this;
    }
}

/// <summary>
/// A loopback HTTP server that speaks OpenAI chat completions (<c>POST /v1/chat/completions</c>, streaming and not) with
/// replies a test scripts per request, for end-to-end tests of clients, middleware and agents. Start it with
/// <see cref="StartAsync(Func{FakeOpenAIRequest, FakeOpenAIReply})"/>, point a client at <see cref="BaseUrl"/> (or use
/// <see cref="CreateClient"/>), and read <see cref="Requests"/> afterwards.
/// </summary>
public sealed class FakeOpenAIServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Func<FakeOpenAIRequest, CancellationToken, ValueTask<FakeOpenAIReply>> _script;
    private readonly List<FakeOpenAIRequest> _requests = [];
    private readonly Lock _lock = new();

    private FakeOpenAIServer(WebApplication app, Func<FakeOpenAIRequest, CancellationToken, ValueTask<FakeOpenAIReply>> script)
    {
        _app = app;
        _script = script;
    }

    /// <summary>Gets the API root to give a client: <c>http://127.0.0.1:PORT/v1</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Gets the requests so far, in arrival order.</summary>
    public IReadOnlyList<FakeOpenAIRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Starts a server whose replies <paramref name="script"/> chooses per request.</summary>
    /// <param name="script">Chooses the reply to each request.</param>
    /// <returns>The running server; dispose it to stop.</returns>
    public static Task<FakeOpenAIServer> StartAsync(Func<FakeOpenAIRequest, FakeOpenAIReply> script) =>
        StartAsync((request, _) => ValueTask.FromResult(script(request)));

    /// <summary>Starts a server whose replies an asynchronous <paramref name="script"/> chooses (it may wait, observing the request's abort).</summary>
    /// <param name="script">Chooses the reply to each request.</param>
    /// <returns>The running server; dispose it to stop.</returns>
    public static async Task<FakeOpenAIServer> StartAsync(Func<FakeOpenAIRequest, CancellationToken, ValueTask<FakeOpenAIReply>> script)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeOpenAIServer(app, script);
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/v1");
        return server;
    }

    /// <summary>Creates the production client for this server (<c>OpenAICompatibleChatClient.Create</c>).</summary>
    /// <param name="model">The model name to send.</param>
    /// <returns>The client.</returns>
    public IChatClient CreateClient(string model = "fake-model") => OpenAICompatibleChatClient.Create(BaseUrl, model, "test-key");

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static JsonObject Chunk(string model, JsonObject? delta, string? finishReason) => new()
    {
        ["id"] = "chatcmpl-fake",
        ["object"] = "chat.completion.chunk",
        ["created"] = 1_700_000_000,
        ["model"] = model,
        ["choices"] = delta is null ? new JsonArray() : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason }),
    };

    private static JsonObject UsageJson((int Prompt, int Completion) usage) => new()
    {
        ["prompt_tokens"] = usage.Prompt,
        ["completion_tokens"] = usage.Completion,
        ["total_tokens"] = usage.Prompt + usage.Completion,
    };

    private static IEnumerable<string> Pieces(string text, int size)
    {
        size = Math.Max(1, size);
        for (var i = 0; i < text.Length; i += size)
        {
            yield return text.Substring(i, Math.Min(size, text.Length - i));
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false) as JsonObject
            ?? throw new InvalidDataException("The request body is not a JSON object.");
        FakeOpenAIRequest request;
        lock (_lock)
        {
            request = new FakeOpenAIRequest(_requests.Count, body, context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null);
            _requests.Add(request);
        }

        var reply = await _script(request, context.RequestAborted).ConfigureAwait(false);
        if (reply.StatusCode != 200)
        {
            context.Response.StatusCode = reply.StatusCode;
            if (reply.RetryAfter is not null)
            {
                context.Response.Headers.RetryAfter = reply.RetryAfter;
            }

            await context.Response.WriteAsJsonAsync(
                new JsonObject { ["error"] = new JsonObject { ["message"] = $"fake error {reply.StatusCode}", ["type"] = "fake_error", ["code"] = reply.StatusCode.ToString(CultureInfo.InvariantCulture) } },
                context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var model = request.Model ?? "fake-model";
        if (request.Stream)
        {
            await StreamAsync(context, request, reply, model).ConfigureAwait(false);
        }
        else
        {
            await context.Response.WriteAsJsonAsync(Completion(reply, model), context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static JsonObject Completion(FakeOpenAIReply reply, string model)
    {
        var message = new JsonObject { ["role"] = "assistant" };
        var content = new StringBuilder();
        var calls = new JsonArray();
        foreach (var (kind, name, value, id) in reply.Parts)
        {
            switch (kind)
            {
                case "text":
                    content.Append(value);
                    break;
                case "reasoning":
                    message[name] = (message[name]?.GetValue<string>() ?? string.Empty) + value;
                    break;
                default:
                    calls.Add(new JsonObject { ["id"] = id, ["type"] = "function", ["function"] = new JsonObject { ["name"] = name, ["arguments"] = value } });
                    break;
            }
        }

        message["content"] = content.Length > 0 || calls.Count == 0 ? content.ToString() : null;
        if (calls.Count > 0)
        {
            message["tool_calls"] = calls;
        }

        return new JsonObject
        {
            ["id"] = "chatcmpl-fake",
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = calls.Count > 0 ? "tool_calls" : "stop" }),
            ["usage"] = UsageJson(reply.Usage),
        };
    }

    private static async Task StreamAsync(HttpContext context, FakeOpenAIRequest request, FakeOpenAIReply reply, string model)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var events = new List<JsonObject> { Chunk(model, new JsonObject { ["role"] = "assistant", ["content"] = string.Empty }, null) };
        var callIndex = 0;
        foreach (var (kind, name, value, id) in reply.Parts)
        {
            switch (kind)
            {
                case "text":
                    events.AddRange(Pieces(value, reply.ChunkSize).Select(piece => Chunk(model, new JsonObject { ["content"] = piece }, null)));
                    break;
                case "reasoning":
                    events.AddRange(Pieces(value, reply.ChunkSize).Select(piece => Chunk(model, new JsonObject { [name] = piece }, null)));
                    break;
                default:
                    // As servers do: the id and name first, then the arguments in pieces.
                    var index = callIndex++;
                    events.Add(Chunk(model, new JsonObject
                    {
                        ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = index, ["id"] = id, ["type"] = "function", ["function"] = new JsonObject { ["name"] = name, ["arguments"] = string.Empty } }),
                    }, null));
                    events.AddRange(Pieces(value, reply.ChunkSize).Select(piece => Chunk(model, new JsonObject
                    {
                        ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = index, ["function"] = new JsonObject { ["arguments"] = piece } }),
                    }, null)));
                    break;
            }
        }

        events.Add(Chunk(model, new JsonObject(), callIndex > 0 ? "tool_calls" : "stop"));
        if (request.Body["stream_options"]?["include_usage"]?.GetValue<bool>() == true)
        {
            var usage = Chunk(model, null, null);
            usage["usage"] = UsageJson(reply.Usage);
            events.Add(usage);
        }

        var sent = 0;
        foreach (var e in events)
        {
            if (reply.DropAfterEvents is { } drop && sent == drop)
            {
                // The connection breaks mid-answer: no finish reason, no [DONE]. An abort resets the socket, which can
                // discard bytes not yet read, so let the client read what was sent first.
                await Task.Delay(300, context.RequestAborted).ConfigureAwait(false);
                context.Abort();
                return;
            }

            await context.Response.WriteAsync("data: " + e.ToJsonString() + "\n\n", context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            sent++;
        }

        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted).ConfigureAwait(false);
    }
}
