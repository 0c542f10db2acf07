namespace Qwen.Tools;

/// <summary>Budget, chunking and caching for BM25 retrieval over documents.</summary>
public sealed class RetrievalOptions
{
    /// <summary>Gets or sets the default number of tokens the retrieved chunks may add up to.</summary>
    /// <value>The default value is 8,000, as in Qwen-Agent.</value>
    public int TokenBudget { get; set; } = 8000;

    /// <summary>Gets or sets how documents are cut into the chunks that are indexed and returned.</summary>
    public ChunkingOptions Chunking { get; set; } = new();

    /// <summary>
    /// Gets or sets the directory where chunk indexes are kept between runs, keyed by content hash, chunking and tokenizer;
    /// <see langword="null"/> keeps them in memory only.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? CacheDirectory { get; set; }

    /// <summary>Gets or sets how many documents' indexes one retriever keeps in memory; the oldest are dropped beyond it.</summary>
    /// <value>The default value is 256.</value>
    public int MaxCachedDocuments { get; set; } = 256;

    /// <summary>Returns a copy with another cache directory.</summary>
    internal RetrievalOptions With(string? cacheDirectory) => new()
    {
        TokenBudget = TokenBudget,
        Chunking = Chunking,
        CacheDirectory = cacheDirectory,
        MaxCachedDocuments = MaxCachedDocuments,
    };

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it and the allowed range.</exception>
    public void Validate()
    {
        if (TokenBudget < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TokenBudget), TokenBudget, $"{nameof(RetrievalOptions)}.{nameof(TokenBudget)} must be positive.");
        }

        if (MaxCachedDocuments < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCachedDocuments), MaxCachedDocuments, $"{nameof(RetrievalOptions)}.{nameof(MaxCachedDocuments)} must be positive.");
        }

        ArgumentNullException.ThrowIfNull(Chunking, $"{nameof(RetrievalOptions)}.{nameof(Chunking)}");
        Chunking.Validate();
    }
}
