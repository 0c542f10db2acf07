namespace Qwen.Tools;

/// <summary>One session of the code interpreter: its folder, its worker process (while it has one) and its bookkeeping.</summary>
internal sealed class CodeSession(string id, string workDirectory)
{
    public string Id { get; } = id;

    public string WorkDirectory { get; } = workDirectory;

    /// <summary>Lets one call at a time into the session; whoever holds it may change the fields below.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public WorkerProcess? Worker { get; set; }

    /// <summary>When the session was last used, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long LastUsed { get; set; }

    /// <summary>Set once the session is closed (idle, evicted, reset): a caller that waited for it must open a new one.</summary>
    public bool Closed { get; set; }

    /// <summary>Something the next call's result should tell (for example that earlier state was dropped).</summary>
    public string? Notice { get; set; }

    public long CallCount { get; set; }
}
