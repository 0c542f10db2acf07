namespace Qwen.Tools;

/// <summary>The error of a failed <c>execute</c>, as the worker reports it.</summary>
internal sealed class WorkerError
{
    public CodeErrorKind Kind { get; set; }

    public string Name { get; set; } = string.Empty;

    public string Message { get; set; } = string.Empty;

    public int? Line { get; set; }

    public int? Column { get; set; }

    public string? Stack { get; set; }

    public CodeExecutionError ToPublic() => new()
    {
        Kind = Kind,
        Name = Name,
        Message = Message,
        Line = Line,
        Column = Column,
        StackTrace = Stack,
    };
}
