using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Qwen.Tools;

/// <summary>Reads XLSX: one page per worksheet, holding a heading with the sheet's name and the sheet as a Markdown table (dates as ISO dates).</summary>
internal sealed class SpreadsheetReader(DocumentParserOptions options) : IDocumentReader
{
    /// <summary>
    /// How many times the size of its worksheet and shared-string parts a workbook's tables may be. Real sheets show less text than
    /// their XML holds (each cell's markup outweighs a short shared string and its table frame); one 1 MB shared string named by
    /// every cell of a 1 MB sheet (Apache POI's poc-shared-strings.xlsx, 2 MB zipped) would be 2 billion characters and took
    /// 4.3 GB, and 20,000 one-cell rows in column XFD (100 KB zipped), each 16,384 cells wide, took 8.4 GB.
    /// </summary>
    private const int MaxTextExpansion = 8;

    /// <summary>The text any workbook may have whatever its size, so that small sheets of long shared strings are read.</summary>
    private const long MinTextLimit = 4 * 1024 * 1024;

    /// <summary>The characters a Markdown table spends on each cell besides its text.</summary>
    private const int CellFrame = 3;

    public DocumentContent Read(ReadOnlyMemory<byte> content, string fileName, string? charset, CancellationToken cancellationToken)
    {
        using var document = OfficePackage.Open(
            content, fileName, "XLSX", options, (stream, settings) => SpreadsheetDocument.Open(stream, false, settings));
        var workbookPart = document.WorkbookPart ?? throw new DocumentParseException(fileName, "the XLSX package has no workbook part.");
        var sharedStrings = workbookPart.SharedStringTablePart?.SharedStringTable?.Elements<SharedStringItem>().Select(ItemText).ToList() ?? [];
        var dateStyles = DateStyleIndexes(workbookPart.WorkbookStylesPart?.Stylesheet);

        var pages = new List<DocumentPage>();
        var read = new HashSet<OpenXmlPart>();

        // One budget for the whole workbook, so that many small sheets naming one long shared string cannot add up either.
        var limit = Math.Max(MinTextLimit, MaxTextExpansion * (workbookPart.WorksheetParts.Sum(PartSize) + PartSize(workbookPart.SharedStringTablePart)));
        var budget = limit;
        foreach (var sheet in workbookPart.Workbook?.Sheets?.Elements<Sheet>() ?? [])
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = sheet.Name?.Value ?? $"Sheet{pages.Count + 1}";
            if (sheet.Id?.Value is not { } id || !workbookPart.TryGetPartById(id, out var part) || part is not WorksheetPart worksheetPart
                || !read.Add(worksheetPart))
            {
                // Chart sheets and dialog sheets hold no cells; a macro sheet may have no part at all (an empty id). A sheet
                // listed again under another name is the same cells, and is read once.
                continue;
            }

            var rows = ReadRows(worksheetPart, sharedStrings, dateStyles, cancellationToken, ref budget)
                ?? throw new DocumentParseException(
                    fileName,
                    $"the workbook's tables would be more than {limit:N0} characters by the sheet '{name}' ({MaxTextExpansion} times what its parts hold: shared strings repeated in many cells, or rows of cells far to the right); refused as a possible bomb.");
            var paragraphs = new List<DocumentParagraph> { new(DocumentParagraphKind.Heading, $"## Sheet: {name}", 2) };
            var table = MarkdownTable.Render(rows);
            if (table.Length > 0)
            {
                paragraphs.Add(new DocumentParagraph(DocumentParagraphKind.Table, table));
            }

            pages.Add(new DocumentPage(pages.Count + 1, paragraphs));
        }

        return OfficePackage.Content(document, pages, fallbackTitle: null);
    }

    private static long PartSize(OpenXmlPart? part)
    {
        if (part is null)
        {
            return 0;
        }

        using var stream = part.GetStream(FileMode.Open, FileAccess.Read);
        return stream.Length;
    }

    /// <summary>The sheet's rows of cell texts, spending <paramref name="budget"/> characters; <see langword="null"/> when the
    /// budget runs out.</summary>
    private static List<IReadOnlyList<string>>? ReadRows(
        WorksheetPart part, List<string> sharedStrings, HashSet<uint> dateStyles, CancellationToken cancellationToken, ref long budget)
    {
        var rows = new List<IReadOnlyList<string>>();

        // A streaming reader keeps memory flat on large sheets: only one row is loaded at a time.
        using var reader = OpenXmlReader.Create(part);
        while (reader.Read())
        {
            if (reader.ElementType != typeof(Row) || !reader.IsStartElement)
            {
                continue;
            }

            if (rows.Count % 1024 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var row = (Row)reader.LoadCurrentElement()!;
            var cells = new List<string>();
            foreach (var cell in row.Elements<Cell>())
            {
                // Each cell costs its text and its table cell's frame (" x |"), empty cells before it included.
                var column = ColumnIndex(cell.CellReference?.Value) ?? cells.Count;
                var text = CellText(cell, sharedStrings, dateStyles);
                budget -= text.Length + ((long)Math.Max(0, column - cells.Count) + 1) * CellFrame;
                if (budget < 0)
                {
                    return null;
                }

                while (cells.Count < column)
                {
                    cells.Add(string.Empty);
                }

                cells.Add(text);
            }

            if (cells.Exists(c => c.Length > 0))
            {
                rows.Add(cells);
            }
        }

        return rows;
    }

    private static string CellText(Cell cell, List<string> sharedStrings, HashSet<uint> dateStyles)
    {
        var raw = cell.CellValue?.Text ?? string.Empty;
        var type = cell.DataType?.Value;
        if (type == CellValues.SharedString)
        {
            return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) && index >= 0 && index < sharedStrings.Count
                ? sharedStrings[index]
                : raw;
        }

        if (type == CellValues.InlineString)
        {
            return cell.InlineString is { } inline ? ItemText(inline) : raw;
        }

        if (type == CellValues.Boolean)
        {
            return raw == "1" ? "TRUE" : "FALSE";
        }

        if ((type is null || type == CellValues.Number) && cell.StyleIndex?.Value is uint style && dateStyles.Contains(style)
            && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var serial) && serial is > -657435 and < 2958466)
        {
            var date = DateTime.FromOADate(serial);
            return date.TimeOfDay == TimeSpan.Zero
                ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                : date.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        }

        return raw;
    }

    /// <summary>The text of a shared or inline string, without its phonetic (ruby) runs.</summary>
    private static string ItemText(OpenXmlElement item) =>
        string.Concat(item.Descendants<Text>().Where(t => t.Parent is not PhoneticRun).Select(t => t.Text));

    /// <summary>The "A1"-style reference's 0-based column, or null when absent.</summary>
    private static int? ColumnIndex(string? reference)
    {
        if (string.IsNullOrEmpty(reference))
        {
            return null;
        }

        var column = 0;
        foreach (var c in reference)
        {
            if (c is >= 'A' and <= 'Z')
            {
                column = (column * 26) + (c - 'A' + 1);
            }
            else if (c is >= 'a' and <= 'z')
            {
                column = (column * 26) + (c - 'a' + 1);
            }
            else
            {
                break;
            }
        }

        // Columns stop at XFD (16,384); anything beyond is a damaged reference, placed at the end of the row instead.
        return column is > 0 and <= 16384 ? column - 1 : null;
    }

    /// <summary>The cell style indexes whose number format shows a date or time.</summary>
    private static HashSet<uint> DateStyleIndexes(Stylesheet? stylesheet)
    {
        var result = new HashSet<uint>();
        if (stylesheet?.CellFormats is null)
        {
            return result;
        }

        var custom = stylesheet.NumberingFormats?.Elements<NumberingFormat>()
            .Where(f => f.NumberFormatId?.Value is not null)
            .ToDictionary(f => f.NumberFormatId!.Value, f => f.FormatCode?.Value ?? string.Empty) ?? [];
        uint index = 0;
        foreach (var format in stylesheet.CellFormats.Elements<CellFormat>())
        {
            var id = format.NumberFormatId?.Value ?? 0;
            if (id is >= 14 and <= 22 or >= 45 and <= 47 || (custom.TryGetValue(id, out var code) && IsDateFormat(code)))
            {
                result.Add(index);
            }

            index++;
        }

        return result;
    }

    private static bool IsDateFormat(string code)
    {
        var inQuotes = false;
        var inBrackets = false;
        foreach (var c in code)
        {
            switch (c)
            {
                case '"':
                    inQuotes = !inQuotes;
                    break;
                case '[':
                    inBrackets = true;
                    break;
                case ']':
                    inBrackets = false;
                    break;
                case 'y' or 'Y' or 'd' or 'D' or 'h' or 'H' or 's' or 'S' or 'm' or 'M' when !inQuotes && !inBrackets:
                    return true;
            }
        }

        return false;
    }
}
