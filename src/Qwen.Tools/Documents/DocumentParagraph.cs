namespace Qwen.Tools;

/// <summary>One paragraph of a parsed document: a heading, a run of text, a list item, a table or slide notes, as Markdown-style text.</summary>
/// <param name="Kind">What the paragraph is.</param>
/// <param name="Text">The text, rendered as Markdown (<c>## Heading</c>, <c>- item</c>, <c>| a | b |</c> rows).</param>
/// <param name="Level">The heading level or list depth; 0 otherwise.</param>
public sealed record DocumentParagraph(DocumentParagraphKind Kind, string Text, int Level = 0);
