namespace Qwen.Tools;

/// <summary>Where the code interpreter keeps its files and the limits each call runs under.</summary>
/// <remarks>
/// Every limit applies to one call; each is enforced inside the worker process (by the JavaScript engine) and,
/// for time and memory, also from outside by the host, which kills a worker that overruns them.
/// </remarks>
public sealed class CodeInterpreterOptions
{
    /// <summary>The folder the sessions read and write files in.</summary>
    /// <value>The default value is <c>qwen-code-interpreter</c> under the system's temporary folder.</value>
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "qwen-code-interpreter");

    /// <summary>Whether each session works in a folder of its own, <c>{WorkDirectory}/{sessionId}</c>; when <see langword="false"/> every session shares <see cref="WorkDirectory"/> itself, as in Qwen-Agent.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool IsolateSessionDirectories { get; set; } = true;

    /// <summary>The longest one call may run (wall time).</summary>
    /// <value>The default value is 30 seconds. Allowed: 100 ms to 1 hour.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most JavaScript statements one call may execute: a deterministic bound on CPU work.</summary>
    /// <value>The default value is 100,000,000 (a few seconds of tight loop). Allowed: 1,000 to <see cref="int.MaxValue"/>.</value>
    public int MaxStatements { get; set; } = 100_000_000;

    /// <summary>The most managed memory one call may allocate, counting what it has already released.</summary>
    /// <value>The default value is 1 GiB. Allowed: 1 MiB to 64 GiB.</value>
    public long MaxAllocatedBytes { get; set; } = 1L << 30;

    /// <summary>The most memory a session's worker process may hold: its garbage-collected heap is capped at this size, and the host kills the worker when its resident memory passes this plus 256 MiB of runtime overhead.</summary>
    /// <value>The default value is 1 GiB. Allowed: 64 MiB to 64 GiB.</value>
    public long WorkerMemoryLimit { get; set; } = 1L << 30;

    /// <summary>How many times one function may be on the call stack at once.</summary>
    /// <value>The default value is 1,000. Allowed: 10 to 100,000.</value>
    public int MaxRecursionDepth { get; set; } = 1_000;

    /// <summary>The longest one regular expression match may run.</summary>
    /// <value>The default value is 2 seconds. Allowed: 10 ms to 1 minute.</value>
    public TimeSpan RegexTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most characters of printed output (with the last expression's value) one call returns; the rest is cut and the result says so.</summary>
    /// <value>The default value is 20,000. Allowed: 100 to 10,000,000.</value>
    public int MaxOutputChars { get; set; } = 20_000;

    /// <summary>The longest code one call accepts, in characters.</summary>
    /// <value>The default value is 1,000,000.</value>
    public int MaxCodeChars { get; set; } = 1_000_000;

    /// <summary>The largest file the helpers (<c>readText</c>, <c>readCsv</c>, ...) read, and the most bytes one call may write to files in all (<c>writeText</c>, <c>writeJson</c>, charts).</summary>
    /// <value>The default value is 64 MiB. Allowed: 1 KiB to 4 GiB.</value>
    public long MaxFileBytes { get; set; } = 64L << 20;

    /// <summary>How long a session may stay unused before its worker is stopped and its state (variables, functions) is dropped; its files stay.</summary>
    /// <value>The default value is 15 minutes.</value>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The most sessions (worker processes) alive at once; opening one more closes the least recently used idle session.</summary>
    /// <value>The default value is 16. Allowed: 1 to 1,024.</value>
    public int MaxSessions { get; set; } = 16;

    /// <summary>Whether to keep one spare worker process started and warmed up, so a new session answers its first call quickly.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool PrewarmWorker { get; set; } = true;

    /// <summary>The worker executable (<c>Qwen.Tools.CodeWorker.dll</c>); <see langword="null"/> looks for it next to the application and next to Qwen.Tools.dll.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? WorkerPath { get; set; }

    /// <summary>The <c>dotnet</c> executable that starts workers; <see langword="null"/> uses the one running the current process.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? DotnetPath { get; set; }

    /// <summary>The clock idle sessions are measured against.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks every setting, naming the first one out of its allowed range.</summary>
    /// <exception cref="ArgumentException">A setting is out of range or missing.</exception>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(WorkDirectory))
        {
            throw new ArgumentException("CodeInterpreterOptions.WorkDirectory must be a folder path; it is empty.", nameof(WorkDirectory));
        }

        Check(Timeout >= TimeSpan.FromMilliseconds(100) && Timeout <= TimeSpan.FromHours(1), nameof(Timeout), "between 100 ms and 1 hour", Timeout);
        Check(MaxStatements >= 1_000, nameof(MaxStatements), "at least 1,000", MaxStatements);
        Check(MaxAllocatedBytes is >= 1L << 20 and <= 64L << 30, nameof(MaxAllocatedBytes), "between 1 MiB and 64 GiB", MaxAllocatedBytes);
        Check(WorkerMemoryLimit is >= 64L << 20 and <= 64L << 30, nameof(WorkerMemoryLimit), "between 64 MiB and 64 GiB", WorkerMemoryLimit);
        Check(MaxRecursionDepth is >= 10 and <= 100_000, nameof(MaxRecursionDepth), "between 10 and 100,000", MaxRecursionDepth);
        Check(RegexTimeout >= TimeSpan.FromMilliseconds(10) && RegexTimeout <= TimeSpan.FromMinutes(1), nameof(RegexTimeout), "between 10 ms and 1 minute", RegexTimeout);
        Check(MaxOutputChars is >= 100 and <= 10_000_000, nameof(MaxOutputChars), "between 100 and 10,000,000", MaxOutputChars);
        Check(MaxCodeChars >= 1, nameof(MaxCodeChars), "at least 1", MaxCodeChars);
        Check(MaxFileBytes is >= 1L << 10 and <= 4L << 30, nameof(MaxFileBytes), "between 1 KiB and 4 GiB", MaxFileBytes);
        Check(IdleTimeout > TimeSpan.Zero, nameof(IdleTimeout), "positive", IdleTimeout);
        Check(MaxSessions is >= 1 and <= 1_024, nameof(MaxSessions), "between 1 and 1,024", MaxSessions);
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }

    private static void Check(bool valid, string name, string allowed, object actual)
    {
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(name, actual, $"CodeInterpreterOptions.{name} must be {allowed}; it is {actual}.");
        }
    }
}
