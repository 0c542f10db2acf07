namespace Qwen.Tools;

/// <summary>The limits and folder a worker's sandbox runs one session under (sent once, in the <c>init</c> message).</summary>
internal sealed class WorkerSettings
{
    public string WorkDirectory { get; set; } = string.Empty;

    public int TimeoutMs { get; set; } = 30_000;

    public int MaxStatements { get; set; } = 100_000_000;

    public long MaxAllocatedBytes { get; set; } = 1L << 30;

    public int MaxRecursionDepth { get; set; } = 1_000;

    public int RegexTimeoutMs { get; set; } = 2_000;

    public int MaxOutputChars { get; set; } = 20_000;

    public long MaxFileBytes { get; set; } = 64L << 20;

    public static WorkerSettings From(CodeInterpreterOptions options, string workDirectory) => new()
    {
        WorkDirectory = workDirectory,
        TimeoutMs = (int)options.Timeout.TotalMilliseconds,
        MaxStatements = options.MaxStatements,
        MaxAllocatedBytes = options.MaxAllocatedBytes,
        MaxRecursionDepth = options.MaxRecursionDepth,
        RegexTimeoutMs = (int)options.RegexTimeout.TotalMilliseconds,
        MaxOutputChars = options.MaxOutputChars,
        MaxFileBytes = options.MaxFileBytes,
    };
}
