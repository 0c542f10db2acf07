using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Qwen.Agents;

/// <summary>
/// The base of the single-pass document QA agents (Levels 1 and 2): find knowledge for the last question in the documents
/// with a retrieval strategy, then answer it in one streamed model call, no call's prompt above
/// <see cref="DocQAOptions.TokenBudget"/>. <see cref="Create"/> builds any of the three levels.
/// </summary>
/// <remarks>
/// The answering call sees the system message, as much of the earlier conversation as fits a quarter of the budget (newest
/// turns first), the knowledge and the question. The knowledge the run answered from is reported on an update (see
/// <see cref="RetrievalUpdateExtensions.GetKnowledge(AgentResponse)"/>); Level 2 also reports its progress on updates.
/// Documents are files given in the options or attached to the messages, as for <see cref="Assistant"/>; they are read once
/// and cached. Dispose the agent to release the retriever it created.
/// </remarks>
public abstract class DocQAAgent : QwenAgent, IDisposable
{
    /// <summary>Room kept for the difference between our count of a prompt and the server's.</summary>
    private const int Margin = 32;

    private readonly DocQAOptions _options;
    private readonly DocumentLibrary _library;
    private readonly bool _ownsLibrary;

    private protected DocQAAgent(IChatClient chatClient, DocQAOptions options, ILoggerFactory? loggerFactory, DocumentLibrary? library)
        : base(GuardModel(chatClient, options), options, loggerFactory)
    {
        _options = options;
        _ownsLibrary = library is null;
        _library = library ?? new DocumentLibrary(options.Documents, loggerFactory);
    }

    /// <summary>Gets the level (1, 2 or 3).</summary>
    public abstract int Level { get; }

    /// <summary>Gets the most tokens the prompt of any one model call holds.</summary>
    public int TokenBudget => _options.TokenBudget;

    /// <summary>Gets the files every run reads.</summary>
    public IReadOnlyList<string> Files => [.. _options.Documents.Files];

    /// <summary>Gets the options.</summary>
    private protected DocQAOptions Options => _options;

    /// <summary>Raised with the knowledge of each run once it is found (Level 3 collects its sub-questions' knowledge).</summary>
    internal event Action<RetrievedKnowledge>? KnowledgeFound;

    /// <summary>Gets the library, for tests and Level 3.</summary>
    internal DocumentLibrary Library => _library;

    /// <summary>Creates the document QA agent of a level: 1 <see cref="KeywordDocQAAgent"/>, 2 <see cref="ParallelDocQAAgent"/>, 3 <see cref="MultiHopDocQAAgent"/>.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="level">The level: 1, 2 or 3.</param>
    /// <param name="options">The documents, the budget and the levels' settings; <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">Creates the agent's logger; <see langword="null"/> for none.</param>
    /// <returns>The agent; it is <see cref="IDisposable"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is not 1, 2 or 3, or an option is out of range.</exception>
    public static QwenAgent Create(IChatClient chatClient, int level, DocQAOptions? options = null, ILoggerFactory? loggerFactory = null) => level switch
    {
        1 => new KeywordDocQAAgent(chatClient, options, loggerFactory),
        2 => new ParallelDocQAAgent(chatClient, options, loggerFactory),
        3 => new MultiHopDocQAAgent(chatClient, options, loggerFactory),
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "The document QA level is 1 (keyword RAG), 2 (read every chunk) or 3 (multi-hop)."),
    };

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the retriever the agent created.</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _ownsLibrary)
        {
            _library.Dispose();
        }
    }

    /// <summary>The level's retrieval strategy.</summary>
    private protected abstract IRetrievalStrategy Strategy { get; }

    /// <summary>The answering call's messages for the question and the knowledge (empty knowledge included, to measure the rest).</summary>
    private protected abstract List<ChatMessage> AnswerPrompt(AgentRun run, List<ChatMessage> history, string question, RetrievedKnowledge knowledge);

    /// <inheritdoc />
    protected sealed override async IAsyncEnumerable<AgentResponseUpdate> RunStepsAsync(AgentRun run, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var question = run.Messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text.Trim();
        if (string.IsNullOrEmpty(question))
        {
            throw new ArgumentException($"{GetType().Name} answers the last user message, and the messages hold no user text.", "messages");
        }

        var files = MessageFiles.All(_options.Documents.Files, run.Messages, _library);
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"{GetType().Name} has no documents: set {nameof(DocQAOptions)}.{nameof(DocQAOptions.Documents)}.{nameof(DocumentOptions.Files)} or attach files to the message.");
        }

        var tokenizer = _options.Documents.EffectiveTokenizer;
        var answerOptions = run.ChatOptions.Clone();
        answerOptions.Tools = null;
        answerOptions.ToolMode = null;
        var history = History(run, tokenizer, _options.TokenBudget / 4);
        int Measure(RetrievedKnowledge k) => PromptTokens.Count(tokenizer, AnswerPrompt(run, history, question, k), answerOptions);
        var limit = _options.TokenBudget - Margin;
        var rest = Measure(RetrievedKnowledge.Empty);
        var room = limit - rest - KnowledgeFormatter.Overhead(0, files.Count);
        if (room < 64)
        {
            throw new PromptBudgetExceededException(rest + 64, limit, "the question and the conversation leave no room for knowledge.");
        }

        var index = await _library.OpenAsync(files, cancellationToken).ConfigureAwait(false);
        var progress = Channel.CreateUnbounded<ChunkReadingProgress>(new UnboundedChannelOptions { SingleReader = true });
        var context = new RetrievalContext(run.Messages, index, room - (room / 20), run.Language, GetRunChatClient(run), tokenizer)
        {
            MaxPromptTokens = limit,
            Progress = new ProgressRelay(_options.Progress, progress.Writer),
        };
        using var abandoned = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var retrieval = RetrieveAsync(context, progress.Writer, abandoned.Token);
        try
        {
            await foreach (var report in progress.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return RetrievalUpdateExtensions.PropertyUpdate(run, RetrievalUpdateExtensions.ChunkReadingProgressKey, report);
            }
        }
        finally
        {
            // A caller that stops reading the stream early must not leave chunk calls running behind it.
            if (!retrieval.IsCompleted)
            {
                await abandoned.CancelAsync().ConfigureAwait(false);
                await ((Task)retrieval).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        var knowledge = KnowledgeFormatter.Fit(await retrieval.ConfigureAwait(false), limit, Measure);
        AgentLog.Retrieved(Logger, Name ?? GetType().Name, knowledge.Chunks.Count, knowledge.Chunks.Sum(c => c.Chunk.Tokens), knowledge.Evidence.Count, files.Count);
        KnowledgeFound?.Invoke(knowledge);
        yield return RetrievalUpdateExtensions.PropertyUpdate(run, RetrievalUpdateExtensions.KnowledgeKey, knowledge);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in StreamModelAsync(run, AnswerPrompt(run, history, question, knowledge), answerOptions, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            yield return run.FromChatUpdate(update);
        }

        foreach (var message in updates.ToChatResponse().Messages)
        {
            run.AddOutput(message);
        }
    }

    /// <summary>The conversation's system message followed by <paramref name="addition"/> after a blank line (or <paramref name="addition"/> alone).</summary>
    private protected static ChatMessage SystemWith(AgentRun run, string addition)
    {
        List<ChatMessage> system = run.Messages.Count > 0 && run.Messages[0].Role == ChatRole.System ? [run.Messages[0]] : [];
        if (addition.Length > 0)
        {
            RetrievalUpdateExtensions.AddToSystemMessage(system, addition);
        }

        return system.Count > 0 ? system[0] : new ChatMessage(ChatRole.System, string.Empty);
    }

    /// <summary>Validates the options and puts the budget guard in front of the model.</summary>
    internal static PromptBudgetChatClient GuardModel(IChatClient chatClient, DocQAOptions options)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new PromptBudgetChatClient(chatClient, options.Documents.EffectiveTokenizer, options.TokenBudget);
    }

    /// <summary>The earlier user and assistant texts (not the question), newest first until <paramref name="budget"/> tokens, in order.</summary>
    private static List<ChatMessage> History(AgentRun run, Microsoft.ML.Tokenizers.Tokenizer tokenizer, int budget)
    {
        var lastUser = run.Messages.FindLastIndex(m => m.Role == ChatRole.User);
        var kept = new List<ChatMessage>();
        var used = 0;
        for (var i = lastUser - 1; i >= 0; i--)
        {
            var message = run.Messages[i];
            if ((message.Role != ChatRole.User && message.Role != ChatRole.Assistant) || string.IsNullOrWhiteSpace(message.Text))
            {
                continue;
            }

            var tokens = tokenizer.CountTokens(message.Text) + PromptTokens.PerMessage;
            if (used + tokens > budget)
            {
                break;
            }

            used += tokens;
            kept.Insert(0, new ChatMessage(message.Role, message.Text));
        }

        return kept;
    }

    private async Task<RetrievedKnowledge> RetrieveAsync(RetrievalContext context, ChannelWriter<ChunkReadingProgress> progress, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            return await Strategy.RetrieveAsync(context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            progress.TryComplete();
        }
    }

    /// <summary>Passes progress to the caller's reporter and, at each whole percent and at the end, to the run's updates.</summary>
    private sealed class ProgressRelay(IProgress<ChunkReadingProgress>? caller, ChannelWriter<ChunkReadingProgress> updates) : IProgress<ChunkReadingProgress>
    {
        private int _lastPercent = -1;

        public void Report(ChunkReadingProgress value)
        {
            caller?.Report(value);
            var percent = value.Total == 0 ? 100 : (int)(100L * value.Done / value.Total);
            var last = Volatile.Read(ref _lastPercent);
            if ((percent > last || value.Done == value.Total) && Interlocked.CompareExchange(ref _lastPercent, percent, last) == last)
            {
                updates.TryWrite(value);
            }
        }
    }
}
