namespace Qwen.Agents;

/// <summary>Options of an <see cref="Assistant"/>: a <see cref="FnCallAgent"/>'s, plus its documents and how knowledge is retrieved.</summary>
public class AssistantOptions : FnCallAgentOptions
{
    /// <summary>Gets or sets the documents (files given now; files attached to messages join them per run), token counting and chunking.</summary>
    /// <value>The default value is no files, <c>ApproximateTokenizer</c>, 512-token chunks.</value>
    public DocumentOptions Documents { get; set; } = new();

    /// <summary>Gets or sets the most tokens the knowledge section added to the system message may hold.</summary>
    /// <value>The default value is 20,000. Allowed: 64 to 10,000,000. Capped per run by <see cref="ModelContextTokens"/> when set.</value>
    public int MaxReferenceTokens { get; set; } = 20_000;

    /// <summary>Gets or sets the model's context length. When set, the knowledge of a run takes at most what the context leaves
    /// after the conversation, the tools and the answer (<c>ChatOptions.MaxOutputTokens</c>, or 2,048); the embedded runtime's
    /// checkpoint tells it (<c>ModelConfig.ContextLength</c>).</summary>
    /// <value>The default value is <see langword="null"/>: unknown, <see cref="MaxReferenceTokens"/> alone applies. Allowed: 256 or more.</value>
    public int? ModelContextTokens { get; set; }

    /// <summary>Gets or sets how knowledge is found. When <see langword="null"/>, Level 1: a <see cref="KeywordRetrievalStrategy"/>
    /// with <see cref="KeywordStrategy"/>. <see cref="ChunkReadingStrategy"/> makes it Level 2.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IRetrievalStrategy? RetrievalStrategy { get; set; }

    /// <summary>Gets or sets the keyword generation of the default strategy (<see cref="KeywordStrategy.None"/> turns it off).</summary>
    /// <value>The default value is <see cref="KeywordStrategy.GenKeyword"/>, the keyword generation of Qwen-Agent's Assistant.</value>
    public KeywordStrategy KeywordStrategy { get; set; } = KeywordStrategy.GenKeyword;

    /// <summary>Gets or sets where chunk-reading progress goes when the strategy reads chunks (it also arrives as agent updates).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IProgress<ChunkReadingProgress>? Progress { get; set; }

    /// <summary>Checks the options, the tool loop's included.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its allowed range.</exception>
    /// <exception cref="ArgumentException">A file entry is empty.</exception>
    public new void Validate()
    {
        base.Validate();
        ValidateDocuments();
    }

    /// <summary>Checks what <see cref="FnCallAgentOptions.Validate"/> does not.</summary>
    internal void ValidateDocuments()
    {
        ArgumentNullException.ThrowIfNull(Documents, $"{nameof(AssistantOptions)}.{nameof(Documents)}");
        Documents.Validate();
        if (MaxReferenceTokens is < 64 or > 10_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxReferenceTokens), MaxReferenceTokens, $"{nameof(AssistantOptions)}.{nameof(MaxReferenceTokens)} must be between 64 and 10,000,000.");
        }

        if (ModelContextTokens is < 256)
        {
            throw new ArgumentOutOfRangeException(nameof(ModelContextTokens), ModelContextTokens, $"{nameof(AssistantOptions)}.{nameof(ModelContextTokens)} must be at least 256 when set.");
        }

        if (!Enum.IsDefined(KeywordStrategy))
        {
            throw new ArgumentOutOfRangeException(nameof(KeywordStrategy), KeywordStrategy, $"{nameof(AssistantOptions)}.{nameof(KeywordStrategy)} is not a defined value.");
        }
    }
}
