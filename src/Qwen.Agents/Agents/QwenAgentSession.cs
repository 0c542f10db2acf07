using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Qwen.Agents;

/// <summary>
/// A conversation with a Qwen agent: the messages of every run so far (inputs, the agent's answers, tool calls with their
/// results). It lives in the session's <see cref="AgentSession.StateBag"/> under Microsoft Agent Framework's in-memory chat
/// history key, so <see cref="AIAgent.SerializeSessionAsync"/> saves it and <see cref="AIAgent.DeserializeSessionAsync"/> resumes it.
/// </summary>
/// <remarks>One run at a time per session; a run that is cancelled or fails keeps its input and its completed tool rounds,
/// and never a tool call without its result.</remarks>
public sealed class QwenAgentSession : AgentSession
{
    /// <summary>Initializes a new instance of the <see cref="QwenAgentSession"/> class with an empty history.</summary>
    public QwenAgentSession()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="QwenAgentSession"/> class from saved state.</summary>
    /// <param name="stateBag">The state, as serialized.</param>
    public QwenAgentSession(AgentSessionStateBag stateBag)
        : base(stateBag)
    {
    }

    /// <summary>Gets the conversation so far (a copy).</summary>
    public IReadOnlyList<ChatMessage> Messages => this.TryGetInMemoryChatHistory(out var messages) ? [.. messages] : [];

    /// <summary>Forgets the conversation.</summary>
    public void Clear() => this.SetInMemoryChatHistory([]);

    /// <summary>Appends messages to the history.</summary>
    internal void Append(IEnumerable<ChatMessage> messages)
    {
        var history = this.TryGetInMemoryChatHistory(out var existing) ? existing : [];
        history.AddRange(messages);
        this.SetInMemoryChatHistory(history);
    }
}
