namespace Qwen.Agents;

/// <summary>Options of the long-context document QA agents (<see cref="KeywordDocQAAgent"/>, <see cref="ParallelDocQAAgent"/>,
/// <see cref="MultiHopDocQAAgent"/>): the documents, the token budget of every model call, and each level's settings.</summary>
public class DocQAOptions : QwenAgentOptions
{
    /// <summary>Gets or sets the documents (files given now; files attached to messages join them per run), token counting and chunking.</summary>
    /// <value>The default value is no files, <c>ApproximateTokenizer</c>, 512-token chunks.</value>
    public DocumentOptions Documents { get; set; } = new();

    /// <summary>Gets or sets the most tokens the prompt of any one model call may hold, counted with
    /// <see cref="DocumentOptions.Tokenizer"/> as the chat template lays the prompt out. A call that would exceed it is not sent
    /// (<see cref="PromptBudgetExceededException"/>). Leave room in the model's context for the answer.</summary>
    /// <value>The default value is 8,000. Allowed: 1,024 to 10,000,000.</value>
    public int TokenBudget { get; set; } = 8_000;

    /// <summary>Gets or sets Level 1's keyword generation.</summary>
    /// <value>The default value is <see cref="KeywordStrategy.SplitQueryThenGenKeyword"/>: information first, then keywords in English and Chinese.</value>
    public KeywordStrategy KeywordStrategy { get; set; } = KeywordStrategy.SplitQueryThenGenKeyword;

    /// <summary>Gets or sets Level 2's concurrency and retries (Level 3 asks Level 2).</summary>
    /// <value>The default value is 8 concurrent calls, 3 retries.</value>
    public ChunkReadingOptions ChunkReading { get; set; } = new();

    /// <summary>Gets or sets where chunk-reading progress goes (it also arrives as agent updates).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IProgress<ChunkReadingProgress>? Progress { get; set; }

    /// <summary>Gets or sets Level 3's step cap: the most model calls of one multi-hop run (each sub-question is one).</summary>
    /// <value>The default value is 20. Allowed: 1 to 1,000.</value>
    public int MaxModelCalls { get; set; } = 20;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its allowed range; the message names it.</exception>
    /// <exception cref="ArgumentException">A file entry is empty.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Documents, $"{nameof(DocQAOptions)}.{nameof(Documents)}");
        ArgumentNullException.ThrowIfNull(ChunkReading, $"{nameof(DocQAOptions)}.{nameof(ChunkReading)}");
        Documents.Validate();
        ChunkReading.Validate();
        if (TokenBudget is < 1_024 or > 10_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(TokenBudget), TokenBudget, $"{nameof(DocQAOptions)}.{nameof(TokenBudget)} must be between 1,024 and 10,000,000.");
        }

        if (MaxModelCalls is < 1 or > 1_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxModelCalls), MaxModelCalls, $"{nameof(DocQAOptions)}.{nameof(MaxModelCalls)} must be between 1 and 1,000.");
        }

        if (!Enum.IsDefined(KeywordStrategy))
        {
            throw new ArgumentOutOfRangeException(nameof(KeywordStrategy), KeywordStrategy, $"{nameof(DocQAOptions)}.{nameof(KeywordStrategy)} is not a defined value.");
        }
    }
}
