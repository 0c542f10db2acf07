namespace Qwen.Agents;

/// <summary>How <see cref="ChunkReadingStrategy"/> (Level 2) reads the chunks: how many at once, and how transient failures are retried.</summary>
public sealed class ChunkReadingOptions
{
    /// <summary>Gets or sets how many chunk calls run at the same time (the embedded runtime batches them; a server batches them too).</summary>
    /// <value>The default value is 8. Allowed: 1 to 256.</value>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Gets or sets the most tokens the model may write in reply to one chunk (its relevance verdict and quotes), so that a
    /// model that does not stop, or a server whose default reply length is unlimited, cannot stall the run on one chunk.</summary>
    /// <value>The default value is 1024, room to quote a whole 512-token chunk. Allowed: 16 to 32768.</value>
    public int MaxOutputTokens { get; set; } = 1024;

    /// <summary>Gets or sets how many times a chunk call is retried after a transient failure (a timeout, HTTP 429 or 5xx, a dropped connection).
    /// Other failures end the run at once. The retries are <see cref="RetryingChatClient"/>'s (which also honours a server's Retry-After).</summary>
    /// <value>The default value is 3. Allowed: 0 to 10.</value>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Gets or sets the wait before the first retry; it doubles at each retry, up to <see cref="MaxRetryDelay"/>, with jitter.</summary>
    /// <value>The default value is 500 ms.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the longest wait between retries.</summary>
    /// <value>The default value is 8 s.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Gets or sets the clock the retry waits use (tests pass a fake one).</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its allowed range; the message names it.</exception>
    public void Validate()
    {
        if (MaxConcurrency is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, $"{nameof(ChunkReadingOptions)}.{nameof(MaxConcurrency)} must be between 1 and 256.");
        }

        if (MaxOutputTokens is < 16 or > 32768)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxOutputTokens), MaxOutputTokens, $"{nameof(ChunkReadingOptions)}.{nameof(MaxOutputTokens)} must be between 16 and 32768.");
        }

        if (MaxRetries is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, $"{nameof(ChunkReadingOptions)}.{nameof(MaxRetries)} must be between 0 and 10.");
        }

        if (RetryDelay <= TimeSpan.Zero || MaxRetryDelay < RetryDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryDelay), RetryDelay, $"{nameof(ChunkReadingOptions)}.{nameof(RetryDelay)} must be positive and not above {nameof(MaxRetryDelay)}.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, $"{nameof(ChunkReadingOptions)}.{nameof(TimeProvider)}");
    }
}
