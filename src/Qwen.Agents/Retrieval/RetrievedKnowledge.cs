using Qwen.Tools;

namespace Qwen.Agents;

/// <summary>What a <see cref="IRetrievalStrategy"/> found: chunks to show the model and quoted evidence.</summary>
public sealed class RetrievedKnowledge
{
    /// <summary>Initializes a new instance of the <see cref="RetrievedKnowledge"/> class.</summary>
    /// <param name="chunks">The chunks, in document order, each with its BM25 score.</param>
    /// <param name="evidence">Quoted sentences; <see langword="null"/> for none.</param>
    /// <param name="query">The search the chunks came from, for diagnostics; <see langword="null"/> when not known.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chunks"/> is <see langword="null"/>.</exception>
    public RetrievedKnowledge(IReadOnlyList<RetrievedChunk> chunks, IReadOnlyList<KnowledgeEvidence>? evidence = null, RetrievalQuery? query = null)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        Chunks = chunks;
        Evidence = evidence ?? [];
        Query = query;
    }

    /// <summary>Gets knowledge that holds nothing.</summary>
    public static RetrievedKnowledge Empty { get; } = new([]);

    /// <summary>Gets the chunks, in document order.</summary>
    public IReadOnlyList<RetrievedChunk> Chunks { get; }

    /// <summary>Gets the quoted evidence, in document order.</summary>
    public IReadOnlyList<KnowledgeEvidence> Evidence { get; }

    /// <summary>Gets the search the chunks came from (keywords and text), when the strategy reports it.</summary>
    public RetrievalQuery? Query { get; }

    /// <summary>Gets a value indicating whether there is nothing to show the model.</summary>
    public bool IsEmpty => Chunks.Count == 0 && Evidence.Count == 0;
}
