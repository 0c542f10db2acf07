using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using A = DocumentFormat.OpenXml.Drawing;
using Dgm = DocumentFormat.OpenXml.Drawing.Diagrams;
using Wp = DocumentFormat.OpenXml.Drawing.Wordprocessing;
using M = DocumentFormat.OpenXml.Math;
using P = DocumentFormat.OpenXml.Presentation;
using S = DocumentFormat.OpenXml.Spreadsheet;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace Qwen.Tools.Tests.TestSupport;

/// <summary>Builds small DOCX, PPTX and XLSX files with OpenXml for reader tests.</summary>
internal static class OfficeFiles
{
    /// <summary>A Word document: heading, text, a two-item list, a table, a page break, and a second page.</summary>
    public static byte[] Docx(string? extraText = null)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            var styles = main.AddNewPart<StyleDefinitionsPart>();
            styles.Styles = new W.Styles(
                new W.Style(new W.StyleName { Val = "heading 1" }) { Type = W.StyleValues.Paragraph, StyleId = "Heading1" },
                new W.Style(new W.StyleName { Val = "heading 2" }) { Type = W.StyleValues.Paragraph, StyleId = "Heading2" });

            var body = new W.Body(
                Paragraph("Annual Report", "Heading1"),
                Paragraph("The harbor project finished ahead of schedule."),
                ListItem("First milestone reached"),
                ListItem("Second milestone reached"),
                Paragraph("Figures", "Heading2"),
                new W.Table(
                    Row("Quarter", "Revenue"),
                    Row("Q1", "1200"),
                    Row("Q2", "1350")),
                new W.Paragraph(new W.Run(new W.Break { Type = W.BreakValues.Page })),
                Paragraph("Second page text about the lighthouse."));
            if (extraText is not null)
            {
                body.Append(Paragraph(extraText));
            }

            main.Document = new W.Document(body);
        }

        return stream.ToArray();

        static W.Paragraph Paragraph(string text, string? style = null)
        {
            var paragraph = new W.Paragraph(new W.Run(new W.Text(text)));
            if (style is not null)
            {
                paragraph.PrependChild(new W.ParagraphProperties(new W.ParagraphStyleId { Val = style }));
            }

            return paragraph;
        }

        static W.Paragraph ListItem(string text) =>
            new(
                new W.ParagraphProperties(new W.NumberingProperties(new W.NumberingLevelReference { Val = 0 }, new W.NumberingId { Val = 1 })),
                new W.Run(new W.Text(text)));

        static W.TableRow Row(params string[] cells) =>
            new(cells.Select(c => new W.TableCell(new W.Paragraph(new W.Run(new W.Text(c))))));
    }

    /// <summary>
    /// A two-page Word document with what python-docx's paragraphs leave out: a header and a footer, a footnote on each page, an
    /// endnote, a text box written as Word writes it (DrawingML with a VML fallback), ruby text, a smart tag (Word 2003-2007),
    /// a SmartArt diagram, an equation, tracked changes, and page-number fields in the footer.
    /// </summary>
    public static byte[] DocxWithNotesAndMargins()
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            var header = main.AddNewPart<HeaderPart>();
            header.Header = new W.Header(new W.Paragraph(new W.Run(new W.Text("Harbor Authority, internal"))));
            var firstHeader = main.AddNewPart<HeaderPart>();
            firstHeader.Header = new W.Header(new W.Paragraph(new W.Run(new W.Text("Harbor Authority, internal"))));
            var footer = main.AddNewPart<FooterPart>();
            footer.Footer = new W.Footer(new W.Paragraph(
                new W.Run(new W.Text("Printed for the board, page")),
                new W.Run(new W.FieldChar { FieldCharType = W.FieldCharValues.Begin }),
                new W.Run(new W.FieldCode(" PAGE \\* Arabic ") { Space = SpaceProcessingModeValues.Preserve }),
                new W.Run(new W.FieldChar { FieldCharType = W.FieldCharValues.Separate }),
                new W.Run(new W.Text("3")),
                new W.Run(new W.FieldChar { FieldCharType = W.FieldCharValues.End }),
                new W.Run(new W.Text(" of") { Space = SpaceProcessingModeValues.Preserve }),
                new W.SimpleField(new W.Run(new W.Text("9"))) { Instruction = " NUMPAGES " }));

            var footnotes = main.AddNewPart<FootnotesPart>();
            footnotes.Footnotes = new W.Footnotes(
                new W.Footnote(new W.Paragraph(new W.Run(new W.SeparatorMark()))) { Type = W.FootnoteEndnoteValues.Separator, Id = -1 },
                new W.Footnote(new W.Paragraph(new W.Run(new W.ContinuationSeparatorMark()))) { Type = W.FootnoteEndnoteValues.ContinuationSeparator, Id = 0 },
                Note<W.Footnote>(1, "Measured at the north pier."),
                Note<W.Footnote>(2, "Survey of 2023."));
            var endnotes = main.AddNewPart<EndnotesPart>();
            endnotes.Endnotes = new W.Endnotes(
                new W.Endnote(new W.Paragraph(new W.Run(new W.SeparatorMark()))) { Type = W.FootnoteEndnoteValues.Separator, Id = -1 },
                Note<W.Endnote>(1, "Tables are in the appendix."));

            const string textBox = """
                <w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
                     xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
                     xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
                     xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
                     xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
                     xmlns:v="urn:schemas-microsoft-com:vml">
                  <w:r><w:t xml:space="preserve">Contact the harbor office. </w:t></w:r>
                  <w:r><mc:AlternateContent>
                    <mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">
                      <wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>
                      <wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV><wp:extent cx="914400" cy="457200"/>
                      <wp:wrapNone/><wp:docPr id="1" name="Text Box 1"/>
                      <a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>
                        <wps:spPr/><wps:txbx><w:txbxContent>
                          <w:p><w:r><w:t>Jane Smith</w:t></w:r></w:p><w:p><w:r><w:t>Harbor Master</w:t></w:r></w:p>
                        </w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>
                    <mc:Fallback><w:pict><v:shape style="width:72pt;height:36pt"><v:textbox><w:txbxContent>
                      <w:p><w:r><w:t>Jane Smith</w:t></w:r></w:p><w:p><w:r><w:t>Harbor Master</w:t></w:r></w:p>
                    </w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>
                  </mc:AlternateContent></w:r>
                  <w:r><w:t>Open daily.</w:t></w:r>
                </w:p>
                """;

            main.Document = new W.Document(new W.Body(
                new W.Paragraph(new W.Run(new W.Text("Tides rise twice a day.")), new W.Run(new W.FootnoteReference { Id = 1 })),
                new W.Paragraph(textBox),
                new W.Paragraph(new W.Run(new W.Break { Type = W.BreakValues.Page })),
                new W.Paragraph(
                    new W.Run(new W.Ruby(
                        new W.RubyProperties(new W.RubyAlign { Val = W.RubyAlignValues.Center }),
                        new W.RubyContent(new W.Run(new W.Text("みなと"))),
                        new W.RubyBase(new W.Run(new W.Text("港"))))),
                    new W.Run(new W.Text("の地図"))),
                new W.Paragraph("""
                    <w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:r><w:t xml:space="preserve">Ferries leave from </w:t></w:r><w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="place"><w:r><w:t>Oslo</w:t></w:r></w:smartTag></w:p>
                    """),
                new W.Paragraph(new W.Run(new W.Drawing(new Wp.Inline(
                    new Wp.Extent { Cx = 100, Cy = 100 },
                    new Wp.DocProperties { Id = 2, Name = "Diagram" },
                    new A.Graphic(new A.GraphicData(DiagramReference(main, "Survey", "Dredge"))
                    { Uri = "http://schemas.openxmlformats.org/drawingml/2006/diagram" }))))),
                new W.Paragraph(
                    new W.Run(new W.Text("Depth: ") { Space = SpaceProcessingModeValues.Preserve }),
                    new M.OfficeMath(new M.Radical(
                        new M.Degree(),
                        new M.Base(
                            new M.Run(new M.Text("h")),
                            new M.Run(new M.Text("+2")))))),
                new W.Paragraph(
                    new W.Run(new W.Text("The pier ") { Space = SpaceProcessingModeValues.Preserve }),
                    new W.DeletedRun(new W.Run(new W.DeletedText("was closed"))) { Id = "1", Author = "A" },
                    new W.MoveFromRun(new W.Run(new W.Text("in winter "))) { Id = "2", Author = "A" },
                    new W.InsertedRun(new W.Run(new W.Text("reopened"))) { Id = "3", Author = "A" },
                    new W.Run(new W.Text(".")),
                    new W.Run(new W.FootnoteReference { Id = 2 }),
                    new W.Run(new W.EndnoteReference { Id = 1 })),
                new W.SectionProperties(
                    new W.HeaderReference { Type = W.HeaderFooterValues.Default, Id = main.GetIdOfPart(header) },
                    new W.HeaderReference { Type = W.HeaderFooterValues.First, Id = main.GetIdOfPart(firstHeader) },
                    new W.FooterReference { Type = W.HeaderFooterValues.Default, Id = main.GetIdOfPart(footer) })));
        }

        return stream.ToArray();

        static T Note<T>(long id, string text)
            where T : W.FootnoteEndnoteType, new()
        {
            var note = new T { Id = id };
            note.Append(new W.Paragraph(
                new W.Run(new W.FootnoteReferenceMark()),
                new W.Run(new W.Text(" " + text) { Space = SpaceProcessingModeValues.Preserve })));
            return note;
        }
    }

    /// <summary>A presentation with two slides (title, body text, a table on the second) and speaker notes on the first.</summary>
    public static byte[] Pptx()
    {
        using var stream = new MemoryStream();
        using (var document = PresentationDocument.Create(stream, PresentationDocumentType.Presentation))
        {
            var presentationPart = document.AddPresentationPart();
            var first = AddSlide(presentationPart, "Quarterly Review", [TextShape(3, "Sales grew in every region.", 2000000)]);
            var notes = first.AddNewPart<NotesSlidePart>();
            notes.NotesSlide = new P.NotesSlide(new P.CommonSlideData(new P.ShapeTree(
                [.. GroupProperties(), Placeholder(2, P.PlaceholderValues.Body, "Mention the new warehouse.")])));

            var table = new P.GraphicFrame(
                new P.NonVisualGraphicFrameProperties(
                    new P.NonVisualDrawingProperties { Id = 4, Name = "Table" },
                    new P.NonVisualGraphicFrameDrawingProperties(),
                    new P.ApplicationNonVisualDrawingProperties()),
                new P.Transform(new A.Offset { X = 0, Y = 3000000 }, new A.Extents { Cx = 100, Cy = 100 }),
                new A.Graphic(new A.GraphicData(new A.Table(
                    new A.TableRow(Cell("Region"), Cell("Growth")) { Height = 10 },
                    new A.TableRow(Cell("North"), Cell("12%")) { Height = 10 }))
                { Uri = "http://schemas.openxmlformats.org/drawingml/2006/table" }));
            AddSlide(presentationPart, "Details", [TextShape(3, "Below the table.", 5000000), table]);

            presentationPart.Presentation = new P.Presentation(new P.SlideIdList(
                presentationPart.SlideParts.Select((part, i) => new P.SlideId { Id = (uint)(256 + i), RelationshipId = presentationPart.GetIdOfPart(part) })));
        }

        return stream.ToArray();

        static A.TableCell Cell(string text) =>
            new(new A.TextBody(new A.BodyProperties(), new A.Paragraph(new A.Run(new A.Text(text)))), new A.TableCellProperties());
    }

    /// <summary>A workbook with a sheet of strings, numbers, a boolean and a date, and a second sheet.</summary>
    public static byte[] Xlsx()
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            var strings = workbook.AddNewPart<SharedStringTablePart>();
            strings.SharedStringTable = new S.SharedStringTable(
                new S.SharedStringItem(new S.Text("Item")),
                new S.SharedStringItem(new S.Text("Price")),
                new S.SharedStringItem(new S.Text("Lamp | brass")));
            var styles = workbook.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = new S.Stylesheet(new S.CellFormats(
                new S.CellFormat { NumberFormatId = 0 },
                new S.CellFormat { NumberFormatId = 14, ApplyNumberFormat = true }));

            var first = workbook.AddNewPart<WorksheetPart>();
            first.Worksheet = new S.Worksheet(new S.SheetData(
                new S.Row(SharedCell("A1", 0), SharedCell("B1", 1), InlineCell("C1", "Sold"), InlineCell("D1", "Date")) { RowIndex = 1 },
                new S.Row(
                    SharedCell("A2", 2),
                    new S.Cell { CellReference = "B2", CellValue = new S.CellValue("19.5") },
                    new S.Cell { CellReference = "C2", DataType = S.CellValues.Boolean, CellValue = new S.CellValue("1") },
                    new S.Cell { CellReference = "D2", StyleIndex = 1, CellValue = new S.CellValue("45292") }) { RowIndex = 2 },
                new S.Row(InlineCell("A4", "Desk"), new S.Cell { CellReference = "C4", CellValue = new S.CellValue("3") }) { RowIndex = 4 }));
            var second = workbook.AddNewPart<WorksheetPart>();
            second.Worksheet = new S.Worksheet(new S.SheetData(new S.Row(InlineCell("A1", "Notes"))));

            workbook.Workbook = new S.Workbook(new S.Sheets(
                new S.Sheet { Name = "Inventory", SheetId = 1, Id = workbook.GetIdOfPart(first) },
                new S.Sheet { Name = "Other", SheetId = 2, Id = workbook.GetIdOfPart(second) }));
        }

        return stream.ToArray();

        static S.Cell SharedCell(string reference, int index) =>
            new() { CellReference = reference, DataType = S.CellValues.SharedString, CellValue = new S.CellValue(index.ToString(System.Globalization.CultureInfo.InvariantCulture)) };

        static S.Cell InlineCell(string reference, string text) =>
            new() { CellReference = reference, DataType = S.CellValues.InlineString, InlineString = new S.InlineString(new S.Text(text)) };
    }

    /// <summary>A Word document whose one paragraph refers to one footnote and shows one SmartArt diagram <paramref name="times"/> times.</summary>
    public static byte[] DocxRepeatingOneNoteAndOneDiagram(int times)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            var footnotes = main.AddNewPart<FootnotesPart>();
            footnotes.Footnotes = new W.Footnotes(new W.Footnote(new W.Paragraph(new W.Run(new W.Text("The only note.")))) { Id = 1 });
            var diagram = DiagramReference(main, "The only node");
            var paragraph = new W.Paragraph(new W.Run(new W.Text("Repeated")));
            for (var i = 0; i < times; i++)
            {
                paragraph.Append(new W.Run(new W.FootnoteReference { Id = 1 }));
                paragraph.Append(new W.Run(new W.Drawing(new Wp.Inline(
                    new Wp.Extent { Cx = 100, Cy = 100 },
                    new Wp.DocProperties { Id = (uint)(i + 1), Name = "Diagram" },
                    new A.Graphic(new A.GraphicData((Dgm.RelationshipIds)diagram.CloneNode(true)) { Uri = "http://schemas.openxmlformats.org/drawingml/2006/diagram" })))));
            }

            main.Document = new W.Document(new W.Body(paragraph));
        }

        return stream.ToArray();
    }

    /// <summary>
    /// One slide with a SmartArt diagram (its text only in the diagram's data part) and a shape stored twice as alternatives
    /// (a newer form and a fallback), as PowerPoint writes shapes with newer features.
    /// </summary>
    public static byte[] PptxWithDiagramAndAlternatives()
    {
        using var stream = new MemoryStream();
        using (var document = PresentationDocument.Create(stream, PresentationDocumentType.Presentation))
        {
            var presentationPart = document.AddPresentationPart();
            var slide = AddSlide(presentationPart, "Plan", []);
            var tree = slide.Slide!.CommonSlideData!.ShapeTree!;
            tree.Append(new AlternateContent(
                new AlternateContentChoice(TextShape(5, "Launch in May.", 1000000)) { Requires = "p14" },
                new AlternateContentFallback(TextShape(6, "Launch in May.", 1000000))));
            tree.Append(new P.GraphicFrame(
                new P.NonVisualGraphicFrameProperties(
                    new P.NonVisualDrawingProperties { Id = 7, Name = "Diagram" },
                    new P.NonVisualGraphicFrameDrawingProperties(),
                    new P.ApplicationNonVisualDrawingProperties()),
                new P.Transform(new A.Offset { X = 0, Y = 2000000 }, new A.Extents { Cx = 100, Cy = 100 }),
                new A.Graphic(new A.GraphicData(DiagramReference(slide, "Design", "Build", "Ship"))
                { Uri = "http://schemas.openxmlformats.org/drawingml/2006/diagram" })));
            slide.Slide.AddNamespaceDeclaration("p14", "http://schemas.microsoft.com/office/powerpoint/2010/main");
            presentationPart.Presentation = new P.Presentation(new P.SlideIdList(
                new P.SlideId { Id = 256, RelationshipId = presentationPart.GetIdOfPart(slide) }));
        }

        return stream.ToArray();
    }

    /// <summary>A SmartArt diagram data part of <paramref name="container"/> whose nodes show the texts, and the reference to it.</summary>
    private static Dgm.RelationshipIds DiagramReference(OpenXmlPartContainer container, params string[] nodes)
    {
        var data = container.AddNewPart<DiagramDataPart>();
        var points = new Dgm.PointList(new Dgm.Point { ModelId = "0", Type = Dgm.PointValues.Document });
        for (var i = 0; i < nodes.Length; i++)
        {
            points.Append(new Dgm.Point(new Dgm.TextBody(new A.BodyProperties(), new A.Paragraph(new A.Run(new A.Text(nodes[i])))))
            {
                ModelId = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            points.Append(new Dgm.Point(new Dgm.TextBody(new A.BodyProperties(), new A.Paragraph(new A.Run(new A.Text("connector")))))
            {
                ModelId = $"t{i}",
                Type = Dgm.PointValues.ParentTransition,
            });
        }

        data.DataModelRoot = new Dgm.DataModelRoot(points, new Dgm.ConnectionList());
        return new Dgm.RelationshipIds { DataPart = container.GetIdOfPart(data), LayoutPart = string.Empty, StylePart = string.Empty, ColorPart = string.Empty };
    }

    private static SlidePart AddSlide(PresentationPart presentation, string title, IEnumerable<OpenXmlElement> shapes)
    {
        var slide = presentation.AddNewPart<SlidePart>();
        var tree = new P.ShapeTree(GroupProperties());
        tree.Append(shapes);
        tree.Append(Placeholder(2, P.PlaceholderValues.Title, title));
        slide.Slide = new P.Slide(new P.CommonSlideData(tree));
        return slide;
    }

    private static OpenXmlElement[] GroupProperties() =>
    [
        new P.NonVisualGroupShapeProperties(
            new P.NonVisualDrawingProperties { Id = 1, Name = string.Empty },
            new P.NonVisualGroupShapeDrawingProperties(),
            new P.ApplicationNonVisualDrawingProperties()),
        new P.GroupShapeProperties(),
    ];

    private static P.Shape Placeholder(uint id, P.PlaceholderValues type, string text) =>
        new(
            new P.NonVisualShapeProperties(
                new P.NonVisualDrawingProperties { Id = id, Name = "Placeholder" },
                new P.NonVisualShapeDrawingProperties(),
                new P.ApplicationNonVisualDrawingProperties(new P.PlaceholderShape { Type = type })),
            new P.ShapeProperties(),
            new P.TextBody(new A.BodyProperties(), new A.Paragraph(new A.Run(new A.Text(text)))));

    private static P.Shape TextShape(uint id, string text, long y) =>
        new(
            new P.NonVisualShapeProperties(
                new P.NonVisualDrawingProperties { Id = id, Name = "Text" },
                new P.NonVisualShapeDrawingProperties(),
                new P.ApplicationNonVisualDrawingProperties()),
            new P.ShapeProperties(new A.Transform2D(new A.Offset { X = 0, Y = y }, new A.Extents { Cx = 100, Cy = 100 })),
            new P.TextBody(new A.BodyProperties(), new A.Paragraph(new A.Run(new A.Text(text)))));
}
