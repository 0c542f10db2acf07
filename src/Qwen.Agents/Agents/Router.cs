using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Qwen.Agents;

/// <summary>
/// An agent that picks one of its sub-agents by their descriptions and streams the chosen agent's answer, as Qwen-Agent's
/// <c>Router</c>: the model answers directly when it can, or writes <c>Call: name</c> to hand the conversation over.
/// </summary>
/// <remarks>
/// The routing prompt (Qwen-Agent's, in Chinese or English by the conversation's language) goes first in the system message.
/// A <c>Call:</c> line is held back rather than streamed; the chosen agent gets the conversation without the router's system
/// message and no session of its own, and its messages carry its name as <see cref="ChatMessage.AuthorName"/>. When the model
/// names an agent that does not exist, the first agent answers (as in Qwen-Agent) and a warning is logged. Earlier answers of
/// a sub-agent are shown to the model as <c>Call: name\nReply: ...</c> so it keeps routing consistently.
/// </remarks>
public class Router : QwenAgent
{
    private const string CallLabel = "Call:";
    private const string ReplyLabel = "Reply:";

    private readonly IReadOnlyList<AIAgent> _agents;

    /// <summary>Initializes a new instance of the <see cref="Router"/> class.</summary>
    /// <param name="chatClient">The model that routes.</param>
    /// <param name="agents">The agents to route to, each with a unique <see cref="AIAgent.Name"/> and a <see cref="AIAgent.Description"/>.</param>
    /// <param name="options">The router's own name, description, system message and model options.</param>
    /// <param name="loggerFactory">Creates the router's logger; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> or <paramref name="agents"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">There are no agents, or an agent has no name or shares one.</exception>
    public Router(IChatClient chatClient, IEnumerable<AIAgent> agents, QwenAgentOptions? options = null, ILoggerFactory? loggerFactory = null)
        : base(chatClient, options ?? new QwenAgentOptions(), loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(agents);
        _agents = [.. agents];
        if (_agents.Count == 0)
        {
            throw new ArgumentException("A Router needs at least one agent.", nameof(agents));
        }

        foreach (var agent in _agents)
        {
            if (agent is null || string.IsNullOrWhiteSpace(agent.Name))
            {
                throw new ArgumentException("Every agent of a Router needs a Name: the model chooses agents by name.", nameof(agents));
            }
        }

        if (_agents.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count() != _agents.Count)
        {
            throw new ArgumentException("The agents of a Router need different names.", nameof(agents));
        }
    }

    /// <summary>Gets the agents the router chooses from.</summary>
    public IReadOnlyList<AIAgent> Agents => _agents;

    /// <inheritdoc />
    protected override async IAsyncEnumerable<AgentResponseUpdate> RunStepsAsync(AgentRun run, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var options = run.ChatOptions.Clone();
        options.StopSequences = [.. options.StopSequences ?? [], ReplyLabel];
        var messageId = "msg_" + Guid.NewGuid().ToString("N");
        var held = new StringBuilder();
        var answer = new StringBuilder();
        var routing = false;
        var decided = false;
        await foreach (var update in StreamModelAsync(run, ForRouter(run), options, cancellationToken).ConfigureAwait(false))
        {
            List<AIContent> passed = [];
            foreach (var content in update.Contents)
            {
                if (content is not TextContent text)
                {
                    passed.Add(content);
                    continue;
                }

                if (decided && !routing)
                {
                    answer.Append(text.Text);
                    passed.Add(text);
                    continue;
                }

                held.Append(text.Text);
                var start = held.ToString().TrimStart();
                if (!decided && start.Length < CallLabel.Length && CallLabel.StartsWith(start, StringComparison.Ordinal))
                {
                    continue; // could still become "Call:"
                }

                if (!decided)
                {
                    decided = true;
                    routing = start.StartsWith(CallLabel, StringComparison.Ordinal);
                    if (!routing)
                    {
                        answer.Append(held);
                        passed.Add(new TextContent(held.ToString()));
                    }
                }
            }

            if (passed.Count > 0)
            {
                yield return run.CreateUpdate(ChatRole.Assistant, passed, messageId);
            }

            if (routing && held.ToString().Contains(ReplyLabel, StringComparison.Ordinal))
            {
                break; // the server let the stop word through
            }
        }

        if (!routing)
        {
            if (!decided && held.Length > 0)
            {
                answer.Append(held);
                yield return run.CreateUpdate(ChatRole.Assistant, [new TextContent(held.ToString())], messageId);
            }

            run.AddOutput(new ChatMessage(ChatRole.Assistant, answer.ToString()) { MessageId = messageId });
            yield break;
        }

        var agent = Choose(ChosenName(held.ToString()));
        var forwarded = new List<AgentResponseUpdate>();
        List<ChatMessage> handedOver = [.. run.Messages.Where((m, i) => i > 0 || m.Role != ChatRole.System)];
        await foreach (var update in agent.RunStreamingAsync(handedOver, session: null, options: run.RunOptions, cancellationToken).ConfigureAwait(false))
        {
            update.AuthorName = update.Role == ChatRole.Assistant ? agent.Name : update.AuthorName;
            update.ResponseId = run.ResponseId;
            forwarded.Add(update);
            yield return update;
        }

        foreach (var message in forwarded.ToAgentResponse().Messages)
        {
            if (message.Role == ChatRole.Assistant)
            {
                message.AuthorName = agent.Name;
            }

            message.Contents = [.. message.Contents.Where(c => c is not UsageContent)];
            run.AddOutput(message);
        }
    }

    private static string ChosenName(string output)
    {
        var after = output[(output.IndexOf(CallLabel, StringComparison.Ordinal) + CallLabel.Length)..];
        var end = after.IndexOfAny(['\n', '\r']);
        var name = (end >= 0 ? after[..end] : after).Trim();
        var reply = name.IndexOf(ReplyLabel, StringComparison.Ordinal);
        return (reply >= 0 ? name[..reply] : name).Trim();
    }

    private AIAgent Choose(string name)
    {
        var agent = _agents.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.Ordinal));
        if (agent is null)
        {
            AgentLog.UnknownRoute(Logger, Name ?? nameof(Router), name, _agents[0].Name!);
            return _agents[0];
        }

        AgentLog.Routed(Logger, Name ?? nameof(Router), agent.Name!);
        return agent;
    }

    /// <summary>The conversation as the routing model reads it: the routing prompt first in the system message, and each earlier
    /// answer of a sub-agent written as <c>Call: name\nReply: answer</c> (Qwen-Agent's <c>supplement_name_special_token</c>).</summary>
    private List<ChatMessage> ForRouter(AgentRun run)
    {
        var prompt = AgentPrompts.RouterPrompt(run.Language, _agents.Select(a => (a.Name!, a.Description ?? string.Empty)));
        var names = _agents.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        List<ChatMessage> messages = [];
        foreach (var message in WithInstructions(run.Messages, prompt))
        {
            if (message.Role == ChatRole.Assistant && message.AuthorName is { } author && names.Contains(author) && message.Text.Length > 0)
            {
                messages.Add(new ChatMessage(ChatRole.Assistant, $"{CallLabel} {author}\n{ReplyLabel}{message.Text}"));
                continue;
            }

            messages.Add(message);
        }

        return messages;
    }
}
