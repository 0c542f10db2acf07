using Microsoft.Extensions.AI;

namespace Qwen.Agents;

/// <summary>
/// The agent's model as seen by a helper of one run (a retrieval strategy, a sub-step): every call goes through the agent's
/// own logged and counted model calls, so it shows in the run's model-call count and usage.
/// </summary>
internal sealed class RunChatClient(IChatClient inner, Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>> call,
    Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> stream) : DelegatingChatClient(inner)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        call(messages, options, cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        stream(messages, options, cancellationToken);

    /// <summary>Leaves the agent's model to its owner.</summary>
    protected override void Dispose(bool disposing)
    {
    }
}
