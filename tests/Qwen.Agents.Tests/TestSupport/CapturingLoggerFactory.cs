using Microsoft.Extensions.Logging;

namespace Qwen.Agents.Tests.TestSupport;

/// <summary>An <see cref="ILoggerFactory"/> that keeps every log entry (level, event id, message), for asserting what was logged.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory
{
    private readonly List<(LogLevel Level, EventId EventId, string Message)> _entries = [];
    private readonly Lock _lock = new();

    /// <summary>Gets the entries so far, in order.</summary>
    public IReadOnlyList<(LogLevel Level, EventId EventId, string Message)> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this);

    /// <inheritdoc />
    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._lock)
            {
                owner._entries.Add((logLevel, eventId, formatter(state, exception)));
            }
        }
    }
}
