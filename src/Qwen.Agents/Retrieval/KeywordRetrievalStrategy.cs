using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Qwen.Agents;

/// <summary>
/// Level 1, keyword RAG: the model turns the question into a search (Qwen-Agent's keyword strategies, thinking off, lenient JSON,
/// the question itself when that fails or echoes the prompt), then BM25 keeps the best chunks that fit the budget.
/// </summary>
public sealed class KeywordRetrievalStrategy : IRetrievalStrategy
{
    private readonly KeywordGenerator _generator;

    /// <summary>Initializes a new instance of the <see cref="KeywordRetrievalStrategy"/> class.</summary>
    /// <param name="strategy">How keywords are generated; <see cref="KeywordStrategy.None"/> searches with the question itself.</param>
    /// <param name="logger">Receives the fallbacks to the question; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="strategy"/> is not a defined value.</exception>
    public KeywordRetrievalStrategy(KeywordStrategy strategy = KeywordStrategy.GenKeyword, ILogger? logger = null)
    {
        if (!Enum.IsDefined(strategy))
        {
            throw new ArgumentOutOfRangeException(nameof(strategy), strategy, $"Unknown {nameof(KeywordStrategy)}.");
        }

        Strategy = strategy;
        _generator = new KeywordGenerator(strategy, logger ?? NullLogger.Instance);
    }

    /// <summary>Gets how keywords are generated.</summary>
    public KeywordStrategy Strategy { get; }

    /// <inheritdoc />
    public async Task<RetrievedKnowledge> RetrieveAsync(RetrievalContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var query = await _generator.GenerateAsync(context, context.Question, cancellationToken).ConfigureAwait(false);
        return new RetrievedKnowledge(context.Index.Search(query, context.TokenBudget), null, query);
    }
}
