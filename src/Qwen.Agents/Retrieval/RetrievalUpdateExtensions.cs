using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Qwen.Agents;

/// <summary>
/// Reads what the document agents report beside their answer: the knowledge they answered from (on an update, and on the
/// response its updates make) and chunk-reading progress (on updates while Level 2 reads).
/// </summary>
public static class RetrievalUpdateExtensions
{
    /// <summary>The <see cref="AgentResponseUpdate.AdditionalProperties"/> key of the <see cref="RetrievedKnowledge"/> a run answered from.</summary>
    public const string KnowledgeKey = "qwen.knowledge";

    /// <summary>The <see cref="AgentResponseUpdate.AdditionalProperties"/> key of a <see cref="ChunkReadingProgress"/>.</summary>
    public const string ChunkReadingProgressKey = "qwen.chunk_reading_progress";

    /// <summary>Gets the knowledge the run answered from, when the response holds it.</summary>
    /// <param name="response">The agent's response.</param>
    /// <returns>The knowledge, or <see langword="null"/> when the agent retrieved none.</returns>
    public static RetrievedKnowledge? GetKnowledge(this AgentResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.AdditionalProperties?.TryGetValue(KnowledgeKey, out var value) == true ? value as RetrievedKnowledge : null;
    }

    /// <summary>Gets the knowledge an update carries.</summary>
    /// <param name="update">The update.</param>
    /// <returns>The knowledge, or <see langword="null"/> when the update carries none.</returns>
    public static RetrievedKnowledge? GetKnowledge(this AgentResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return update.AdditionalProperties?.TryGetValue(KnowledgeKey, out var value) == true ? value as RetrievedKnowledge : null;
    }

    /// <summary>Gets the chunk-reading progress an update carries.</summary>
    /// <param name="update">The update.</param>
    /// <returns>The progress, or <see langword="null"/> when the update carries none.</returns>
    public static ChunkReadingProgress? GetChunkReadingProgress(this AgentResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return update.AdditionalProperties?.TryGetValue(ChunkReadingProgressKey, out var value) == true ? value as ChunkReadingProgress : null;
    }

    /// <summary>An update of <paramref name="run"/> that carries only <paramref name="value"/> under <paramref name="key"/>.</summary>
    internal static AgentResponseUpdate PropertyUpdate(AgentRun run, string key, object value)
    {
        var update = run.CreateUpdate(ChatRole.Assistant, [], null);
        update.AdditionalProperties = new AdditionalPropertiesDictionary { [key] = value };
        return update;
    }

    /// <summary>Adds <paramref name="knowledge"/> to the conversation's system message, after a blank line, as Qwen-Agent does; a new system message when there is none.</summary>
    internal static void AddToSystemMessage(List<ChatMessage> messages, string knowledge)
    {
        if (messages.Count > 0 && messages[0].Role == ChatRole.System)
        {
            var system = messages[0].Clone();
            system.Contents = [.. system.Contents, new TextContent("\n\n" + knowledge)];
            messages[0] = system;
        }
        else
        {
            messages.Insert(0, new ChatMessage(ChatRole.System, knowledge));
        }
    }
}
