using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Qwen.Agents;

/// <summary>
/// Level 1, keyword RAG over documents of any size: the model turns the question into keywords (Qwen-Agent's
/// <see cref="KeywordStrategy"/>, thinking off), BM25 keeps the best chunks that fit the budget, and the model answers from
/// them, given as Qwen-Agent's knowledge section in the system message. Every call stays within <see cref="DocQAOptions.TokenBudget"/>.
/// </summary>
public sealed class KeywordDocQAAgent : DocQAAgent
{
    /// <summary>Initializes a new instance of the <see cref="KeywordDocQAAgent"/> class.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="options">The documents, the budget and the keyword strategy; <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">Creates the agent's logger; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public KeywordDocQAAgent(IChatClient chatClient, DocQAOptions? options = null, ILoggerFactory? loggerFactory = null)
        : base(chatClient, options ?? new DocQAOptions(), loggerFactory, null)
    {
        Strategy = new KeywordRetrievalStrategy(Options.KeywordStrategy, Logger);
    }

    /// <inheritdoc />
    public override int Level => 1;

    /// <inheritdoc />
    private protected override IRetrievalStrategy Strategy { get; }

    /// <inheritdoc />
    private protected override List<ChatMessage> AnswerPrompt(AgentRun run, List<ChatMessage> history, string question, RetrievedKnowledge knowledge) =>
        [SystemWith(run, KnowledgeFormatter.Format(knowledge, run.Language)), .. history, new(ChatRole.User, question)];
}
