using UglyToad.PdfPig;
using UglyToad.PdfPig.Exceptions;

namespace Qwen.Tools;

/// <summary>Reads PDF text in reading order, page by page, with tables kept as rows where the layout allows (PdfPig).</summary>
internal sealed class PdfDocumentReader : IDocumentReader
{
    public DocumentContent Read(ReadOnlyMemory<byte> content, string fileName, string? charset, CancellationToken cancellationToken)
    {
        if (!LooksLikePdf(content.Span))
        {
            throw new DocumentParseException(fileName, "not a PDF file (no '%PDF-' header).");
        }

        PdfDocument pdf;
        try
        {
            // Strict parsing: a truncated or damaged file is reported rather than half-read without a word.
            pdf = PdfDocument.Open(content, new ParsingOptions { UseLenientParsing = false, SkipMissingFonts = true });
        }
        catch (PdfDocumentEncryptedException e)
        {
            throw new DocumentParseException(fileName, "the PDF is encrypted and needs a password to open.", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new DocumentParseException(fileName, $"the PDF is damaged or truncated ({e.Message}).", e);
        }

        using (pdf)
        {
            var pages = new List<DocumentPage>(pdf.NumberOfPages);
            for (var number = 1; number <= pdf.NumberOfPages; number++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var page = pdf.GetPage(number);
                    pages.Add(new DocumentPage(number, PdfPageLayout.Extract(page)));
                }
                catch (PdfDocumentEncryptedException e)
                {
                    throw new DocumentParseException(fileName, "the PDF is encrypted and needs a password to open.", e);
                }
                catch (Exception e) when (e is not OperationCanceledException and not DocumentParseException)
                {
                    throw new DocumentParseException(fileName, $"page {number} is damaged ({e.Message}).", e);
                }
            }

            var title = pdf.Information.Title;
            return new DocumentContent(string.IsNullOrWhiteSpace(title) ? null : title.Trim(), pages);
        }
    }

    private static bool LooksLikePdf(ReadOnlySpan<byte> bytes)
    {
        // The header may follow some junk bytes; readers accept it within the first kilobyte.
        var head = bytes[..Math.Min(bytes.Length, 1024)];
        return head.IndexOf("%PDF-"u8) >= 0;
    }
}
