namespace Qwen.Agents.Tests.TestSupport;

/// <summary>
/// A <see cref="TimeProvider"/> whose timers fire at once and whose clock jumps forward by each delay, recording every
/// delay asked for, so code that waits (retries, backoff) is tested without sleeping.
/// </summary>
public sealed class InstantTimeProvider : TimeProvider
{
    private readonly List<TimeSpan> _delays = [];
    private readonly Lock _lock = new();
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Gets the delays timers were created with, in order (zero and infinite ones left out).</summary>
    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (_lock)
            {
                return [.. _delays];
            }
        }
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Elapse(TimeSpan delay)
    {
        lock (_lock)
        {
            _delays.Add(delay);
            _now += delay;
        }
    }

    private sealed class Timer(InstantTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private bool _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (_disposed || dueTime == Timeout.InfiniteTimeSpan)
            {
                return !_disposed;
            }

            if (dueTime > TimeSpan.Zero)
            {
                owner.Elapse(dueTime);
            }

            ThreadPool.QueueUserWorkItem(_ => callback(state));
            return true;
        }

        public void Dispose() => _disposed = true;

        public ValueTask DisposeAsync()
        {
            _disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
