using System.Globalization;
using System.Text;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Qwen.Tools.Tests.TestSupport;

/// <summary>Builds PDFs for tests: text lines at given positions, and a hand-written encrypted file.</summary>
internal static class PdfFiles
{
    /// <summary>One line of text: its left edge, its baseline, its size and its text.</summary>
    public sealed record Line(double X, double Y, string Text, double Size = 11);

    public static byte[] Create(IEnumerable<IEnumerable<Line>> pages)
    {
        using var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var lines in pages)
        {
            var page = builder.AddPage(595, 842);
            foreach (var line in lines)
            {
                page.AddText(line.Text, line.Size, new PdfPoint(line.X, line.Y), font);
            }
        }

        return builder.Build();
    }

    /// <summary>Pages of running text: each paragraph wrapped at about 80 characters, a blank line between paragraphs.</summary>
    public static byte[] FromParagraphs(IEnumerable<IEnumerable<string>> pages) =>
        Create(pages.Select(paragraphs =>
        {
            var lines = new List<Line>();
            var y = 790.0;
            foreach (var paragraph in paragraphs)
            {
                foreach (var wrapped in Wrap(paragraph, 80))
                {
                    lines.Add(new Line(50, y, wrapped));
                    y -= 14;
                }

                y -= 14;
            }

            return lines;
        }));

    public static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }

            line.Append(line.Length == 0 ? string.Empty : " ").Append(word);
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    /// <summary>A one-page PDF encrypted with the standard security handler under a user password (not the empty one).</summary>
    public static byte[] Encrypted()
    {
        var objects = new[]
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
            "<< /Filter /Standard /V 1 /R 2 /Length 40 /P -44 "
                + "/O <9C4A1AC6E2B0A2F7A1A3E6B4B7E7D96F34AD1ED1E3E1D5B2C8A9D0F3A2B1C4D5> "
                + "/U <1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6E7F809> >>",
        };
        return Raw(objects, "/Encrypt 4 0 R /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>]");
    }

    /// <summary>A hand-written PDF: the objects numbered from 1 (object 1 the catalog), a cross-reference table and a trailer.</summary>
    public static byte[] Raw(IReadOnlyList<string> objects, string trailerExtra = "", string header = "%PDF-1.4")
    {
        var pdf = new StringBuilder(header).Append('\n');
        var offsets = new List<int>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(Encoding.Latin1.GetByteCount(pdf.ToString()));
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = Encoding.Latin1.GetByteCount(pdf.ToString());
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R {trailerExtra} >>\n");
        pdf.Append(CultureInfo.InvariantCulture, $"startxref\n{xref}\n%%EOF\n");
        return Encoding.Latin1.GetBytes(pdf.ToString());
    }

    /// <summary>A stream object: the dictionary entries and the (unfiltered) content.</summary>
    public static string Stream(string entries, string content) =>
        string.Create(CultureInfo.InvariantCulture, $"<< {entries} /Length {Encoding.Latin1.GetByteCount(content)} >>\nstream\n{content}\nendstream");
}
