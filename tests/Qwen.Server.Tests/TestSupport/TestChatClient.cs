using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Qwen.Server.Tests;

/// <summary>A scripted chat client: the callback streams the updates for each request; every request is recorded.</summary>
internal sealed class TestChatClient : IChatClient
{
    public Func<IList<ChatMessage>, ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> Stream { get; set; } = (_, _, _) => Updates(new TextContent("ok"));

    public List<(IList<ChatMessage> Messages, ChatOptions? Options)> Requests { get; } = [];

    /// <summary>Streams the contents one per update, then a stop with usage.</summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> Updates(params AIContent[] contents)
    {
        foreach (var content in contents)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, [content]) { MessageId = "m1" };
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 7, OutputTokenCount = contents.Length, TotalTokenCount = 7 + contents.Length })])
        {
            MessageId = "m1",
            FinishReason = contents.OfType<FunctionCallContent>().Any() ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
        };
    }

    /// <summary>Streams "tick" every <paramref name="interval"/> until cancelled.</summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> Endless(TimeSpan interval, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            await Task.Delay(interval, cancellationToken);
            yield return new ChatResponseUpdate(ChatRole.Assistant, "tick");
        }
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        lock (Requests)
        {
            Requests.Add((list, options));
        }

        return Stream(list, options, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
