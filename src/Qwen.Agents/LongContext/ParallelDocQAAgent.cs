using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Qwen.Agents;

/// <summary>
/// Level 2, read every chunk, as Qwen-Agent's <c>ParallelDocQA</c>: the model reads each chunk with the question only (bounded
/// concurrency, transient failures retried, progress reported), its relevant answers become BM25 queries, and one final call
/// answers from the re-retrieved chunks and the quoted passages with Qwen-Agent's summary prompt. Every call stays within
/// <see cref="DocQAOptions.TokenBudget"/>: one call per chunk, plus the answer.
/// </summary>
public sealed class ParallelDocQAAgent : DocQAAgent
{
    /// <summary>Initializes a new instance of the <see cref="ParallelDocQAAgent"/> class.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="options">The documents, the budget and the chunk reading settings; <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">Creates the agent's logger; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public ParallelDocQAAgent(IChatClient chatClient, DocQAOptions? options = null, ILoggerFactory? loggerFactory = null)
        : this(chatClient, options ?? new DocQAOptions(), loggerFactory, null)
    {
    }

    /// <summary>A reader over another agent's library (Level 3's).</summary>
    internal ParallelDocQAAgent(IChatClient chatClient, DocQAOptions options, ILoggerFactory? loggerFactory, DocumentLibrary? library)
        : base(chatClient, options, loggerFactory, library)
    {
        Strategy = new ChunkReadingStrategy(Options.ChunkReading, Logger);
    }

    /// <inheritdoc />
    public override int Level => 2;

    /// <inheritdoc />
    private protected override IRetrievalStrategy Strategy { get; }

    /// <inheritdoc />
    private protected override List<ChatMessage> AnswerPrompt(AgentRun run, List<ChatMessage> history, string question, RetrievedKnowledge knowledge) =>
    [
        SystemWith(run, RetrievalPrompts.SummarySystem(run.Language, KnowledgeFormatter.FormatSnippets(knowledge, run.Language))),
        .. history,
        new(ChatRole.User, RetrievalPrompts.SummaryUser(run.Language, question)),
    ];
}
