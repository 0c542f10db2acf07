namespace Qwen.Tools;

/// <summary>A message from the host to a worker: <c>init</c> (settings), <c>execute</c> (code) or <c>cancel</c> (an execute by id).</summary>
internal sealed class WorkerRequest
{
    public const string Init = "init";
    public const string Execute = "execute";
    public const string Cancel = "cancel";

    public string Type { get; set; } = string.Empty;

    public long Id { get; set; }

    public string? Code { get; set; }

    public WorkerSettings? Settings { get; set; }
}
