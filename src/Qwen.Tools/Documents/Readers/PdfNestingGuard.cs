using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Tokenization.Scanner;
using UglyToad.PdfPig.Tokens;

namespace Qwen.Tools;

/// <summary>
/// Walks a page's form XObjects (and annotation appearance streams) before PdfPig draws the page, and refuses the page when
/// forms draw each other in a cycle, nest deeper than <see cref="MaxDepth"/> or expand to more than <see cref="MaxDraws"/> draws.
/// </summary>
/// <remarks>
/// PdfPig draws a form by recursing into it. A cycle (form A draws B, B draws A) recurses until the stack overflows, and a
/// stack overflow in .NET cannot be caught: it ends the process, past every catch and the parse time limit. We chose to detect
/// this before PdfPig walks the graph rather than to parse in a worker process: the walk is cheap (it reads only the
/// resource dictionaries and the content streams of forms, which PdfPig then reads anyway), it keeps the parser an in-process
/// library with no executable to ship, start and keep alive per call (the code interpreter needs a process for other
/// reasons: untrusted code), and it turns the failure into a message that names the page and the cycle. Our own walk is
/// iterative (an explicit stack), so a hostile file cannot overflow it either.
/// </remarks>
internal static partial class PdfNestingGuard
{
    /// <summary>Forms nested deeper than this are refused: real documents nest a handful of levels; PdfPig spends several
    /// stack frames per level on a thread whose stack is about 1.5 MB.</summary>
    public const int MaxDepth = 32;

    /// <summary>A page whose forms expand to more draws than this (a form drawing the next one twice, forty levels deep) is
    /// refused: it is a time bomb, not a document.</summary>
    public const int MaxDraws = 200_000;

    /// <summary>
    /// A page whose content would show more glyphs than this, forms counted as often as they are drawn, is refused before PdfPig
    /// draws it: PdfPig keeps about 330 bytes a glyph, and a 1.8 KB file drawing a 500-glyph form 20,000 times took 3.3 GB
    /// (a real page shows a few thousand glyphs; a dense map some hundred thousand).
    /// </summary>
    public const long MaxGlyphs = 1_000_000;

    private static readonly NameToken ResourcesName = NameToken.Create("Resources");
    private static readonly NameToken XObjectName = NameToken.Create("XObject");
    private static readonly NameToken SubtypeName = NameToken.Create("Subtype");
    private static readonly NameToken KidsName = NameToken.Create("Kids");
    private static readonly NameToken PagesName = NameToken.Create("Pages");
    private static readonly NameToken AnnotsName = NameToken.Create("Annots");
    private static readonly NameToken AppearanceName = NameToken.Create("AP");
    private static readonly NameToken NormalName = NameToken.Create("N");
    private static readonly NameToken FilterName = NameToken.Create("Filter");
    private static readonly NameToken AcroFormName = NameToken.Create("AcroForm");
    private static readonly NameToken FieldsName = NameToken.Create("Fields");
    private static readonly NameToken ContentsName = NameToken.Create("Contents");

    /// <summary>Forms with more fields than this are not read for their values (the page text still is).</summary>
    private const int MaxFields = 100_000;

    /// <summary>The page dictionaries in page order, each with the resources it inherits, read without drawing anything.</summary>
    public static List<(DictionaryToken Page, DictionaryToken? Resources)> Pages(PdfDocument pdf)
    {
        var pages = new List<(DictionaryToken, DictionaryToken?)>();
        if (Resolve(pdf, pdf.Structure.Catalog.CatalogDictionary.Data.GetValueOrDefault(PagesName.Data)) is not DictionaryToken root)
        {
            return pages;
        }

        var seen = new HashSet<DictionaryToken>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(DictionaryToken Node, DictionaryToken? Resources)>();
        stack.Push((root, null));
        while (stack.Count > 0)
        {
            var (node, inherited) = stack.Pop();
            if (!seen.Add(node) || seen.Count > 1_000_000)
            {
                continue;
            }

            var resources = Resolve(pdf, node.Data.GetValueOrDefault(ResourcesName.Data)) as DictionaryToken ?? inherited;
            if (Resolve(pdf, node.Data.GetValueOrDefault(KidsName.Data)) is ArrayToken kids)
            {
                for (var i = kids.Data.Count - 1; i >= 0; i--)
                {
                    if (Resolve(pdf, kids.Data[i]) is DictionaryToken kid)
                    {
                        stack.Push((kid, resources));
                    }
                }
            }
            else
            {
                pages.Add((node, resources));
            }
        }

        return pages;
    }

    /// <summary>Throws when the page's forms cycle, nest too deep or expand too far.</summary>
    /// <exception cref="DocumentParseException">The page cannot be drawn safely.</exception>
    public static void Check(PdfDocument pdf, DictionaryToken page, DictionaryToken? resources, string fileName, int pageNumber)
    {
        // Roots: every form the page's resources name, and every annotation's normal appearance.
        var roots = new List<(IndirectReference Form, DictionaryToken? Resources)>();
        foreach (var form in Forms(pdf, resources, null))
        {
            roots.Add((form, resources));
        }

        if (Resolve(pdf, page.Data.GetValueOrDefault(AnnotsName.Data)) is ArrayToken annotations)
        {
            foreach (var annotation in annotations.Data.Take(10_000))
            {
                if (Resolve(pdf, annotation) is DictionaryToken a
                    && Resolve(pdf, a.Data.GetValueOrDefault(AppearanceName.Data)) is DictionaryToken appearance)
                {
                    var normal = appearance.Data.GetValueOrDefault(NormalName.Data);
                    if (normal is IndirectReferenceToken direct)
                    {
                        roots.Add((direct.Data, resources));
                    }
                    else if (Resolve(pdf, normal) is DictionaryToken states)
                    {
                        roots.AddRange(states.Data.Values.OfType<IndirectReferenceToken>().Select(s => (s.Data, resources)));
                    }
                }
            }
        }

        var draws = 0;
        var drawings = new Dictionary<IndirectReference, Drawing?>();
        foreach (var root in roots)
        {
            // Depth-first with an explicit stack; the path holds the forms being drawn, so meeting one of them again is a cycle.
            var path = new List<IndirectReference>();
            var stack = new Stack<(IndirectReference Form, DictionaryToken? Inherited, int Depth)>();
            stack.Push((root.Form, root.Resources, 0));
            while (stack.Count > 0)
            {
                var (form, inherited, depth) = stack.Pop();
                path.RemoveRange(depth, path.Count - depth);
                if (path.Contains(form))
                {
                    throw new DocumentParseException(fileName, $"page {pageNumber} is malformed: its form XObjects draw each other in a cycle (object {form.ObjectNumber} draws itself through {path.Count - path.IndexOf(form)} level(s)); the page cannot be drawn.");
                }

                if (depth >= MaxDepth)
                {
                    throw new DocumentParseException(fileName, $"page {pageNumber} nests form XObjects more than {MaxDepth} levels deep; the page is not read.");
                }

                if (++draws > MaxDraws)
                {
                    throw new DocumentParseException(fileName, $"page {pageNumber} expands to more than {MaxDraws} form XObject draws; the page is not read.");
                }

                if (Resolve(pdf, new IndirectReferenceToken(form)) is not StreamToken stream || !IsForm(stream))
                {
                    continue;
                }

                path.Add(form);
                var own = Resolve(pdf, stream.StreamDictionary.Data.GetValueOrDefault(ResourcesName.Data)) as DictionaryToken ?? inherited;
                if (!drawings.TryGetValue(form, out var drawing))
                {
                    drawing = Drawing.Of(stream);
                    drawings[form] = drawing;
                }

                foreach (var child in Forms(pdf, own, drawing?.Draws))
                {
                    stack.Push((child, own, depth + 1));
                }
            }
        }

        // The forms are a tree of bounded depth now; count what the page shows with each form as often as it is drawn.
        var contents = Resolve(pdf, page.Data.GetValueOrDefault(ContentsName.Data)) switch
        {
            StreamToken single => [single],
            ArrayToken parts => parts.Data.Take(10_000).Select(p => Resolve(pdf, p)).OfType<StreamToken>().ToList(),
            _ => new List<StreamToken>(),
        };
        var glyphs = 0L;
        var expanded = new Dictionary<IndirectReference, long>();
        foreach (var content in contents)
        {
            glyphs = Math.Min(MaxGlyphs + 1, glyphs + Glyphs(pdf, Drawing.Of(content), resources, drawings, expanded));
        }

        if (glyphs > MaxGlyphs)
        {
            throw new DocumentParseException(fileName, $"page {pageNumber} would show more than {MaxGlyphs:N0} glyphs (its content draws forms over and over); the page is not read.");
        }
    }

    /// <summary>
    /// An upper bound of the glyphs a content stream shows (the bytes of its string operands), forms it draws counted once per
    /// <c>Do</c>, capped at <see cref="MaxGlyphs"/> + 1. <paramref name="drawings"/> holds the forms read by the cycle walk;
    /// <paramref name="expanded"/> keeps each form's count.
    /// </summary>
    private static long Glyphs(
        PdfDocument pdf,
        Drawing? drawing,
        DictionaryToken? resources,
        Dictionary<IndirectReference, Drawing?> drawings,
        Dictionary<IndirectReference, long> expanded)
    {
        if (drawing is null)
        {
            return 0;
        }

        var total = drawing.StringBytes;
        if (drawing.Draws.Count > 0 && resources is not null && Resolve(pdf, resources.Data.GetValueOrDefault(XObjectName.Data)) is DictionaryToken xobjects)
        {
            foreach (var (name, times) in drawing.Draws)
            {
                if (xobjects.Data.GetValueOrDefault(name) is not IndirectReferenceToken reference)
                {
                    continue;
                }

                if (!expanded.TryGetValue(reference.Data, out var each))
                {
                    expanded[reference.Data] = 0; // a form met again while it is counted adds nothing (cycles were refused above)
                    each = Resolve(pdf, reference) is StreamToken form && IsForm(form)
                        ? Glyphs(
                            pdf,
                            drawings.TryGetValue(reference.Data, out var known) ? known : Drawing.Of(form),
                            Resolve(pdf, form.StreamDictionary.Data.GetValueOrDefault(ResourcesName.Data)) as DictionaryToken ?? resources,
                            drawings,
                            expanded)
                        : 0;
                    expanded[reference.Data] = each;
                }

                total = each > 0 && times > (MaxGlyphs + 1 - total) / each ? MaxGlyphs + 1 : total + (times * each);
            }
        }

        return Math.Min(total, MaxGlyphs + 1);
    }

    /// <summary>The bytes of a content stream's string operands: literal strings (escapes counted once) and hex strings; not
    /// comments, dictionaries or inline images' data.</summary>
    internal static long StringBytes(ReadOnlySpan<byte> content)
    {
        long count = 0;
        for (var i = 0; i < content.Length; i++)
        {
            switch (content[i])
            {
                case (byte)'%':
                    while (i < content.Length && content[i] is not (byte)'\n' and not (byte)'\r')
                    {
                        i++;
                    }

                    break;
                case (byte)'(':
                    for (var depth = 1; ++i < content.Length && depth > 0;)
                    {
                        switch (content[i])
                        {
                            case (byte)'\\':
                                i++;
                                count++;
                                break;
                            case (byte)'(':
                                depth++;
                                count++;
                                break;
                            case (byte)')':
                                if (--depth > 0)
                                {
                                    count++;
                                }

                                break;
                            default:
                                count++;
                                break;
                        }
                    }

                    i--;
                    break;
                case (byte)'<' when i + 1 < content.Length && content[i + 1] == (byte)'<':
                    i++;
                    break;
                case (byte)'I' when i + 2 < content.Length && content[i + 1] == (byte)'D' && IsWhite(content[i + 2])
                    && (i == 0 || IsWhite(content[i - 1])):
                    // An inline image's data (BI ... ID data EI): binary, whatever its bytes look like, up to "EI" between spaces.
                    i += 3;
                    while (i + 2 < content.Length && !(IsWhite(content[i - 1]) && content[i] == (byte)'E' && content[i + 1] == (byte)'I' && IsWhite(content[i + 2])))
                    {
                        i++;
                    }

                    break;
                case (byte)'<':
                    var digits = 0;
                    while (++i < content.Length && content[i] != (byte)'>')
                    {
                        digits += char.IsAsciiHexDigit((char)content[i]) ? 1 : 0;
                    }

                    count += (digits + 1) / 2;
                    break;
            }
        }

        return count;
    }

    private static bool IsWhite(byte b) => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\f' or 0;

    /// <summary>A content stream's bytes decoded (Flate capped at 64 MB, other filters by PdfPig's); <see langword="null"/> when
    /// they cannot be decoded.</summary>
    private static byte[]? Decoded(StreamToken stream)
    {
        var filter = stream.StreamDictionary.Data.GetValueOrDefault(FilterName.Data);
        var raw = stream.Data.ToArray();
        if (filter is null)
        {
            return raw;
        }

        if (IsFlate(filter))
        {
            return Inflate(raw, 64 << 20);
        }

        try
        {
            return stream.Decode(DefaultFilterProvider.Instance).ToArray();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // An unknown or damaged filter: PdfPig fails on the same stream when it draws the page, and says so there.
            return null;
        }
    }

    private static bool IsForm(StreamToken stream) =>
        stream.StreamDictionary.Data.GetValueOrDefault(SubtypeName.Data) is NameToken { Data: "Form" };

    /// <summary>The form XObjects a resource dictionary names (only those <paramref name="drawn"/> names, when given).</summary>
    private static IEnumerable<IndirectReference> Forms(PdfDocument pdf, DictionaryToken? resources, Dictionary<string, long>? drawn)
    {
        if (resources is null || Resolve(pdf, resources.Data.GetValueOrDefault(XObjectName.Data)) is not DictionaryToken xobjects)
        {
            yield break;
        }

        foreach (var (name, value) in xobjects.Data)
        {
            if (value is IndirectReferenceToken reference && (drawn is null || drawn.ContainsKey(name)))
            {
                yield return reference.Data;
            }
        }
    }

    /// <summary>
    /// What a content stream draws: how often it draws each name with <c>Do</c>, and the bytes of its string operands (an upper
    /// bound of its glyphs). <see cref="Of"/> is <see langword="null"/> when the content cannot be decoded here (then every
    /// form its resources name counts as drawn, and its glyphs as none: PdfPig fails on it when it draws the page).
    /// </summary>
    private sealed record Drawing(Dictionary<string, long> Draws, long StringBytes)
    {
        public static Drawing? Of(StreamToken stream)
        {
            if (Decoded(stream) is not { } content)
            {
                return null;
            }

            var draws = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (Match match in DoOperator().Matches(Encoding.Latin1.GetString(content)))
            {
                var name = UnescapeName(match.Groups[1].Value);
                draws[name] = draws.GetValueOrDefault(name) + 1;
            }

            return new Drawing(draws, PdfNestingGuard.StringBytes(content));
        }
    }

    /// <summary>Whether a stream's <c>/Filter</c> is Flate alone.</summary>
    internal static bool IsFlate(IToken? filter) =>
        filter is NameToken { Data: "FlateDecode" } || filter is ArrayToken { Data: [NameToken { Data: "FlateDecode" }] };

    /// <summary>Flate-compressed bytes inflated, or <see langword="null"/> when they are damaged or inflate to more than
    /// <paramref name="maxBytes"/> (a decompression bomb).</summary>
    internal static byte[]? Inflate(byte[] raw, int maxBytes)
    {
        try
        {
            using var input = new ZLibStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = input.Read(buffer)) > 0)
            {
                if (output.Length + read > maxBytes)
                {
                    return null;
                }

                output.Write(buffer, 0, read);
            }

            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static string UnescapeName(string name) =>
        name.Contains('#', StringComparison.Ordinal)
            ? HexEscape().Replace(name, m => ((char)Convert.ToInt32(m.Value[1..], 16)).ToString())
            : name;

    /// <summary>
    /// Whether the form's field tree is a tree: no field listed twice among the kids (a field whose kids name the same child twice,
    /// thirty levels deep, expands to a billion fields in PdfPig's form reader and never ends) and at most 100,000 fields. Walked
    /// iteratively with the references seen, before PdfPig reads the form.
    /// </summary>
    public static bool IsFieldTree(PdfDocument pdf)
    {
        if (Resolve(pdf, pdf.Structure.Catalog.CatalogDictionary.Data.GetValueOrDefault(AcroFormName.Data)) is not DictionaryToken form
            || Resolve(pdf, form.Data.GetValueOrDefault(FieldsName.Data)) is not ArrayToken fields)
        {
            return true;
        }

        var seen = new HashSet<IndirectReference>();
        var pending = new Stack<IToken>(fields.Data);
        while (pending.Count > 0)
        {
            var field = pending.Pop();
            if (field is IndirectReferenceToken reference && !seen.Add(reference.Data))
            {
                return false;
            }

            if (seen.Count > MaxFields)
            {
                return false;
            }

            if (Resolve(pdf, field) is DictionaryToken node && Resolve(pdf, node.Data.GetValueOrDefault(KidsName.Data)) is ArrayToken kids)
            {
                foreach (var kid in kids.Data)
                {
                    pending.Push(kid);
                }
            }
        }

        return true;
    }

    /// <summary>The object a token stands for, following indirect references (at most 32 hops); <see langword="null"/> when it cannot be read.</summary>
    internal static IToken? Resolve(PdfDocument pdf, IToken? token) => Resolve(reference => pdf.Structure.GetObject(reference).Data, token);

    /// <summary>The object a token stands for, read through a token scanner (as a page factory has it).</summary>
    internal static IToken? Resolve(IPdfTokenScanner scanner, IToken? token) => Resolve(reference => scanner.Get(reference)?.Data, token);

    private static IToken? Resolve(Func<IndirectReference, IToken?> read, IToken? token)
    {
        for (var hops = 0; token is IndirectReferenceToken reference && hops < 32; hops++)
        {
            try
            {
                token = read(reference.Data);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return null;
            }
        }

        return token is IndirectReferenceToken ? null : token;
    }

    [GeneratedRegex(@"/([^\s/\[\]<>(){}%]+)\s+Do(?![A-Za-z0-9])")]
    private static partial Regex DoOperator();

    [GeneratedRegex("#[0-9A-Fa-f]{2}")]
    private static partial Regex HexEscape();
}
