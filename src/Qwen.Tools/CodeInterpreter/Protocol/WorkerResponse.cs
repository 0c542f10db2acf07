namespace Qwen.Tools;

/// <summary>A message from a worker to the host: <c>hello</c> (started), <c>ready</c> (session set up) or <c>result</c> (of an execute).</summary>
internal sealed class WorkerResponse
{
    public const string Hello = "hello";
    public const string Ready = "ready";
    public const string Result = "result";

    public string Type { get; set; } = string.Empty;

    public long Id { get; set; }

    public string Output { get; set; } = string.Empty;

    public string? Value { get; set; }

    public bool OutputTruncated { get; set; }

    public long OmittedChars { get; set; }

    public WorkerError? Error { get; set; }

    /// <summary>Paths, relative to the session's work directory, of the images the call wrote.</summary>
    public List<string> Images { get; set; } = [];

    /// <summary>Whether the worker is about to exit because its state can no longer be trusted (it ran out of memory).</summary>
    public bool Fatal { get; set; }
}
