namespace Qwen.Agents;

/// <summary>
/// Finds the knowledge an agent answers from: given the conversation, the index over the documents, a token budget, the
/// prompt language and the model, it returns the chunks to show the model (with their source and page) and, for strategies
/// that read the documents, the sentences they quoted. <see cref="Assistant"/> and the document QA agents take one.
/// </summary>
/// <remarks>
/// Built in: <see cref="KeywordRetrievalStrategy"/> (Level 1: keywords from the model, then BM25) and
/// <see cref="ChunkReadingStrategy"/> (Level 2: the model reads every chunk, its answers become BM25 queries).
/// Implementations must keep the returned chunks and evidence within <see cref="RetrievalContext.TokenBudget"/> tokens and each
/// of their own model calls within <see cref="RetrievalContext.MaxPromptTokens"/>, and must be safe to call concurrently.
/// </remarks>
public interface IRetrievalStrategy
{
    /// <summary>Finds the knowledge for the conversation in <paramref name="context"/>.</summary>
    /// <param name="context">The conversation, the index, the budget, the language and the model.</param>
    /// <param name="cancellationToken">Cancels the retrieval, including outstanding model calls.</param>
    /// <returns>The chunks (in document order) and the evidence, within the budget.</returns>
    Task<RetrievedKnowledge> RetrieveAsync(RetrievalContext context, CancellationToken cancellationToken = default);
}
