using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Qwen.Tools;

/// <summary>
/// Reads DOCX: paragraphs, headings (by style or outline level), list items, and tables as Markdown rows. Pages follow the page
/// breaks Word recorded when it last laid the document out, or the explicit page breaks when it recorded none.
/// </summary>
internal sealed class WordDocumentReader(DocumentParserOptions options) : IDocumentReader
{
    public DocumentContent Read(ReadOnlyMemory<byte> content, string fileName, string? charset, CancellationToken cancellationToken)
    {
        using var document = OfficePackage.Open(
            content, fileName, "DOCX", options, (stream, settings) => WordprocessingDocument.Open(stream, false, settings));
        var mainPart = document.MainDocumentPart ?? throw new DocumentParseException(fileName, "the DOCX package has no main document part.");
        var body = mainPart.Document?.Body ?? throw new DocumentParseException(fileName, "the DOCX document has no body.");

        var walker = new Walker(
            StyleHeadingLevels(mainPart.StyleDefinitionsPart?.Styles),
            useRenderedBreaks: body.Descendants<LastRenderedPageBreak>().Any(),
            cancellationToken);
        walker.VisitBlocks(body.Elements());
        var pages = walker.Finish();

        var title = document.PackageProperties.Title;
        if (string.IsNullOrWhiteSpace(title))
        {
            title = pages.SelectMany(p => p.Paragraphs).FirstOrDefault(p => p.Kind == DocumentParagraphKind.Heading)?.Text.TrimStart('#', ' ');
        }

        return new DocumentContent(string.IsNullOrWhiteSpace(title) ? null : title, pages);
    }

    /// <summary>Maps style ids to heading levels: "Title" and "heading N" styles, or styles with an outline level, following basedOn.</summary>
    private static Dictionary<string, int> StyleHeadingLevels(Styles? styles)
    {
        var levels = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        if (styles is null)
        {
            return levels;
        }

        var byId = styles.Elements<Style>().Where(s => s.StyleId?.Value is not null).GroupBy(s => s.StyleId!.Value!).ToDictionary(g => g.Key, g => g.First());
        foreach (var (id, style) in byId)
        {
            var current = style;
            for (var depth = 0; current is not null && depth < 10; depth++)
            {
                var name = current.StyleName?.Val?.Value?.ToLowerInvariant() ?? string.Empty;
                if (name == "title")
                {
                    levels[id] = 1;
                    break;
                }

                if (name.StartsWith("heading ", StringComparison.Ordinal) && int.TryParse(name.AsSpan(8), out var level) && level is >= 1 and <= 9)
                {
                    levels[id] = level;
                    break;
                }

                if (current.StyleParagraphProperties?.OutlineLevel?.Val?.Value is int outline && outline < 9)
                {
                    levels[id] = outline + 1;
                    break;
                }

                var basedOn = current.BasedOn?.Val?.Value;
                current = basedOn is not null && byId.TryGetValue(basedOn, out var parent) ? parent : null;
            }
        }

        return levels;
    }

    private sealed class Walker(Dictionary<string, int> headingStyles, bool useRenderedBreaks, CancellationToken cancellationToken)
    {
        private readonly List<DocumentPage> _pages = [];
        private List<DocumentParagraph> _current = [];

        public void VisitBlocks(IEnumerable<OpenXmlElement> elements)
        {
            foreach (var element in elements)
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (element)
                {
                    case Paragraph paragraph:
                        VisitParagraph(paragraph);
                        break;
                    case Table table:
                        VisitTable(table);
                        break;
                    case SdtBlock block when block.SdtContentBlock is { } contentBlock:
                        VisitBlocks(contentBlock.Elements());
                        break;
                }
            }
        }

        public List<DocumentPage> Finish()
        {
            NextPage();
            return _pages;
        }

        private void VisitParagraph(Paragraph paragraph)
        {
            var text = new StringBuilder();
            foreach (var node in paragraph.Descendants())
            {
                switch (node)
                {
                    case Text t:
                        text.Append(t.Text);
                        break;
                    case TabChar:
                        text.Append('\t');
                        break;
                    case Break { Type.Value: var type } when type == BreakValues.Page:
                        if (!useRenderedBreaks)
                        {
                            Flush(paragraph, text);
                            NextPage();
                        }

                        break;
                    case Break or CarriageReturn:
                        text.Append('\n');
                        break;
                    case NoBreakHyphen:
                        text.Append('-');
                        break;
                    case LastRenderedPageBreak when useRenderedBreaks:
                        Flush(paragraph, text);
                        NextPage();
                        break;
                }
            }

            Flush(paragraph, text);
        }

        private void Flush(Paragraph paragraph, StringBuilder text)
        {
            var value = text.ToString().Trim();
            text.Clear();
            if (value.Length == 0)
            {
                return;
            }

            var properties = paragraph.ParagraphProperties;
            var styleId = properties?.ParagraphStyleId?.Val?.Value;
            var level = properties?.OutlineLevel?.Val?.Value is int outline && outline < 9 ? outline + 1
                : styleId is not null && headingStyles.TryGetValue(styleId, out var styleLevel) ? styleLevel
                : 0;
            if (level > 0)
            {
                _current.Add(new DocumentParagraph(DocumentParagraphKind.Heading, $"{new string('#', level)} {value}", level));
                return;
            }

            var numbering = properties?.NumberingProperties;
            if (numbering?.NumberingId?.Val?.Value is int numberingId && numberingId != 0
                || (styleId?.StartsWith("List", StringComparison.OrdinalIgnoreCase) ?? false))
            {
                var depth = numbering?.NumberingLevelReference?.Val?.Value ?? 0;
                _current.Add(new DocumentParagraph(DocumentParagraphKind.ListItem, $"{new string(' ', 2 * depth)}- {value}", depth));
                return;
            }

            _current.Add(new DocumentParagraph(DocumentParagraphKind.Text, value));
        }

        private void VisitTable(Table table)
        {
            var rows = new List<IReadOnlyList<string>>();
            foreach (var row in table.Elements<TableRow>())
            {
                cancellationToken.ThrowIfCancellationRequested();
                rows.Add([.. row.Elements<TableCell>().Select(CellText)]);
            }

            var rendered = MarkdownTable.Render(rows);
            if (rendered.Length > 0)
            {
                _current.Add(new DocumentParagraph(DocumentParagraphKind.Table, rendered));
            }

            if (useRenderedBreaks)
            {
                // Word records where a table crossed a page; the rows stay together and the page count moves on after them.
                for (var i = table.Descendants<LastRenderedPageBreak>().Count(); i > 0; i--)
                {
                    NextPage();
                }
            }
        }

        private static string CellText(TableCell cell) =>
            string.Join(' ', cell.Descendants<Paragraph>().Select(p => string.Concat(p.Descendants<Text>().Select(t => t.Text)).Trim()).Where(t => t.Length > 0));

        private void NextPage()
        {
            _pages.Add(new DocumentPage(_pages.Count + 1, _current));
            _current = [];
        }
    }
}
