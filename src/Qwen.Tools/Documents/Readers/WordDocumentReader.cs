using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Dgm = DocumentFormat.OpenXml.Drawing.Diagrams;
using M = DocumentFormat.OpenXml.Math;

namespace Qwen.Tools;

/// <summary>
/// Reads DOCX: paragraphs, headings (by style or outline level), list items, and tables as Markdown rows. Pages follow the page
/// breaks Word recorded when it last laid the document out, or the explicit page breaks when it recorded none. Also what a
/// reader of the printed page sees and python-docx's paragraphs leave out: text boxes (once, though Word stores each twice),
/// SmartArt diagrams, smart tags, equations, footnotes (as Markdown footnotes at the foot of the page that refers to them),
/// endnotes (at the end), and the headers and footers (each distinct one once: headers before the first page's text, footers
/// after the last). Text as Word shows it with tracked changes accepted: no deleted or moved-away text, no ruby guides, no
/// field codes, no page numbers.
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
            Notes(mainPart.FootnotesPart?.Footnotes),
            Notes(mainPart.EndnotesPart?.Endnotes),
            useRenderedBreaks: body.Descendants<LastRenderedPageBreak>().Any(),
            cancellationToken);
        walker.VisitMargins(HeaderFooterParts<HeaderReference, HeaderPart>(mainPart, body).Select(p => p.Header));
        walker.VisitBlocks(body.Elements());
        var pages = walker.Finish(HeaderFooterParts<FooterReference, FooterPart>(mainPart, body).Select(p => p.Footer));

        var firstHeading = pages.SelectMany(p => p.Paragraphs).FirstOrDefault(p => p.Kind == DocumentParagraphKind.Heading)?.Text.TrimStart('#', ' ');
        return OfficePackage.Content(document, pages, firstHeading);
    }

    /// <summary>The header (or footer) parts the document's sections refer to, each once, in the order of the sections.</summary>
    private static IEnumerable<TPart> HeaderFooterParts<TReference, TPart>(MainDocumentPart mainPart, Body body)
        where TReference : HeaderFooterReferenceType
        where TPart : OpenXmlPart
    {
        var seen = new HashSet<OpenXmlPart>();
        foreach (var reference in body.Descendants<SectionProperties>().SelectMany(s => s.Elements<TReference>()))
        {
            if (reference.Id?.Value is { } id && mainPart.TryGetPartById(id, out var part) && part is TPart typed && seen.Add(part))
            {
                yield return typed;
            }
        }
    }

    /// <summary>Footnotes or endnotes by id, less the separators Word keeps among them.</summary>
    private static Dictionary<long, FootnoteEndnoteType> Notes(OpenXmlCompositeElement? notes)
    {
        var byId = new Dictionary<long, FootnoteEndnoteType>();
        foreach (var note in notes?.Elements<FootnoteEndnoteType>() ?? [])
        {
            var type = note.Type?.Value;
            if (note.Id?.Value is long id && (type is null || type == FootnoteEndnoteValues.Normal))
            {
                byId.TryAdd(id, note);
            }
        }

        return byId;
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

    private sealed class Walker(
        Dictionary<string, int> headingStyles,
        Dictionary<long, FootnoteEndnoteType> footnotes,
        Dictionary<long, FootnoteEndnoteType> endnotes,
        bool useRenderedBreaks,
        CancellationToken cancellationToken)
    {
        private const string WordNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

        private readonly List<DocumentPage> _pages = [];
        private readonly HashSet<string> _margins = [];
        private readonly HashSet<OpenXmlPart> _diagrams = [];
        private readonly List<(string Label, FootnoteEndnoteType Note)> _pageFootnotes = [];
        private readonly List<(string Label, FootnoteEndnoteType Note)> _endnotes = [];
        private readonly Dictionary<FootnoteEndnoteType, string> _noteLabels = [];
        private List<DocumentParagraph> _current = [];
        private int _footnoteCount;
        private int _endnoteCount;

        // Inside a table cell, a note, a header or a footer: paragraphs are kept as plain text and pages do not break.
        private bool _plain;

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
                    case AlternateContent alternatives when Chosen(alternatives) is { } chosen:
                        VisitBlocks(chosen.Elements());
                        break;
                    case CustomXmlBlock custom:
                        VisitBlocks(custom.Elements());
                        break;
                }
            }
        }

        /// <summary>Headers or footers: each distinct text once, as plain paragraphs (they repeat on every page of the document).</summary>
        public void VisitMargins(IEnumerable<OpenXmlCompositeElement?> parts)
        {
            foreach (var part in parts)
            {
                if (part is not null && PlainText(part.Elements()) is { Length: > 0 } text && _margins.Add(text))
                {
                    _current.Add(new DocumentParagraph(DocumentParagraphKind.Text, text));
                }
            }
        }

        /// <summary>Ends the last page with the endnotes (Word prints them after the document's text by default) and the footers.</summary>
        public List<DocumentPage> Finish(IEnumerable<OpenXmlCompositeElement?> footers)
        {
            AddPageFootnotes();
            foreach (var (label, note) in _endnotes)
            {
                AddNote(label, note);
            }

            VisitMargins(footers);
            NextPage();
            return _pages;
        }

        private void VisitParagraph(Paragraph paragraph)
        {
            var inline = new Inline();
            VisitInline(paragraph, paragraph, inline);
            Flush(paragraph, inline.Text);

            // A text box or a diagram is drawn where its paragraph is anchored; its text is read after that paragraph's own text.
            foreach (var anchored in inline.Anchored)
            {
                if (anchored is TextBoxContent box)
                {
                    VisitBlocks(box.Elements());
                }
                else if (anchored is Dgm.RelationshipIds diagram)
                {
                    _current.AddRange(OfficeDiagram.NodeTexts(diagram, _diagrams).Select(t => new DocumentParagraph(DocumentParagraphKind.Text, t)));
                }
            }
        }

        private void VisitInline(Paragraph paragraph, OpenXmlElement parent, Inline inline)
        {
            var text = inline.Text;
            foreach (var node in parent.ChildElements)
            {
                switch (node)
                {
                    case Text t when !inline.InPageNumber:
                        text.Append(t.Text);
                        break;
                    case OpenXmlUnknownElement { LocalName: "t" } unknown when unknown.NamespaceUri == WordNamespace && !inline.InPageNumber:
                        // Text inside elements the SDK no longer knows: smart tags (Word 2003-2007 marked names, places and
                        // dates with them; Word 2010 and later drop the tag and keep the text).
                        text.Append(unknown.InnerText);
                        break;
                    case M.Text math:
                        // An equation reads as its symbols in order ("x+1" under a root sign), as a plain-text copy gives it.
                        text.Append(math.Text);
                        break;
                    case FieldChar { FieldCharType.Value: var kind }:
                        inline.Field(kind);
                        break;
                    case FieldCode code:
                        inline.FieldCode(code.Text);
                        break;
                    case SimpleField simple when Inline.IsPageNumber(simple.Instruction?.Value):
                        break;
                    case TabChar or PositionalTab:
                        text.Append('\t');
                        break;
                    case Break { Type.Value: var type } when type == BreakValues.Page:
                        if (!useRenderedBreaks && !_plain)
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
                    case LastRenderedPageBreak:
                        if (useRenderedBreaks && !_plain)
                        {
                            Flush(paragraph, text);
                            NextPage();
                        }

                        break;
                    case FootnoteReference { Id.Value: long id } reference when footnotes.TryGetValue(id, out var footnote):
                        Mark(text, reference.CustomMarkFollows, NoteLabel(footnote, _pageFootnotes, () => (++_footnoteCount).ToString(CultureInfo.InvariantCulture)));
                        break;
                    case EndnoteReference { Id.Value: long id } reference when endnotes.TryGetValue(id, out var endnote):
                        Mark(text, reference.CustomMarkFollows, NoteLabel(endnote, _endnotes, () => RomanNumeral(++_endnoteCount)));
                        break;
                    case TextBoxContent or Dgm.RelationshipIds:
                        inline.Anchored.Add(node);
                        break;
                    case AlternateContent alternatives:
                        // Word writes a drawing twice, as DrawingML and as a VML fallback: read one of them.
                        if (Chosen(alternatives) is { } chosen)
                        {
                            VisitInline(paragraph, chosen, inline);
                        }

                        break;
                    case RubyContent or DeletedText or DeletedFieldCode or MoveFromRun:
                        // Ruby text is a reading aid printed above its base; deleted or moved-away text is not printed (the text
                        // reads as Word shows it with its tracked changes accepted).
                        break;
                    default:
                        VisitInline(paragraph, node, inline);
                        break;
                }
            }
        }

        private static OpenXmlElement? Chosen(AlternateContent alternatives) =>
            alternatives.GetFirstChild<AlternateContentChoice>() ?? (OpenXmlElement?)alternatives.GetFirstChild<AlternateContentFallback>();

        private void Flush(Paragraph paragraph, StringBuilder text)
        {
            var value = text.ToString().Trim();
            text.Clear();
            if (value.Length == 0)
            {
                return;
            }

            if (_plain)
            {
                _current.Add(new DocumentParagraph(DocumentParagraphKind.Text, value));
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
                rows.Add([.. row.Elements<TableCell>().Select(c => PlainText(c.Elements()))]);
            }

            if (_plain)
            {
                // A table inside a cell or a note is read as the words of its cells.
                var words = string.Join(' ', rows.SelectMany(r => r).Where(c => c.Length > 0));
                if (words.Length > 0)
                {
                    _current.Add(new DocumentParagraph(DocumentParagraphKind.Text, words));
                }

                return;
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

        /// <summary>The text of a cell, note, header or footer: its paragraphs (text boxes included) joined by spaces.</summary>
        private string PlainText(IEnumerable<OpenXmlElement> blocks)
        {
            var (saved, savedPlain) = (_current, _plain);
            (_current, _plain) = ([], true);
            try
            {
                VisitBlocks(blocks);
                return string.Join(' ', _current.Select(p => p.Text));
            }
            finally
            {
                (_current, _plain) = (saved, savedPlain);
            }
        }

        private void AddNote(string label, FootnoteEndnoteType note)
        {
            if (PlainText(note.Elements()) is { Length: > 0 } text)
            {
                _current.Add(new DocumentParagraph(DocumentParagraphKind.Text, $"[^{label}]: {text}"));
            }
        }

        /// <summary>
        /// The label of a note, numbered in the order of first reference; a note is queued (for its page's foot or the document's
        /// end) on its first reference only, so a note referred to again is not copied again.
        /// </summary>
        private string NoteLabel(FootnoteEndnoteType note, List<(string Label, FootnoteEndnoteType Note)> queue, Func<string> nextLabel)
        {
            if (!_noteLabels.TryGetValue(note, out var label))
            {
                label = nextLabel();
                _noteLabels.Add(note, label);
                queue.Add((label, note));
            }

            return label;
        }

        /// <summary>Writes a note's mark into the text, unless the document draws its own mark (the text that follows).</summary>
        private static void Mark(StringBuilder text, OnOffValue? customMarkFollows, string label)
        {
            if (customMarkFollows?.Value != true)
            {
                text.Append("[^").Append(label).Append(']');
            }
        }

        /// <summary>Footnotes are printed at the foot of the page that refers to them.</summary>
        private void AddPageFootnotes()
        {
            foreach (var (label, note) in _pageFootnotes)
            {
                AddNote(label, note);
            }

            _pageFootnotes.Clear();
        }

        private void NextPage()
        {
            AddPageFootnotes();
            _pages.Add(new DocumentPage(_pages.Count + 1, _current));
            _current = [];
        }

        /// <summary>What one paragraph's runs add up to: its text, its text boxes, and the fields open in it.</summary>
        private sealed class Inline
        {
            private readonly Stack<(StringBuilder Code, bool PageNumber)> _fields = new();
            private int _openPageNumbers;

            public StringBuilder Text { get; } = new();

            /// <summary>Gets the text boxes and SmartArt diagrams anchored in the paragraph.</summary>
            public List<OpenXmlElement> Anchored { get; } = [];

            /// <summary>Gets whether the text is a page number (PAGE, NUMPAGES, SECTIONPAGES fields): the number Word last
            /// printed, which differs on every page and is left out ("Page of" in a footer, not "Page 1 of 12" once).</summary>
            public bool InPageNumber => _openPageNumbers > 0;

            public static bool IsPageNumber(string? instruction) =>
                instruction?.Trim().Split(' ', 2)[0].ToUpperInvariant() is "PAGE" or "NUMPAGES" or "SECTIONPAGES";

            public void Field(FieldCharValues kind)
            {
                if (kind == FieldCharValues.Begin)
                {
                    _fields.Push((new StringBuilder(), false));
                }
                else if (kind == FieldCharValues.Separate && _fields.TryPop(out var field))
                {
                    // The code is complete; what follows up to the end is the field's result.
                    var pageNumber = !field.PageNumber && IsPageNumber(field.Code.ToString());
                    _openPageNumbers += pageNumber ? 1 : 0;
                    _fields.Push((field.Code, field.PageNumber || pageNumber));
                }
                else if (kind == FieldCharValues.End && _fields.TryPop(out var ended))
                {
                    _openPageNumbers -= ended.PageNumber ? 1 : 0;
                }
            }

            public void FieldCode(string code)
            {
                if (_fields.TryPeek(out var field))
                {
                    field.Code.Append(code);
                }
            }
        }

        private static string RomanNumeral(int number)
        {
            var text = new StringBuilder();
            foreach (var (value, numeral) in (ReadOnlySpan<(int, string)>)[(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")])
            {
                for (; number >= value; number -= value)
                {
                    text.Append(numeral);
                }
            }

            return text.ToString();
        }
    }
}
