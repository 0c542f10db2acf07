using System.Text;

namespace Qwen.Tools;

/// <summary>Reads CSV (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes) or TSV as one Markdown table.</summary>
internal sealed class DelimitedTextReader(char separator) : IDocumentReader
{
    public DocumentContent Read(ReadOnlyMemory<byte> content, string fileName, string? charset, CancellationToken cancellationToken)
    {
        var text = TextDecoder.Decode(content.Span, charset);
        var rows = Parse(text, fileName, cancellationToken);
        var table = MarkdownTable.Render(rows);
        var paragraphs = table.Length == 0 ? new List<DocumentParagraph>() : [new DocumentParagraph(DocumentParagraphKind.Table, table)];
        return new DocumentContent(null, [new DocumentPage(1, paragraphs)]);
    }

    private List<IReadOnlyList<string>> Parse(string text, string fileName, CancellationToken cancellationToken)
    {
        var rows = new List<IReadOnlyList<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var quoteLine = 0;
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }

                continue;
            }

            if (c == '"' && field.Length == 0)
            {
                inQuotes = true;
                quoteLine = line;
            }
            else if (c == separator)
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                row.Add(field.ToString());
                field.Clear();
                AddRow(rows, row);
                row = [];
                line++;
                if (rows.Count % 4096 == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
            else
            {
                field.Append(c);
            }
        }

        if (inQuotes)
        {
            throw new DocumentParseException(fileName, $"a quoted field opened on line {quoteLine} is never closed.");
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            AddRow(rows, row);
        }

        return rows;
    }

    private static void AddRow(List<IReadOnlyList<string>> rows, List<string> row)
    {
        if (row.Exists(f => f.Length > 0))
        {
            rows.Add(row);
        }
    }
}
