namespace Qwen.Tools;

/// <summary>What a reader found: the title, when the format has one, and the pages.</summary>
internal sealed record DocumentContent(string? Title, IReadOnlyList<DocumentPage> Pages);
