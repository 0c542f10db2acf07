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

    /// <summary>One glyph drawn on its own: the byte code shown, the origin of the glyph and its size.</summary>
    public sealed record Glyph(char Code, double X, double Y, double Size = 24);

    /// <summary>
    /// A one-page PDF that draws each glyph at its own origin, in the order given, in a Type 3 font whose ToUnicode map gives each
    /// byte code the text in <paramref name="toUnicode"/>: a way to put any script's characters (Thai, Devanagari, ...) at chosen
    /// positions in drawing order, as a shaping engine would lay them out. Glyphs are 750 units square; those whose text is a
    /// non-spacing mark, a format character (a zero-width space) or a space (standing for a zero-width non-joiner drawn as one)
    /// advance by nothing, the others by 667 units. <paramref name="flat"/> gives every glyph a box of no height
    /// (as fonts without outlines do).
    /// </summary>
    public static byte[] Glyphs(IReadOnlyDictionary<char, string> toUnicode, IEnumerable<Glyph> glyphs, bool flat = false)
    {
        var map = new StringBuilder();
        var differences = new StringBuilder();
        var procs = new StringBuilder();
        var widths = new int[96];
        foreach (var (code, text) in toUnicode)
        {
            var utf16 = string.Concat(text.Select(c => ((int)c).ToString("X4", CultureInfo.InvariantCulture)));
            map.Append(CultureInfo.InvariantCulture, $"<{(int)code:X2}> <{utf16}>\n");
            differences.Append(CultureInfo.InvariantCulture, $"{(int)code} /g{(int)code} ");
            procs.Append(CultureInfo.InvariantCulture, $"/g{(int)code} 8 0 R ");
            widths[code - 32] = text.All(c => char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.Format || c == ' ') ? 0 : 667;
        }

        var cmap = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Test-UCS def\n/CMapType 2 def\n"
            + "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
            + string.Create(CultureInfo.InvariantCulture, $"{toUnicode.Count} beginbfchar\n{map}endbfchar\n")
            + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend";
        var content = new StringBuilder();
        foreach (var glyph in glyphs)
        {
            content.Append(CultureInfo.InvariantCulture, $"BT /F1 {glyph.Size} Tf 1 0 0 1 {glyph.X} {glyph.Y} Tm <{(int)glyph.Code:X2}> Tj ET\n");
        }

        return Raw(
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            Stream(string.Empty, content.ToString()),
            $"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 750 {(flat ? 0 : 750)}] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs 7 0 R /Resources << >> "
                + $"/Encoding << /Type /Encoding /Differences [{differences}] >> /FirstChar 32 /LastChar 127 /Widths [{string.Join(' ', widths)}] /ToUnicode 6 0 R >>",
            Stream(string.Empty, cmap),
            $"<< {procs}>>",
            Stream(string.Empty, flat ? "0 0 0 0 750 0 d1" : "0 0 0 0 750 750 d1 0 0 750 750 re f"),
        ]);
    }

    /// <summary>
    /// A minimal CFF (Type 1C) font program whose built-in encoding gives each byte code the glyph named in
    /// <paramref name="glyphs"/> (names outside CFF's standard strings, such as "gamma"); every glyph is an empty outline. Returned
    /// as Latin-1 text, to go into <see cref="Stream"/>.
    /// </summary>
    public static string CffFont(IReadOnlyList<(byte Code, string Glyph)> glyphs)
    {
        static byte[] Index(IReadOnlyList<byte[]> items)
        {
            if (items.Count == 0)
            {
                return [0, 0];
            }

            var data = items.SelectMany(i => i).ToArray();
            var index = new List<byte> { (byte)(items.Count >> 8), (byte)items.Count, 2 };
            var offset = 1;
            foreach (var item in items.Prepend([]))
            {
                offset += item.Length;
                index.Add((byte)(offset >> 8));
                index.Add((byte)offset);
            }

            index.AddRange(data);
            return [.. index];
        }

        // Operands as 5-byte integers (operator 29), so the top dictionary has the same length whatever the offsets.
        static byte[] Int(int value) => [29, (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

        var header = new byte[] { 1, 0, 4, 1 };
        var name = Index([Encoding.ASCII.GetBytes("TestFont")]);
        var strings = Index([.. glyphs.Select(g => Encoding.ASCII.GetBytes(g.Glyph))]);
        var globalSubrs = Index([]);
        var charStrings = Index([.. Enumerable.Repeat(new byte[] { 14 }, glyphs.Count + 1)]);
        var charset = new List<byte> { 0 };
        var encoding = new List<byte> { 0, (byte)glyphs.Count };
        for (var i = 0; i < glyphs.Count; i++)
        {
            var sid = 391 + i;
            charset.Add((byte)(sid >> 8));
            charset.Add((byte)sid);
            encoding.Add(glyphs[i].Code);
        }

        var privateDict = new byte[] { 139, 20 };
        const int TopDictLength = (5 * 5) + 4;
        var topIndexLength = 2 + 1 + 2 + 2 + TopDictLength;
        var charsetAt = header.Length + name.Length + topIndexLength + strings.Length + globalSubrs.Length;
        var encodingAt = charsetAt + charset.Count;
        var charStringsAt = encodingAt + encoding.Count;
        var privateAt = charStringsAt + charStrings.Length;
        byte[] top = [.. Int(charsetAt), 15, .. Int(encodingAt), 16, .. Int(charStringsAt), 17, .. Int(privateDict.Length), .. Int(privateAt), 18];
        var font = header.Concat(name).Concat(Index([top])).Concat(strings).Concat(globalSubrs).Concat(charset).Concat(encoding).Concat(charStrings)
            .Concat(privateDict).ToArray();
        return Encoding.Latin1.GetString(font);
    }

    /// <summary>
    /// A minimal TrueType font program whose cmap gives each byte code in <paramref name="glyphs"/> a glyph with the given name
    /// (its <c>post</c> table, format 2, names them): a (3,0) subtable at F000 plus the code when <paramref name="symbol"/>, a
    /// (1,0) subtable at the code otherwise. Every glyph is empty. Returned as Latin-1 text, to go into <see cref="Stream"/>.
    /// </summary>
    public static string TrueTypeFont(IReadOnlyList<(byte Code, string Glyph)> glyphs, bool symbol = false)
    {
        static byte[] Be(params int[] shorts) => [.. shorts.SelectMany(v => new[] { (byte)(v >> 8), (byte)v })];
        static byte[] Be32(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

        var count = glyphs.Count + 1;
        var head = Be32(0x00010000).Concat(Be32(0x00010000)).Concat(Be32(0)).Concat(Be32(0x5F0F3CF5))
            .Concat(Be(0, 1000)).Concat(new byte[16]).Concat(Be(0, 0, 1000, 1000, 0, 8, 2, 0, 0)).ToArray();
        var hhea = Be32(0x00010000).Concat(Be(800, -200 & 0xFFFF, 0, 1000, 0, 0, 1000, 1, 0, 0, 0, 0, 0, 0, 0, count)).ToArray();
        var maxp = Be32(0x00005000).Concat(Be(count)).ToArray();
        var hmtx = Enumerable.Range(0, count).SelectMany(_ => Be(500, 0)).ToArray();
        var loca = Be([.. new int[count + 1]]);

        // (3,0) subtables are format 4 (segments up to FFFF); (1,0) ones format 0 (a byte per code).
        byte[] subtable;
        if (symbol)
        {
            var segments = glyphs.Select((g, i) => (Code: 0xF000 + g.Code, Delta: (i + 1 - (0xF000 + g.Code)) & 0xFFFF)).OrderBy(s => s.Code).ToList();
            segments.Add((0xFFFF, 1));
            var n = segments.Count;
            var selector = (int)Math.Log2(n);
            subtable = Be(4, 16 + (8 * n), 0, 2 * n, 2 << selector, selector, (2 * n) - (2 << selector))
                .Concat(Be([.. segments.Select(s => s.Code)])).Concat(Be(0)).Concat(Be([.. segments.Select(s => s.Code)]))
                .Concat(Be([.. segments.Select(s => s.Delta)])).Concat(Be([.. new int[n]])).ToArray();
        }
        else
        {
            var ids = new byte[256];
            for (var i = 0; i < glyphs.Count; i++)
            {
                ids[glyphs[i].Code] = (byte)(i + 1);
            }

            subtable = Be(0, 262, 0).Concat(ids).ToArray();
        }

        var cmap = Be(0, 1, symbol ? 3 : 1, 0).Concat(Be32(12)).Concat(subtable).ToArray();
        var names = glyphs.SelectMany(g => new[] { (byte)g.Glyph.Length }.Concat(Encoding.ASCII.GetBytes(g.Glyph))).ToArray();
        var post = Be32(0x00020000).Concat(new byte[28]).Concat(Be(count, 0)).Concat(Be([.. glyphs.Select((_, i) => 258 + i)])).Concat(names).ToArray();

        (string Tag, byte[] Data)[] tables = [("cmap", cmap), ("glyf", []), ("head", head), ("hhea", hhea), ("hmtx", hmtx), ("loca", loca), ("maxp", maxp), ("post", post)];
        var font = new List<byte>(Be32(0x00010000).Concat(Be(tables.Length, 128, 3, (tables.Length * 16) - 128)));
        var offset = 12 + (16 * tables.Length);
        foreach (var (tag, data) in tables)
        {
            font.AddRange(Encoding.ASCII.GetBytes(tag).Concat(Be32(0)).Concat(Be32((uint)offset)).Concat(Be32((uint)data.Length)));
            offset += (data.Length + 3) & ~3;
        }

        foreach (var (_, data) in tables)
        {
            font.AddRange(data);
            font.AddRange(new byte[((data.Length + 3) & ~3) - data.Length]);
        }

        return Encoding.Latin1.GetString([.. font]);
    }

    /// <summary>
    /// A one-page US-letter PDF through <see cref="Raw"/>: catalog, pages, the page (its font /F1 is object 5), the page's
    /// content stream (object 4), the font, then <paramref name="more"/> (objects 6 on).
    /// </summary>
    public static byte[] OnePage(string content, string font, params string[] more) => Raw(
    [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        Stream(string.Empty, content),
        font,
        .. more,
    ]);

    /// <summary>A stream object: the dictionary entries and the (unfiltered) content.</summary>
    public static string Stream(string entries, string content) =>
        string.Create(CultureInfo.InvariantCulture, $"<< {entries} /Length {Encoding.Latin1.GetByteCount(content)} >>\nstream\n{content}\nendstream");
}
