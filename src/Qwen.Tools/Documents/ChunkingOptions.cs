namespace Qwen.Tools;

/// <summary>How <see cref="DocumentChunker"/> splits a document.</summary>
public sealed class ChunkingOptions
{
    /// <summary>Gets or sets the most tokens a chunk may hold, markers and overlap included.</summary>
    /// <value>The default value is 512, as in Qwen-Agent.</value>
    public int MaxTokens { get; set; } = 512;

    /// <summary>
    /// Gets or sets how many tokens of the end of a chunk (whole sentences from the same page) are repeated at the start of the next;
    /// at most a quarter of <see cref="MaxTokens"/> is used.
    /// </summary>
    /// <value>The default value is 40 (Qwen-Agent repeats about 150 characters).</value>
    public int OverlapTokens { get; set; } = 40;

    /// <summary>Gets the overlap actually used: <see cref="OverlapTokens"/>, at most a quarter of <see cref="MaxTokens"/>.</summary>
    internal int EffectiveOverlapTokens => Math.Min(OverlapTokens, MaxTokens / 4);

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it and the allowed range.</exception>
    public void Validate()
    {
        if (MaxTokens < 32)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, $"{nameof(ChunkingOptions)}.{nameof(MaxTokens)} must be at least 32.");
        }

        if (OverlapTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(OverlapTokens), OverlapTokens, $"{nameof(ChunkingOptions)}.{nameof(OverlapTokens)} must not be negative.");
        }
    }
}
