using System.Runtime.CompilerServices;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Qwen.Agents;

/// <summary>
/// A <see cref="FnCallAgent"/> with retrieval over files, as Qwen-Agent's <c>Assistant</c>: before answering, it finds the
/// knowledge for the conversation in its documents (files given at construction and files attached to the messages) and adds
/// it to the system message as Qwen-Agent's knowledge section, within <see cref="AssistantOptions.MaxReferenceTokens"/>.
/// </summary>
/// <remarks>
/// <para>Attached files: a <see cref="UriContent"/> with a <c>file://</c> or <c>http(s)</c> URI, a <see cref="DataContent"/>
/// with a <see cref="DataContent.Name"/> (whose extension tells the format), or, in a user message's text, a Markdown link
/// labelled <c>file</c> or <c>文件</c>: <c>[file](/path/report.pdf)</c>. Images are not read as documents.</para>
/// <para>Documents are parsed, chunked and indexed once: a later question on unchanged files reads nothing again, and the
/// retriever shares per-document indexes by content hash. Retrieval is an <see cref="IRetrievalStrategy"/>: Level 1 keyword
/// RAG by default, <see cref="ChunkReadingStrategy"/> for Level 2. Its model calls count as the run's. Dispose the assistant
/// to release the retriever it created and the copies of attached bytes.</para>
/// </remarks>
public class Assistant : FnCallAgent, IDisposable
{
    private readonly AssistantOptions _options;
    private readonly IRetrievalStrategy _strategy;
    private readonly DocumentLibrary _library;

    /// <summary>Initializes a new instance of the <see cref="Assistant"/> class.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="options">Tools, limits, documents and retrieval; <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">Creates the agent's logger; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">A tool name is invalid or repeated, or a file entry is empty.</exception>
    public Assistant(IChatClient chatClient, AssistantOptions? options = null, ILoggerFactory? loggerFactory = null)
        : base(chatClient, options ??= new AssistantOptions(), loggerFactory)
    {
        options.ValidateDocuments();
        _options = options;
        _strategy = options.RetrievalStrategy ?? new KeywordRetrievalStrategy(options.KeywordStrategy, Logger);
        _library = new DocumentLibrary(options.Documents, loggerFactory);
    }

    /// <summary>Gets the files every run reads.</summary>
    public IReadOnlyList<string> Files => [.. _options.Documents.Files];

    /// <summary>Gets the retrieval strategy.</summary>
    public IRetrievalStrategy RetrievalStrategy => _strategy;

    /// <summary>Gets the library, for tests.</summary>
    internal DocumentLibrary Library => _library;

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    protected override async IAsyncEnumerable<AgentResponseUpdate> RunStepsAsync(AgentRun run, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var knowledge = await AddKnowledgeAsync(run, cancellationToken).ConfigureAwait(false);
        if (knowledge is not null)
        {
            yield return RetrievalUpdateExtensions.PropertyUpdate(run, RetrievalUpdateExtensions.KnowledgeKey, knowledge);
        }

        await foreach (var update in base.RunStepsAsync(run, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <summary>Releases the retriever the assistant created and the copies of attached bytes.</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _library.Dispose();
        }
    }

    /// <summary>Retrieves knowledge for the run and adds it to its system message; <see langword="null"/> when there are no documents.</summary>
    private async Task<RetrievedKnowledge?> AddKnowledgeAsync(AgentRun run, CancellationToken cancellationToken)
    {
        var files = MessageFiles.All(_options.Documents.Files, run.Messages, _library);
        if (files.Count == 0)
        {
            return null;
        }

        var tokenizer = _options.Documents.EffectiveTokenizer;
        var budget = _options.MaxReferenceTokens;
        if (_options.ModelContextTokens is { } context)
        {
            var options = run.ChatOptions.Clone();
            options.Tools = [.. Tools, .. run.ChatOptions.Tools ?? []];
            var room = context - PromptTokens.Count(tokenizer, run.Messages, options) - (run.ChatOptions.MaxOutputTokens ?? 2048);
            budget = Math.Min(budget, room);
        }

        if (budget < 64)
        {
            AgentLog.NoRoomForKnowledge(Logger, Name ?? nameof(Assistant), budget);
            return null;
        }

        var index = await _library.OpenAsync(files, cancellationToken).ConfigureAwait(false);
        var retrieval = new RetrievalContext(run.Messages, index, Math.Max(1, budget - (budget / 20) - KnowledgeFormatter.Overhead(0, files.Count)), run.Language, GetRunChatClient(run), tokenizer)
        {
            MaxPromptTokens = _options.ModelContextTokens,
            Progress = _options.Progress,
        };
        var found = await _strategy.RetrieveAsync(retrieval, cancellationToken).ConfigureAwait(false);
        var knowledge = KnowledgeFormatter.Fit(found, budget, k => tokenizer.CountTokens(KnowledgeFormatter.Format(k, run.Language)));
        AgentLog.Retrieved(Logger, Name ?? nameof(Assistant), knowledge.Chunks.Count, knowledge.Chunks.Sum(c => c.Chunk.Tokens), knowledge.Evidence.Count, files.Count);
        if (!knowledge.IsEmpty)
        {
            RetrievalUpdateExtensions.AddToSystemMessage(run.Messages, KnowledgeFormatter.Format(knowledge, run.Language));
        }

        return knowledge;
    }
}
