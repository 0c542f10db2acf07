using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Qwen.Agents;

/// <summary>
/// The base of Qwen.Agents' agents: a Microsoft Agent Framework <see cref="AIAgent"/> over any <see cref="IChatClient"/>
/// that keeps the conversation in a <see cref="QwenAgentSession"/>, combines its system message with the input's, picks the
/// prompt language, logs every model call and streams typed updates (text and reasoning deltas, tool calls, tool results,
/// usage at the end).
/// </summary>
/// <remarks>
/// Without a session an agent works on the messages it is given, as Qwen-Agent's <c>run(messages)</c> does; with one, the
/// session's history comes first and the run's input and output are appended to it when the run ends (also when it is
/// cancelled or fails: then with the completed part only, never a tool call without its result).
/// Derived agents implement <see cref="RunStepsAsync"/>.
/// </remarks>
public abstract class QwenAgent : AIAgent
{
    private readonly QwenAgentOptions _options;

    /// <summary>Initializes a new instance of the <see cref="QwenAgent"/> class.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="options">The agent's options.</param>
    /// <param name="loggerFactory">Creates the agent's logger; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    protected QwenAgent(IChatClient chatClient, QwenAgentOptions options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(options);
        ChatClient = chatClient;
        _options = options;
        Logger = (ILogger?)loggerFactory?.CreateLogger(GetType()) ?? NullLogger.Instance;
    }

    /// <summary>Gets the model the agent talks to.</summary>
    public IChatClient ChatClient { get; }

    /// <inheritdoc />
    public override string? Name => _options.Name;

    /// <inheritdoc />
    public override string? Description => _options.Description;

    /// <summary>Gets the agent's system message.</summary>
    public string? Instructions => _options.Instructions;

    /// <summary>Gets the agent's logger.</summary>
    protected ILogger Logger { get; }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return base.GetService(serviceType, serviceKey) ?? ChatClient.GetService(serviceType, serviceKey);
    }

    /// <summary>Runs the agent's own steps: model calls, tool calls, retrieval. Add every message the run produces with
    /// <see cref="AgentRun.AddOutput"/> and stream its parts as updates as soon as they are known.</summary>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The run's updates.</returns>
    protected abstract IAsyncEnumerable<AgentResponseUpdate> RunStepsAsync(AgentRun run, CancellationToken cancellationToken);

    /// <summary>Streams one model call, logging its latency and tokens. Usage is added to the run and not passed on.</summary>
    /// <param name="run">The run the call belongs to.</param>
    /// <param name="messages">The messages to send.</param>
    /// <param name="options">The model options.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The model's updates, without usage contents.</returns>
    protected async IAsyncEnumerable<ChatResponseUpdate> StreamModelAsync(
        AgentRun run, IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(messages);
        run.CountModelCall();
        var call = run.ModelCalls;
        var started = Stopwatch.GetTimestamp();
        UsageDetails? usage = null;
        var completed = false;
        try
        {
            await foreach (var update in ChatClient.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                if (update.Contents.Any(c => c is UsageContent))
                {
                    foreach (var content in update.Contents.OfType<UsageContent>())
                    {
                        (usage ??= new UsageDetails()).Add(content.Details);
                    }

                    update.Contents = [.. update.Contents.Where(c => c is not UsageContent)];
                    if (update.Contents.Count == 0 && update.FinishReason is null)
                    {
                        continue;
                    }
                }

                yield return update;
            }

            completed = true;
        }
        finally
        {
            run.AddUsage(usage);
            AgentLog.ModelCall(Logger, Name ?? GetType().Name, call, Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                usage?.InputTokenCount, usage?.OutputTokenCount, completed ? "completed" : "interrupted");
        }
    }

    /// <summary>Makes one non-streaming model call, logging its latency and tokens and adding its usage to the run.</summary>
    /// <param name="run">The run the call belongs to.</param>
    /// <param name="messages">The messages to send.</param>
    /// <param name="options">The model options.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The response.</returns>
    protected async Task<ChatResponse> CallModelAsync(AgentRun run, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(messages);
        run.CountModelCall();
        var call = run.ModelCalls;
        var started = Stopwatch.GetTimestamp();
        var outcome = "failed";
        ChatResponse? response = null;
        try
        {
            response = await ChatClient.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            outcome = "completed";
            run.AddUsage(response.Usage);
            return response;
        }
        finally
        {
            AgentLog.ModelCall(Logger, Name ?? GetType().Name, call, Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                response?.Usage?.InputTokenCount, response?.Usage?.OutputTokenCount, outcome);
        }
    }

    /// <summary>Gets the model as the helpers of <paramref name="run"/> see it (retrieval strategies, sub-steps): its calls are
    /// this agent's logged and counted model calls, with their usage added to the run.</summary>
    /// <param name="run">The run.</param>
    /// <returns>A chat client over <see cref="ChatClient"/>; disposing it leaves the model alone.</returns>
    protected IChatClient GetRunChatClient(AgentRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new RunChatClient(ChatClient, (m, o, ct) => CallModelAsync(run, m, o, ct), (m, o, ct) => StreamModelAsync(run, m, o, ct));
    }

    /// <inheritdoc />
    protected override ValueTask<AgentSession> CreateSessionCoreAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<AgentSession>(new QwenAgentSession());

    /// <inheritdoc />
    protected override ValueTask<JsonElement> SerializeSessionCoreAsync(AgentSession session, JsonSerializerOptions? jsonSerializerOptions = null, CancellationToken cancellationToken = default)
    {
        var qwenSession = RequireSession(session, nameof(session));
        return ValueTask.FromResult(qwenSession.StateBag.Serialize());
    }

    /// <inheritdoc />
    protected override ValueTask<AgentSession> DeserializeSessionCoreAsync(JsonElement serializedState, JsonSerializerOptions? jsonSerializerOptions = null, CancellationToken cancellationToken = default)
    {
        if (serializedState.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"A saved session is a JSON object, not {serializedState.ValueKind}.", nameof(serializedState));
        }

        var session = new QwenAgentSession(AgentSessionStateBag.Deserialize(serializedState));
        _ = session.Messages; // reads the history now, so a damaged file fails here rather than in the next run
        return ValueTask.FromResult<AgentSession>(session);
    }

    /// <inheritdoc />
    protected override async Task<AgentResponse> RunCoreAsync(IEnumerable<ChatMessage> messages, AgentSession? session = null, AgentRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await RunCoreStreamingAsync(messages, session, options, cancellationToken).ToAgentResponseAsync(cancellationToken).ConfigureAwait(false);
        response.AgentId ??= Id;
        return response;
    }

    /// <inheritdoc />
    protected override IAsyncEnumerable<AgentResponseUpdate> RunCoreStreamingAsync(IEnumerable<ChatMessage> messages, AgentSession? session = null, AgentRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var qwenSession = session is null ? null : RequireSession(session, nameof(session));
        List<ChatMessage> input = [.. messages];
        if (input.Any(m => m is null))
        {
            throw new ArgumentException("The messages hold a null entry.", nameof(messages));
        }

        return RunWithSessionAsync(input, qwenSession, options, cancellationToken);
    }

    /// <summary>Chinese when the messages hold CJK ideographs, as Qwen-Agent's <c>has_chinese_messages</c> decides.</summary>
    internal static AgentLanguage DetectLanguage(IEnumerable<ChatMessage> messages) =>
        messages.Any(m => m.Contents.OfType<TextContent>().Any(t => t.Text.AsSpan().IndexOfAnyInRange('\u4e00', '\u9fff') >= 0))
            ? AgentLanguage.Chinese
            : AgentLanguage.English;

    /// <summary>The agent's system message first, a blank line, then the conversation's own system message (or the agent's alone).</summary>
    internal static List<ChatMessage> WithInstructions(IEnumerable<ChatMessage> conversation, string? instructions)
    {
        List<ChatMessage> messages = [.. conversation];
        if (string.IsNullOrEmpty(instructions))
        {
            return messages;
        }

        if (messages.Count > 0 && messages[0].Role == ChatRole.System)
        {
            var combined = messages[0].Clone();
            combined.Contents = [new TextContent(instructions + "\n\n"), .. messages[0].Contents];
            messages[0] = combined;
        }
        else
        {
            messages.Insert(0, new ChatMessage(ChatRole.System, instructions));
        }

        return messages;
    }

    private async IAsyncEnumerable<AgentResponseUpdate> RunWithSessionAsync(
        List<ChatMessage> input, QwenAgentSession? session, AgentRunOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<ChatMessage> conversation = [.. session?.Messages ?? [], .. input];
        var language = _options.Language == AgentLanguage.Auto ? DetectLanguage(conversation) : _options.Language;
        var run = new AgentRun(this, input, WithInstructions(conversation, Instructions), language, MergeChatOptions(options), session, options);
        try
        {
            await foreach (var update in RunStepsAsync(run, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            if (run.Usage is { } usage)
            {
                yield return run.CreateUpdate(ChatRole.Assistant, [new UsageContent(usage)], null);
            }
        }
        finally
        {
            session?.Append([.. input, .. run.ConsistentOutput()]);
        }
    }

    private ChatOptions MergeChatOptions(AgentRunOptions? runOptions)
    {
        var merged = _options.ChatOptions?.Clone() ?? new ChatOptions();
        if ((runOptions as ChatClientAgentRunOptions)?.ChatOptions is not { } perRun)
        {
            return merged;
        }

        merged.Temperature = perRun.Temperature ?? merged.Temperature;
        merged.TopP = perRun.TopP ?? merged.TopP;
        merged.TopK = perRun.TopK ?? merged.TopK;
        merged.MaxOutputTokens = perRun.MaxOutputTokens ?? merged.MaxOutputTokens;
        merged.Seed = perRun.Seed ?? merged.Seed;
        merged.FrequencyPenalty = perRun.FrequencyPenalty ?? merged.FrequencyPenalty;
        merged.PresencePenalty = perRun.PresencePenalty ?? merged.PresencePenalty;
        merged.StopSequences = perRun.StopSequences ?? merged.StopSequences;
        merged.ModelId = perRun.ModelId ?? merged.ModelId;
        merged.ToolMode = perRun.ToolMode ?? merged.ToolMode;
        merged.AllowMultipleToolCalls = perRun.AllowMultipleToolCalls ?? merged.AllowMultipleToolCalls;
        merged.Reasoning = perRun.Reasoning ?? merged.Reasoning;
        merged.ResponseFormat = perRun.ResponseFormat ?? merged.ResponseFormat;
        merged.Instructions = perRun.Instructions ?? merged.Instructions;
        if (perRun.Tools is { Count: > 0 } tools)
        {
            merged.Tools = [.. merged.Tools ?? [], .. tools];
        }

        if (perRun.AdditionalProperties is { Count: > 0 } extra)
        {
            merged.AdditionalProperties ??= [];
            foreach (var (key, value) in extra)
            {
                merged.AdditionalProperties[key] = value;
            }
        }

        return merged;
    }

    private QwenAgentSession RequireSession(AgentSession session, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(session, parameterName);
        return session as QwenAgentSession
            ?? throw new ArgumentException($"The session is a {session.GetType().Name}; {GetType().Name} works with sessions from its own CreateSessionAsync (QwenAgentSession).", parameterName);
    }
}
