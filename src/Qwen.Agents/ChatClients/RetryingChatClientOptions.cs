namespace Qwen.Agents;

/// <summary>Options of <see cref="RetryingChatClient"/>: how often and how long to wait before calling the model again after a transient failure.</summary>
public sealed class RetryingChatClientOptions
{
    /// <summary>Gets or sets the number of retries after the first attempt, from 0 to 100.</summary>
    /// <value>The default value is 0: no retries.</value>
    public int MaxRetries { get; set; }

    /// <summary>Gets or sets the delay before the first retry; each later retry waits twice as long (jittered), up to <see cref="MaxDelay"/>.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest computed delay between two attempts.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets a value indicating whether delays are jittered (decorrelated), so that many clients do not retry in step.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool UseJitter { get; set; } = true;

    /// <summary>Gets or sets the longest <c>Retry-After</c> a server may ask for; a server that asks for longer gets no retry (the error is thrown at once).</summary>
    /// <value>The default value is 60 seconds. A <c>Retry-After</c> up to this long is waited exactly, even beyond <see cref="MaxDelay"/>.</value>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the clock the delays are measured with.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="TimeProvider.System"/>.</value>
    public TimeProvider? TimeProvider { get; set; }
}
