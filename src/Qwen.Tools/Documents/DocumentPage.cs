namespace Qwen.Tools;

/// <summary>One page of a parsed document: a PDF page, a slide, a spreadsheet sheet, or a page of a flowing document.</summary>
/// <param name="Number">The 1-based page (slide, sheet) number.</param>
/// <param name="Paragraphs">The paragraphs in reading order.</param>
public sealed record DocumentPage(int Number, IReadOnlyList<DocumentParagraph> Paragraphs)
{
    /// <summary>Gets the page's text: its paragraphs, one a line.</summary>
    public string Text => string.Join('\n', Paragraphs.Select(p => p.Text));
}
