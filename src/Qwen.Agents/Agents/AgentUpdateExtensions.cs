using System.Runtime.CompilerServices;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Qwen.Agents;

/// <summary>Views of an agent's update stream.</summary>
public static class AgentUpdateExtensions
{
    /// <summary>
    /// Qwen-Agent's cumulative view: after each update, the response messages so far (text and reasoning deltas joined,
    /// tool calls and results in their own messages). Each list is a snapshot: later updates never change it.
    /// </summary>
    /// <param name="updates">The updates of a run, as <c>RunStreamingAsync</c> yields them.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>One snapshot per update; usage-only updates yield the unchanged messages.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="updates"/> is <see langword="null"/>.</exception>
    public static IAsyncEnumerable<IReadOnlyList<ChatMessage>> ToCumulativeMessagesAsync(
        this IAsyncEnumerable<AgentResponseUpdate> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        return Cumulate(updates, cancellationToken);
    }

    private static async IAsyncEnumerable<IReadOnlyList<ChatMessage>> Cumulate(
        IAsyncEnumerable<AgentResponseUpdate> updates, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<ChatMessage> messages = [];
        await foreach (var update in updates.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            List<AIContent> contents = [.. update.Contents.Where(c => c is not UsageContent)];
            if (contents.Count > 0)
            {
                var role = update.Role ?? ChatRole.Assistant;
                var last = messages.Count > 0 ? messages[^1] : null;
                if (last is not null && last.Role == role && last.MessageId == update.MessageId)
                {
                    messages[^1] = Merge(last, contents);
                }
                else
                {
                    messages.Add(new ChatMessage(role, Merge([], contents)) { MessageId = update.MessageId, AuthorName = update.AuthorName });
                }
            }

            yield return [.. messages];
        }
    }

    private static ChatMessage Merge(ChatMessage message, List<AIContent> contents)
    {
        var merged = message.Clone();
        merged.Contents = Merge(message.Contents, contents);
        return merged;
    }

    private static List<AIContent> Merge(IList<AIContent> existing, List<AIContent> added)
    {
        List<AIContent> result = [.. existing];
        foreach (var content in added)
        {
            switch (content, result.Count > 0 ? result[^1] : null)
            {
                case (TextReasoningContent next, TextReasoningContent previous):
                    result[^1] = new TextReasoningContent(previous.Text + next.Text);
                    break;
                case (TextContent next, TextContent previous):
                    result[^1] = new TextContent(previous.Text + next.Text);
                    break;
                default:
                    result.Add(content);
                    break;
            }
        }

        return result;
    }
}
