using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Qwen.Agents.Bench;

/// <summary>A model that answers at once: a call of <c>tick</c> until the input holds <c>rounds</c> tool results, then a short
/// text. Replies are built per request (ids differ) but cost next to nothing, so what is timed is the loop around it.</summary>
internal sealed class InstantChatClient(int rounds) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Reply(messages)))
        {
            Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15 },
            FinishReason = ChatFinishReason.Stop,
        });

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var contents = Reply(messages);
        yield return new ChatResponseUpdate(ChatRole.Assistant, contents) { MessageId = "m" };
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15 })]) { FinishReason = ChatFinishReason.Stop, MessageId = "m" };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    private List<AIContent> Reply(IEnumerable<ChatMessage> messages)
    {
        var done = 0;
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.Tool)
            {
                done++;
            }
        }

        return done < rounds
            ? [new FunctionCallContent("call_" + done, "tick", new Dictionary<string, object?> { ["n"] = done })]
            : [new TextContent("done")];
    }
}
