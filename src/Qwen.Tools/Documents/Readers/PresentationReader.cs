using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using A = DocumentFormat.OpenXml.Drawing;
using Dgm = DocumentFormat.OpenXml.Drawing.Diagrams;
using P = DocumentFormat.OpenXml.Presentation;

namespace Qwen.Tools;

/// <summary>
/// Reads PPTX: one page per slide with its title as a heading, its text (top to bottom), its tables as Markdown rows, the text of
/// its SmartArt diagrams, and its speaker notes. Shapes stored twice as alternatives (a newer form and a fallback) are read once.
/// </summary>
internal sealed class PresentationReader(DocumentParserOptions options) : IDocumentReader
{
    public DocumentContent Read(ReadOnlyMemory<byte> content, string fileName, string? charset, CancellationToken cancellationToken)
    {
        using var document = OfficePackage.Open(
            content, fileName, "PPTX", options, (stream, settings) => PresentationDocument.Open(stream, false, settings));
        var presentationPart = document.PresentationPart ?? throw new DocumentParseException(fileName, "the PPTX package has no presentation part.");
        var slideIds = presentationPart.Presentation?.SlideIdList?.Elements<P.SlideId>() ?? [];

        var pages = new List<DocumentPage>();
        string? firstTitle = null;
        var diagrams = new HashSet<OpenXmlPart>();
        var slides = new HashSet<SlidePart>();
        foreach (var slideId in slideIds)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var number = pages.Count + 1;
            if (slideId.RelationshipId?.Value is not { } relationshipId || !presentationPart.TryGetPartById(relationshipId, out var part) || part is not SlidePart slidePart)
            {
                throw new DocumentParseException(fileName, $"slide {number} refers to a missing part.");
            }

            if (!slides.Add(slidePart))
            {
                // A slide listed again is the same slide (and a small file listing one large slide thousands of times would
                // multiply its text): read once.
                continue;
            }

            var paragraphs = ReadSlide(slidePart, diagrams, ref firstTitle);
            if (slidePart.NotesSlidePart?.NotesSlide is { } notes)
            {
                var text = string.Join('\n', notes.Descendants<P.Shape>().Where(s => PlaceholderType(s) == P.PlaceholderValues.Body).Select(ShapeText).Where(t => t.Length > 0));
                if (text.Length > 0)
                {
                    paragraphs.Add(new DocumentParagraph(DocumentParagraphKind.Notes, "Notes: " + text));
                }
            }

            pages.Add(new DocumentPage(number, paragraphs));
        }

        return OfficePackage.Content(document, pages, firstTitle);
    }

    private static List<DocumentParagraph> ReadSlide(SlidePart slidePart, HashSet<OpenXmlPart> diagrams, ref string? firstTitle)
    {
        var paragraphs = new List<DocumentParagraph>();
        var tree = slidePart.Slide?.CommonSlideData?.ShapeTree;
        if (tree is null)
        {
            return paragraphs;
        }

        var items = new List<(long Y, long X, int Order, DocumentParagraph Paragraph)>();
        var order = 0;
        foreach (var element in Shown(tree))
        {
            switch (element)
            {
                case P.Shape shape when ShapeText(shape) is { Length: > 0 } text:
                    var (x, y) = Offset(shape.ShapeProperties?.Transform2D?.Offset);
                    if (PlaceholderType(shape) is { } type && (type == P.PlaceholderValues.Title || type == P.PlaceholderValues.CenteredTitle))
                    {
                        firstTitle ??= text;
                        paragraphs.Add(new DocumentParagraph(DocumentParagraphKind.Heading, "# " + text, 1));
                    }
                    else
                    {
                        items.Add((y, x, order++, new DocumentParagraph(DocumentParagraphKind.Text, text)));
                    }

                    break;
                case P.GraphicFrame frame when frame.Descendants<A.Table>().FirstOrDefault() is { } table:
                    var rows = table.Elements<A.TableRow>()
                        .Select(r => (IReadOnlyList<string>)[.. r.Elements<A.TableCell>().Select(c => ParagraphsText(c.Descendants<A.Paragraph>(), " "))])
                        .ToList();
                    var (fx, fy) = Offset(frame.Transform?.Offset);
                    items.Add((fy, fx, order++, new DocumentParagraph(DocumentParagraphKind.Table, MarkdownTable.Render(rows))));
                    break;
                case P.GraphicFrame frame when frame.Descendants<Dgm.RelationshipIds>().FirstOrDefault() is { } ids
                    && OfficeDiagram.NodeTexts(ids, diagrams) is { Count: > 0 } nodes:
                    var (dx, dy) = Offset(frame.Transform?.Offset);
                    items.Add((dy, dx, order++, new DocumentParagraph(DocumentParagraphKind.Text, string.Join('\n', nodes))));
                    break;
            }
        }

        // Shapes are stored in z-order; people read a slide top to bottom, left to right.
        paragraphs.AddRange(items.OrderBy(i => i.Y).ThenBy(i => i.X).ThenBy(i => i.Order).Select(i => i.Paragraph));
        return paragraphs;
    }

    /// <summary>The elements of a shape tree in document order, with only the first of alternative forms (mc:AlternateContent).</summary>
    private static IEnumerable<OpenXmlElement> Shown(OpenXmlElement parent)
    {
        foreach (var child in parent.ChildElements)
        {
            if (child is AlternateContent alternatives)
            {
                var chosen = alternatives.GetFirstChild<AlternateContentChoice>() ?? (OpenXmlElement?)alternatives.GetFirstChild<AlternateContentFallback>();
                if (chosen is not null)
                {
                    foreach (var element in Shown(chosen))
                    {
                        yield return element;
                    }
                }

                continue;
            }

            yield return child;
            foreach (var element in Shown(child))
            {
                yield return element;
            }
        }
    }

    private static (long X, long Y) Offset(A.Offset? offset) => (offset?.X?.Value ?? 0, offset?.Y?.Value ?? 0);

    private static P.PlaceholderValues? PlaceholderType(P.Shape shape)
    {
        var placeholder = shape.NonVisualShapeProperties?.ApplicationNonVisualDrawingProperties?.PlaceholderShape;
        if (placeholder is null)
        {
            return null;
        }

        // A placeholder without a type is a body placeholder.
        return placeholder.Type?.Value ?? P.PlaceholderValues.Body;
    }

    private static string ShapeText(P.Shape shape) =>
        shape.TextBody is null ? string.Empty : ParagraphsText(shape.TextBody.Elements<A.Paragraph>(), "\n");

    private static string ParagraphsText(IEnumerable<A.Paragraph> paragraphs, string separator)
    {
        var lines = new List<string>();
        foreach (var paragraph in paragraphs)
        {
            var text = new StringBuilder();
            foreach (var node in paragraph.Elements<OpenXmlElement>())
            {
                switch (node)
                {
                    case A.Run run:
                        text.Append(run.Text?.Text);
                        break;
                    case A.Field field:
                        text.Append(field.Text?.Text);
                        break;
                    case A.Break:
                        text.Append('\n');
                        break;
                }
            }

            var line = text.ToString().Trim();
            if (line.Length > 0)
            {
                var level = paragraph.ParagraphProperties?.Level?.Value ?? 0;
                lines.Add(level > 0 ? $"{new string(' ', 2 * (level - 1))}- {line}" : line);
            }
        }

        return string.Join(separator, lines);
    }
}
