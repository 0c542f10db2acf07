namespace Qwen.Tools;

/// <summary>A document read by <see cref="DocumentParser"/>, keeping its structure: pages of paragraphs with page numbers.</summary>
/// <param name="Source">The path or URL it was read from.</param>
/// <param name="Title">The document's title (from its metadata, its first heading, or its file name).</param>
/// <param name="ContentHash">The SHA-256 of the file's bytes, lower-case hex: the key of the parse and index caches.</param>
/// <param name="Pages">The pages in order.</param>
public sealed record ParsedDocument(string Source, string Title, string ContentHash, IReadOnlyList<DocumentPage> Pages)
{
    /// <summary>Gets the whole text: pages separated by a blank line.</summary>
    public string Text => string.Join("\n\n", Pages.Select(p => p.Text));

    /// <summary>
    /// Gets what the reader could not read and left out while the rest was read (an annotation's appearance or a font program
    /// the PDF library failed on, a page skipped), one sentence each, naming the page; empty when nothing was left out.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
