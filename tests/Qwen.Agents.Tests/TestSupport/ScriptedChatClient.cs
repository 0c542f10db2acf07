using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Qwen.Agents.Tests.TestSupport;

/// <summary>What a <see cref="ScriptedChatClient"/> was asked: the messages and options of one model call.</summary>
/// <param name="Index">The call's number, from 0, in the order calls arrived.</param>
/// <param name="Messages">The messages sent (a copy).</param>
/// <param name="Options">The options sent.</param>
/// <param name="Streaming">Whether the call was a streaming one.</param>
public sealed record ScriptedRequest(int Index, IReadOnlyList<ChatMessage> Messages, ChatOptions? Options, bool Streaming)
{
    /// <summary>Gets the text of the last user message.</summary>
    public string LastUserText => Messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;

    /// <summary>Gets the system text (all system messages joined).</summary>
    public string SystemText => string.Join("\n", Messages.Where(m => m.Role == ChatRole.System).Select(m => m.Text));

    /// <summary>Gets every text of every message, joined: what a prompt-based model would read.</summary>
    public string AllText => string.Join("\n", Messages.Select(m => m.Text));

    /// <summary>Gets the tool results sent so far, in order.</summary>
    public IReadOnlyList<FunctionResultContent> ToolResults => [.. Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>()];

    /// <summary>Gets the names of the tools offered.</summary>
    public IReadOnlyList<string> ToolNames => [.. (Options?.Tools ?? []).Select(t => t.Name)];
}

/// <summary>One scripted model reply: contents in order (text, reasoning, calls), or a failure.</summary>
public sealed class ScriptedReply
{
    private readonly List<AIContent> _contents = [];

    /// <summary>Gets the contents, in order.</summary>
    public IReadOnlyList<AIContent> Contents => _contents;

    /// <summary>Gets the exception to throw instead of answering (after <see cref="Contents"/> when streaming).</summary>
    public Exception? Failure { get; private init; }

    /// <summary>Gets or sets the delay before each streamed piece.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Gets or sets how many characters each streamed text update carries.</summary>
    public int ChunkSize { get; set; } = 3;

    /// <summary>A plain text answer.</summary>
    public static ScriptedReply Text(string text) => new ScriptedReply().AndText(text);

    /// <summary>A reply that is only a tool call.</summary>
    public static ScriptedReply Call(string name, object? arguments = null, string? callId = null) => new ScriptedReply().AndCall(name, arguments, callId);

    /// <summary>A reply that fails with <paramref name="exception"/>.</summary>
    public static ScriptedReply Throw(Exception exception) => new() { Failure = exception };

    /// <summary>A reply that streams <paramref name="text"/> and then fails with <paramref name="exception"/>.</summary>
    public static ScriptedReply TextThenThrow(string text, Exception exception)
    {
        var reply = new ScriptedReply { Failure = exception };
        reply._contents.Add(new TextContent(text));
        return reply;
    }

    /// <summary>Adds text.</summary>
    public ScriptedReply AndText(string text)
    {
        _contents.Add(new TextContent(text));
        return this;
    }

    /// <summary>Adds reasoning text.</summary>
    public ScriptedReply AndReasoning(string text)
    {
        _contents.Add(new TextReasoningContent(text));
        return this;
    }

    /// <summary>Adds a tool call; <paramref name="arguments"/> is an anonymous object or dictionary, serialized to JSON and back.</summary>
    public ScriptedReply AndCall(string name, object? arguments = null, string? callId = null)
    {
        var args = arguments is null
            ? new Dictionary<string, object?>()
            : arguments as IDictionary<string, object?> ?? JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(arguments))!;
        _contents.Add(new FunctionCallContent(callId ?? "call_" + Guid.NewGuid().ToString("N")[..12], name, args));
        return this;
    }

    /// <summary>Adds a raw content item.</summary>
    public ScriptedReply And(AIContent content)
    {
        _contents.Add(content);
        return this;
    }
}

/// <summary>
/// A fake <see cref="IChatClient"/> for agent tests: a callback chooses each reply from the request's content, and every
/// request is recorded. Streaming splits text into small updates, one update per call, and usage at the end.
/// </summary>
public sealed class ScriptedChatClient : IChatClient
{
    private readonly Func<ScriptedRequest, CancellationToken, ValueTask<ScriptedReply>> _script;
    private readonly List<ScriptedRequest> _requests = [];
    private readonly Lock _lock = new();

    /// <summary>Creates a client whose replies <paramref name="script"/> chooses.</summary>
    public ScriptedChatClient(Func<ScriptedRequest, ScriptedReply> script)
        : this((request, _) => ValueTask.FromResult(script(request)))
    {
    }

    /// <summary>Creates a client whose replies an asynchronous <paramref name="script"/> chooses (it may wait, or observe cancellation).</summary>
    public ScriptedChatClient(Func<ScriptedRequest, CancellationToken, ValueTask<ScriptedReply>> script) => _script = script;

    /// <summary>Gets the requests so far, in arrival order.</summary>
    public IReadOnlyList<ScriptedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Gets or sets the metadata this client reports.</summary>
    public ChatClientMetadata Metadata { get; set; } = new("scripted", null, "scripted-model");

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var reply = await _script(Record(messages, options, streaming: false), cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (reply.Delay > TimeSpan.Zero)
        {
            await Task.Delay(reply.Delay, cancellationToken).ConfigureAwait(false);
        }

        if (reply.Failure is not null)
        {
            throw reply.Failure;
        }

        var message = new ChatMessage(ChatRole.Assistant, [.. reply.Contents]) { MessageId = Guid.NewGuid().ToString("N") };
        return new ChatResponse(message)
        {
            FinishReason = reply.Contents.OfType<FunctionCallContent>().Any() ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15 },
            ModelId = Metadata.DefaultModelId,
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reply = await _script(Record(messages, options, streaming: true), cancellationToken).ConfigureAwait(false);
        var messageId = Guid.NewGuid().ToString("N");
        foreach (var content in reply.Contents)
        {
            var pieces = content switch
            {
                TextContent text => Split(text.Text, reply.ChunkSize).Select(piece => (AIContent)new TextContent(piece)),
                TextReasoningContent reasoning => Split(reasoning.Text, reply.ChunkSize).Select(piece => (AIContent)new TextReasoningContent(piece)),
                _ => [content],
            };
            foreach (var piece in pieces)
            {
                if (reply.Delay > TimeSpan.Zero)
                {
                    await Task.Delay(reply.Delay, cancellationToken).ConfigureAwait(false);
                }

                cancellationToken.ThrowIfCancellationRequested();
                yield return new ChatResponseUpdate(ChatRole.Assistant, [piece]) { MessageId = messageId, ModelId = Metadata.DefaultModelId };
            }
        }

        if (reply.Failure is not null)
        {
            throw reply.Failure;
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15 })])
        {
            MessageId = messageId,
            FinishReason = reply.Contents.OfType<FunctionCallContent>().Any() ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
        };
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private ScriptedRequest Record(IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming)
    {
        lock (_lock)
        {
            var request = new ScriptedRequest(_requests.Count, [.. messages.Select(m => m.Clone())], options?.Clone(), streaming);
            _requests.Add(request);
            return request;
        }
    }

    private static IEnumerable<string> Split(string text, int size)
    {
        size = Math.Max(1, size);
        for (var i = 0; i < text.Length; i += size)
        {
            yield return text.Substring(i, Math.Min(size, text.Length - i));
        }
    }
}
