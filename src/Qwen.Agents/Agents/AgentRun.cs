using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Qwen.Agents;

/// <summary>
/// The state of one run of a <see cref="QwenAgent"/>, for the agents derived from it: the conversation the model reads, the
/// messages the run adds, the resolved prompt language, the merged model options and the usage so far.
/// </summary>
public sealed class AgentRun
{
    private readonly QwenAgent _agent;
    private readonly List<ChatMessage> _output = [];
    private UsageDetails? _usage;
    private int _modelCalls;

    internal AgentRun(QwenAgent agent, IReadOnlyList<ChatMessage> input, List<ChatMessage> messages, AgentLanguage language, ChatOptions chatOptions, AgentSession? session, AgentRunOptions? runOptions)
    {
        _agent = agent;
        Input = input;
        Messages = messages;
        Language = language;
        ChatOptions = chatOptions;
        Session = session;
        RunOptions = runOptions;
    }

    /// <summary>Gets the messages the caller passed to this run.</summary>
    public IReadOnlyList<ChatMessage> Input { get; }

    /// <summary>Gets the conversation the model reads: the session's history, the input, the agent's system message combined
    /// with the input's, and everything the run added so far. Agents may rewrite it (for example to add knowledge to the system message).</summary>
    public List<ChatMessage> Messages { get; }

    /// <summary>Gets the messages this run added (the agent's answers, tool calls and tool results), in order.</summary>
    public IReadOnlyList<ChatMessage> Output => _output;

    /// <summary>Gets the language of the built-in prompts for this run (never <see cref="AgentLanguage.Auto"/>).</summary>
    public AgentLanguage Language { get; }

    /// <summary>Gets the model options for this run: the agent's defaults overridden by the run's (a copy the run may change).</summary>
    public ChatOptions ChatOptions { get; }

    /// <summary>Gets the session, when the caller passed one.</summary>
    public AgentSession? Session { get; }

    /// <summary>Gets the run options the caller passed.</summary>
    public AgentRunOptions? RunOptions { get; }

    /// <summary>Gets the id shared by every update of this run.</summary>
    public string ResponseId { get; } = "resp_" + Guid.NewGuid().ToString("N");

    /// <summary>Gets the number of model calls made so far.</summary>
    public int ModelCalls => Volatile.Read(ref _modelCalls);

    /// <summary>Gets the token usage of every model call so far, added up; <see langword="null"/> when no call reported any.</summary>
    public UsageDetails? Usage
    {
        get
        {
            lock (_output)
            {
                return _usage;
            }
        }
    }

    /// <summary>Adds a message to the run's output and to the conversation the model reads.</summary>
    /// <param name="message">The message.</param>
    public void AddOutput(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        message.AuthorName ??= message.Role == ChatRole.Assistant ? _agent.Name : null;
        _output.Add(message);
        Messages.Add(message);
    }

    /// <summary>Adds a model call's usage to the run's total.</summary>
    /// <param name="usage">The usage; ignored when <see langword="null"/>.</param>
    public void AddUsage(UsageDetails? usage)
    {
        if (usage is null)
        {
            return;
        }

        lock (_output)
        {
            (_usage ??= new UsageDetails()).Add(usage);
        }
    }

    /// <summary>Creates an update of this run, stamped with the agent's id and name and the run's response id.</summary>
    /// <param name="role">The role of the message the contents belong to.</param>
    /// <param name="contents">The contents.</param>
    /// <param name="messageId">The id of the message the contents belong to.</param>
    /// <returns>The update.</returns>
    public AgentResponseUpdate CreateUpdate(ChatRole role, IList<AIContent> contents, string? messageId) => new(role, contents)
    {
        AgentId = _agent.Id,
        AuthorName = role == ChatRole.Assistant ? _agent.Name : null,
        ResponseId = ResponseId,
        MessageId = messageId,
        CreatedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>Turns a model's streamed update into an update of this run.</summary>
    /// <param name="update">The model's update.</param>
    /// <returns>The agent update, with the model's contents, message id and finish reason.</returns>
    public AgentResponseUpdate FromChatUpdate(ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var agentUpdate = CreateUpdate(update.Role ?? ChatRole.Assistant, update.Contents, update.MessageId);
        agentUpdate.RawRepresentation = update;
        agentUpdate.AdditionalProperties = update.AdditionalProperties;
        return agentUpdate;
    }

    /// <summary>Counts one model call.</summary>
    internal void CountModelCall() => Interlocked.Increment(ref _modelCalls);

    /// <summary>The output without tool calls that never got a result (a run stopped between a call and its result), for the session.</summary>
    internal IEnumerable<ChatMessage> ConsistentOutput()
    {
        var answered = _output.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToHashSet(StringComparer.Ordinal);
        foreach (var message in _output)
        {
            var unanswered = message.Contents.OfType<FunctionCallContent>().Where(c => !c.InformationalOnly && !answered.Contains(c.CallId)).ToList();
            if (unanswered.Count == 0)
            {
                yield return message;
                continue;
            }

            var kept = message.Clone();
            kept.Contents = [.. message.Contents.Where(c => c is not FunctionCallContent call || !unanswered.Contains(call))];
            if (kept.Contents.Count > 0)
            {
                yield return kept;
            }
        }
    }
}
