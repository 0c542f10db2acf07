namespace Qwen.Core;

/// <summary>A function call the model attempted but that could not be parsed or repaired; the conversation goes on.</summary>
/// <param name="RawText">The model's text of the attempted call, markers included, so nothing is lost.</param>
/// <param name="Reason">Why it could not be parsed, naming the position or the missing part.</param>
/// <param name="Name">The function name when it could still be recognised; otherwise <see langword="null"/>.</param>
public sealed record ToolCallParseErrorEvent(string RawText, string Reason, string? Name = null) : FunctionCallEvent;
