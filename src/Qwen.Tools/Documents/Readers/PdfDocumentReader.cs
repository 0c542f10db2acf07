using UglyToad.PdfPig;
using UglyToad.PdfPig.AcroForms;
using UglyToad.PdfPig.AcroForms.Fields;
using UglyToad.PdfPig.Annotations;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Exceptions;
using UglyToad.PdfPig.Tokens;

namespace Qwen.Tools;

/// <summary>
/// Reads PDF text in reading order, page by page, with tables kept as rows where the layout allows (PdfPig), plus the values of
/// form fields and the text of annotations. A file the strict parser refuses is read again leniently.
/// </summary>
internal sealed class PdfDocumentReader : IDocumentReader
{
    /// <summary>Options of a list box named in its line at most.</summary>
    private const int MaxListOptions = 200;

    public DocumentContent Read(ReadOnlyMemory<byte> content, string fileName, string? charset, CancellationToken cancellationToken)
    {
        string? headerWarning = null;
        if (!HasHeader(content.Span))
        {
            if (!HasPdfBody(content.Span))
            {
                throw new DocumentParseException(fileName, "not a PDF file (no '%PDF-' header).");
            }

            // A damaged header ("%PDF1.4", "%1.4", none) in front of PDF objects: poppler reads such a file with a warning
            // ("May not be a PDF file (continuing anyway)"), and PdfPig does too once it has a header to start from.
            content = new ReadOnlyMemory<byte>([.. "%PDF-1.7\n"u8, .. content.Span]);
            headerWarning = "The file has no valid '%PDF-' header; it was read as a PDF because its body is one.";
        }

        // Streams without the end-of-line before 'endstream' make PdfPig cut or lose them, or the whole file; repaired first.
        content = PdfEndstreamRepair.Repaired(content.Span) ?? content;

        // Cross-reference streams declaring impossible field widths make PdfPig overflow the stack (uncatchable): zeroed first.
        content = PdfXrefWidthRepair.Repaired(content.Span) ?? content;
        try
        {
            // Strict first: it reads well-formed files exactly. Lenient parsing recovers what poppler recovers (an unbalanced
            // graphics-state stack, broken cross-references) but guesses, so it is the fallback.
            return WithWarning(Read(WithPdf17Header(content), fileName, lenient: false, cancellationToken), headerWarning);
        }
        catch (DocumentParseException strict) when (strict.InnerException is not PdfDocumentEncryptedException and not null)
        {
            try
            {
                var recovered = Read(content, fileName, lenient: true, cancellationToken);
                if (recovered.Pages.Any(p => p.Paragraphs.Count > 0))
                {
                    return WithWarning(recovered, headerWarning);
                }
            }
            catch (DocumentParseException lenient) when (lenient.InnerException is PdfDocumentEncryptedException)
            {
                // The strict parser stopped before it reached the encryption: the lenient reading's reason is the one.
                throw;
            }
            catch (DocumentParseException)
            {
                // The lenient reading failed too; the strict reading's reason is the more precise one.
            }

            throw;
        }
    }

    private static DocumentContent Read(ReadOnlyMemory<byte> content, string fileName, bool lenient, CancellationToken cancellationToken, bool repaired = false)
    {
        PdfDocument pdf;
        try
        {
            pdf = PdfDocument.Open(content, new ParsingOptions { UseLenientParsing = lenient, SkipMissingFonts = true });
        }
        catch (PdfDocumentEncryptedException e)
        {
            throw new DocumentParseException(fileName, "the PDF is encrypted and needs a password to open.", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new DocumentParseException(fileName, Describe(e, "the PDF is damaged or truncated", "the PDF library failed to open the file"), e);
        }

        using (pdf)
        {
            var pageDictionaries = PdfNestingGuard.Pages(pdf);
            if (!repaired && PdfFontEntryRepair.Repaired(content, pdf, pageDictionaries.Select(p => p.Resources)) is { } withoutWrongEntries)
            {
                return Read(withoutWrongEntries, fileName, lenient, cancellationToken, repaired: true);
            }

            var warnings = new List<string>();
            var fields = FormFields(pdf, warnings);
            var builtInEncodings = new PdfBuiltInEncodings(pdf, warnings);
            var glyphNames = new PdfGlyphNames(pdf, warnings);
            PdfAppearancePageFactory.Register(pdf);
            var pages = new List<DocumentPage>(pdf.NumberOfPages);
            DocumentParseException? firstFailure = null;
            var pagesWithText = 0;
            for (var number = 1; number <= pdf.NumberOfPages; number++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (number <= pageDictionaries.Count)
                {
                    PdfNestingGuard.Check(pdf, pageDictionaries[number - 1].Page, pageDictionaries[number - 1].Resources, fileName, number);
                }

                try
                {
                    var page = pdf.GetPage(number);
                    var appearance = number <= pageDictionaries.Count ? AppearanceText(pdf, pageDictionaries[number - 1].Page, number) : PdfAppearanceText.None;
                    warnings.AddRange(appearance.Warnings);
                    var resources = number <= pageDictionaries.Count ? pageDictionaries[number - 1].Resources : null;
                    var paragraphs = PdfPageLayout.Extract(page, number <= pageDictionaries.Count ? builtInEncodings.ForPage(resources, number) : null, appearance.Letters,
                        letters => glyphNames.Apply(letters, resources, number));
                    AppendFieldsAndAnnotations(page, number, fields.GetValueOrDefault(number), paragraphs, appearance, warnings);
                    pages.Add(new DocumentPage(number, paragraphs));
                    pagesWithText += paragraphs.Count > 0 ? 1 : 0;
                }
                catch (PdfDocumentEncryptedException e)
                {
                    throw new DocumentParseException(fileName, "the PDF is encrypted and needs a password to open.", e);
                }
                catch (Exception e) when (e is not OperationCanceledException and not DocumentParseException)
                {
                    var failure = new DocumentParseException(fileName, Describe(e, $"page {number} is damaged", $"the PDF library failed on page {number}"), e);
                    if (!lenient)
                    {
                        throw failure;
                    }

                    // The lenient reading is the last one: a page that fails even there is skipped with a note, and the other
                    // pages are read, as poppler does. One broken page (a missing object, a content stream the library trips on)
                    // no longer costs the whole document.
                    firstFailure ??= failure;
                    warnings.Add($"Page {number} was skipped: {failure.Reason}");
                    pages.Add(new DocumentPage(number, [new DocumentParagraph(DocumentParagraphKind.Text, $"[Page {number} could not be read: {failure.Reason}]")]));
                }
            }

            if (firstFailure is not null && pagesWithText == 0)
            {
                // Nothing but failures: the first failure says more than a document of notes.
                throw firstFailure;
            }

            var title = pdf.Information.Title;
            return new DocumentContent(string.IsNullOrWhiteSpace(title) ? null : PdfText.Clean(title).Trim(), pages) { Warnings = warnings };
        }
    }

    /// <summary>
    /// What a failure tells about the file: PdfPig's format errors describe the file ("page 3 is damaged (…)"); a framework
    /// exception thrown from inside the library (a null reference, an index out of range) is a bug there, and says so rather
    /// than passing its bare message off as a description of the file; a feature the library lacks is named as such.
    /// </summary>
    internal static string Describe(Exception e, string damaged, string libraryFailed) => e switch
    {
        // PdfPig says in so many words what it lacks (a JBIG2 inline image, for one): a limit of the library, not a bug.
        NotSupportedException or NotImplementedException => $"{libraryFailed}: it does not support what the file uses ({e.Message}).",
        NullReferenceException or IndexOutOfRangeException or ArgumentException or InvalidCastException or KeyNotFoundException
            or InvalidOperationException or OverflowException or DivideByZeroException
            => $"{libraryFailed}: {e.GetType().Name} (a bug in the PDF library on this file, not a known defect of the file).",
        _ => $"{damaged} ({e.Message}).",
    };

    /// <summary>
    /// The text the page's annotations draw in their appearance streams (see <see cref="PdfAppearancePageFactory"/>); none when
    /// no annotation has an appearance, or when PdfPig fails on them (the page's own text is read all the same, with a warning).
    /// </summary>
    private static PdfAppearanceText AppearanceText(PdfDocument pdf, DictionaryToken page, int number)
    {
        if (!PdfAppearancePageFactory.HasAppearances(pdf, page))
        {
            return PdfAppearanceText.None;
        }

        try
        {
            return pdf.GetPage<PdfAppearanceText>(number);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            return PdfAppearanceText.None with
            {
                Warnings = [$"Page {number}: the text of its annotations' appearances was left out: {Describe(e, "its annotations are damaged", $"the PDF library failed on page {number}")}"],
            };
        }
    }

    /// <summary>Form field values by page: text fields, choices and ticked boxes, each as a line labelled with the field's name, and the value alone.</summary>
    private static Dictionary<int, List<(string Line, string Value)>> FormFields(PdfDocument pdf, List<string> warnings)
    {
        var byPage = new Dictionary<int, List<(string Line, string Value)>>();
        try
        {
            // A field tree whose kids repeat (each field naming the same child twice, thirty levels deep) expands exponentially
            // in PdfPig's form reader: the values are given up, the page text is read.
            if (!PdfNestingGuard.IsFieldTree(pdf))
            {
                warnings.Add("The form field values were left out: the form's field tree repeats a field or holds too many to read.");
                return byPage;
            }

            if (!pdf.TryGetForm(out var form))
            {
                return byPage;
            }

            foreach (var field in form.Fields.SelectMany(f => f.GetFields()))
            {
                var value = field switch
                {
                    AcroTextField text => text.Value,
                    AcroComboBoxField combo => string.Join(", ", combo.SelectedOptions),
                    AcroListBoxField list => list.SelectedOptions.Count > 0 || list.Options.Count == 0 ? string.Join(", ", list.SelectedOptions) : "(none chosen)",
                    AcroCheckboxField box when box.IsChecked => "yes",
                    _ => null,
                };
                if (string.IsNullOrWhiteSpace(value))
                {
                    continue;
                }

                var label = field.Information.AlternateName ?? field.Information.PartialName;
                var line = PdfText.CleanTextString(string.IsNullOrWhiteSpace(label) ? value : $"{label}: {value}");
                var drawn = PdfText.CleanTextString(value);
                if (field is AcroListBoxField { Options.Count: > 0 } listBox)
                {
                    // A list box shows its options, not only the chosen ones; a viewer that builds the appearance itself (the form
                    // asks for it with /NeedAppearances, and the stored one is empty) draws them all, as poppler does.
                    var options = string.Join(", ", listBox.Options.Take(MaxListOptions).Select(o => o.Name));
                    line = PdfText.CleanTextString($"{line} (options: {options})");
                    drawn = PdfText.CleanTextString(options.Replace(", ", " ", StringComparison.Ordinal));
                }

                var page = field.PageNumber ?? 1;
                if (!byPage.TryGetValue(page, out var lines))
                {
                    byPage[page] = lines = [];
                }

                lines.Add((line, drawn));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // A damaged form dictionary loses the field values, not the page text PdfPig already reads.
            warnings.Add($"The form field values were left out: {Describe(e, "the form is damaged", "the PDF library failed on the form")}");
        }

        return byPage;
    }

    /// <summary>
    /// Adds the text a reader sees in form fields and in free-text, note and markup annotations, unless the page text already has it
    /// or an appearance stream draws it (a field whose appearance shows its value is laid out with the page, where it is seen, and
    /// not added again).
    /// </summary>
    private static void AppendFieldsAndAnnotations(Page page, int number, List<(string Line, string Value)>? fields, List<DocumentParagraph> paragraphs,
        PdfAppearanceText appearance, List<string> warnings)
    {
        var pageText = string.Join('\n', paragraphs.Select(p => p.Text));
        var extra = new List<string>();
        foreach (var (line, value) in fields ?? [])
        {
            if (!appearance.Draws(value))
            {
                extra.Add(line);
            }
        }

        try
        {
            foreach (var annotation in page.GetAnnotations())
            {
                if (annotation.Type is AnnotationType.FreeText or AnnotationType.Text or AnnotationType.Square or AnnotationType.Circle
                    or AnnotationType.Highlight or AnnotationType.Underline or AnnotationType.StrikeOut or AnnotationType.Stamp
                    && !string.IsNullOrWhiteSpace(annotation.Content))
                {
                    extra.Add(PdfText.CleanTextString(annotation.Content!));
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // Annotations are an extra; a damaged annotation array leaves the page text as it is.
            warnings.Add($"Page {number}: the text of its annotations was left out: {Describe(e, "its annotations are damaged", $"the PDF library failed on page {number}")}");
        }

        var added = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in extra)
        {
            var trimmed = text.Trim();
            if (trimmed.Length > 0 && added.Add(trimmed) && !pageText.Contains(trimmed, StringComparison.Ordinal) && !appearance.Draws(trimmed))
            {
                paragraphs.Add(new DocumentParagraph(DocumentParagraphKind.Text, trimmed));
            }
        }
    }

    /// <summary>
    /// The content with a '%PDF-2.x' header read as '%PDF-1.7': PdfPig's strict parser refuses a version comment past 1.7
    /// ("the comment which should have provided the version was in the wrong format"), though PDF 2.0 keeps 1.7's syntax
    /// and PdfPig reads it. Without this every PDF 2.0 file took the lenient, guessing reading; one without text (a scan, a
    /// drawing) or an encrypted one failed with the header's complaint instead of being read or said to be encrypted.
    /// </summary>
    private static ReadOnlyMemory<byte> WithPdf17Header(ReadOnlyMemory<byte> content)
    {
        var at = content.Span[..Math.Min(content.Length, 1024)].IndexOf("%PDF-2."u8);
        if (at < 0 || at + 8 > content.Length || !char.IsAsciiDigit((char)content.Span[at + 7]))
        {
            return content;
        }

        var copy = content.ToArray();
        copy[at + 5] = (byte)'1';
        copy[at + 7] = (byte)'7';
        return copy;
    }

    private static bool HasHeader(ReadOnlySpan<byte> bytes)
    {
        // The header may follow some junk bytes; readers accept it within the first kilobyte.
        var head = bytes[..Math.Min(bytes.Length, 1024)];
        return head.IndexOf("%PDF-"u8) >= 0;
    }

    /// <summary>Whether a file without a header holds PDF objects: an object in its first kilobyte, and a trailer or catalog.</summary>
    private static bool HasPdfBody(ReadOnlySpan<byte> bytes)
    {
        var head = bytes[..Math.Min(bytes.Length, 1024)];
        return head.IndexOf(" obj"u8) >= 0 && bytes.IndexOf("endobj"u8) >= 0
            && (bytes.LastIndexOf("trailer"u8) >= 0 || bytes.LastIndexOf("/Root"u8) >= 0);
    }

    private static DocumentContent WithWarning(DocumentContent content, string? warning) =>
        warning is null ? content : content with { Warnings = [warning, .. content.Warnings] };
}
