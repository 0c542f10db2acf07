namespace Qwen.Tools;

/// <summary>What a reader found: the title, when the format has one, the pages, and what it had to leave out.</summary>
internal sealed record DocumentContent(string? Title, IReadOnlyList<DocumentPage> Pages)
{
    /// <summary>Gets the parts the reader could not read and left out (an appearance, a font program), one sentence each, naming the page.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
