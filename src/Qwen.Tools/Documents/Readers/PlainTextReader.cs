namespace Qwen.Tools;

/// <summary>Reads plain text and Markdown in any common encoding: paragraphs split at blank lines, Markdown <c>#</c> lines as headings.</summary>
internal sealed class PlainTextReader : IDocumentReader
{
    public DocumentContent Read(ReadOnlyMemory<byte> content, string fileName, string? charset, CancellationToken cancellationToken)
    {
        var text = TextDecoder.Decode(content.Span, charset).ReplaceLineEndings("\n");
        var paragraphs = new List<DocumentParagraph>();
        var lines = new List<string>();
        var inFence = false;
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.TrimEnd();
            if (trimmed.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }

            if (!inFence && HeadingLevel(trimmed) is int level and > 0)
            {
                Flush(lines, paragraphs);
                paragraphs.Add(new DocumentParagraph(DocumentParagraphKind.Heading, trimmed.Trim(), level));
            }
            else if (!inFence && trimmed.Length == 0)
            {
                Flush(lines, paragraphs);
            }
            else
            {
                lines.Add(trimmed);
            }

            if (paragraphs.Count % 1024 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        Flush(lines, paragraphs);
        var title = paragraphs.FirstOrDefault(p => p.Kind == DocumentParagraphKind.Heading)?.Text.TrimStart('#', ' ');
        return new DocumentContent(title, [new DocumentPage(1, paragraphs)]);
    }

    private static int HeadingLevel(string line)
    {
        var level = 0;
        while (level < line.Length && line[level] == '#')
        {
            level++;
        }

        return level is >= 1 and <= 6 && level < line.Length && line[level] == ' ' ? level : 0;
    }

    private static void Flush(List<string> lines, List<DocumentParagraph> paragraphs)
    {
        if (lines.Count == 0)
        {
            return;
        }

        var text = string.Join('\n', lines).Trim('\n');
        lines.Clear();
        if (text.Length > 0)
        {
            var isList = text.Length > 2 && text[0] is '-' or '*' or '+' && text[1] == ' ';
            paragraphs.Add(new DocumentParagraph(isList ? DocumentParagraphKind.ListItem : DocumentParagraphKind.Text, text));
        }
    }
}
