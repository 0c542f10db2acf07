namespace Qwen.Tools;

/// <summary>What a paragraph of a parsed document is, so that readers of the structure can treat headings and tables differently.</summary>
public enum DocumentParagraphKind
{
    /// <summary>Running text.</summary>
    Text,

    /// <summary>A heading or title; <see cref="DocumentParagraph.Level"/> is its level (1 = top).</summary>
    Heading,

    /// <summary>An item of a bulleted or numbered list; <see cref="DocumentParagraph.Level"/> is its nesting depth (0 = top).</summary>
    ListItem,

    /// <summary>A table rendered as Markdown rows, one row a line.</summary>
    Table,

    /// <summary>Speaker notes of a slide.</summary>
    Notes,
}
