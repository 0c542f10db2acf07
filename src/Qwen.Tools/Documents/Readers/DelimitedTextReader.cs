namespace Qwen.Tools;

/// <summary>Reads CSV (RFC 4180, parsed by <see cref="CsvParser"/>) or TSV as one Markdown table.</summary>
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

    private List<string[]> Parse(string text, string fileName, CancellationToken cancellationToken)
    {
        try
        {
            // A row of empty fields (",,,") carries nothing worth a table row.
            return CsvParser.Parse(text, separator, cancellationToken).FindAll(row => Array.Exists(row, field => field.Length > 0));
        }
        catch (FormatException e)
        {
            throw new DocumentParseException(fileName, e.Message + ".");
        }
    }
}
