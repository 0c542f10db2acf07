using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Fonts;
using UglyToad.PdfPig.Fonts.CompactFontFormat;
using UglyToad.PdfPig.Tokens;

namespace Qwen.Tools;

/// <summary>
/// Reads the text of simple Type 1 fonts whose program is CFF (<c>/FontFile3</c> of subtype <c>/Type1C</c>) and that have neither
/// an <c>/Encoding</c> nor a <c>/ToUnicode</c> map: their codes mean what the font program's built-in encoding says.
/// </summary>
/// <remarks>
/// PdfPig 0.1.16 falls back to the built-in encoding of a plain Type 1 program but not of a CFF one; it then takes each code for a
/// Unicode code point. TeX math fonts that Ghostscript converted to CFF (ps2pdf output, "optimised" PDFs) come out as
/// "[0; 1] ! [0; 1]" for "[0, 1] → [0, 1]", and every Greek letter (codes below 32) is lost as a control character. The code is
/// still there, as the letter's one character, so the letter is given the text of the glyph the built-in encoding names.
/// </remarks>
/// <param name="pdf">The document.</param>
/// <param name="warnings">Receives a sentence for each font program that cannot be read (the first page that uses it is named).</param>
internal sealed class PdfBuiltInEncodings(PdfDocument pdf, List<string> warnings)
{
    /// <summary>Resource dictionaries walked per page at most (the page's and those of the forms it draws).</summary>
    private const int MaxResourceDictionaries = 64;

    private static readonly NameToken FontName = NameToken.Create("Font");
    private static readonly NameToken XObjectName = NameToken.Create("XObject");
    private static readonly NameToken ResourcesName = NameToken.Create("Resources");
    private static readonly NameToken SubtypeName = NameToken.Create("Subtype");
    private static readonly NameToken EncodingName = NameToken.Create("Encoding");
    private static readonly NameToken ToUnicodeName = NameToken.Create("ToUnicode");
    private static readonly NameToken BaseFontName = NameToken.Create("BaseFont");
    private static readonly NameToken FontDescriptorName = NameToken.Create("FontDescriptor");
    private static readonly NameToken FontFile3Name = NameToken.Create("FontFile3");

    private readonly Dictionary<IndirectReference, IReadOnlyDictionary<int, string>?> _byProgram = [];

    /// <summary>The code-to-text maps of the fonts on a page that need one, by font name; empty when none does.</summary>
    public Dictionary<string, IReadOnlyDictionary<int, string>> ForPage(DictionaryToken? resources, int pageNumber)
    {
        var maps = new Dictionary<string, IReadOnlyDictionary<int, string>>(StringComparer.Ordinal);
        var ambiguous = new HashSet<string>(StringComparer.Ordinal);
        foreach (var font in Fonts(pdf, resources))
        {
            if (PdfNestingGuard.Resolve(pdf, font.Data.GetValueOrDefault(BaseFontName.Data)) is not NameToken name)
            {
                continue;
            }

            // A name used by two font dictionaries of which only one needs the map is left alone.
            var map = BuiltInMap(font, name.Data, pageNumber);
            if (map is null || ambiguous.Contains(name.Data) || (maps.TryGetValue(name.Data, out var other) && !ReferenceEquals(other, map)))
            {
                ambiguous.Add(name.Data);
                maps.Remove(name.Data);
                continue;
            }

            maps[name.Data] = map;
        }

        return maps;
    }

    /// <summary>The font dictionaries a page can use: those of its resources and of the resources of the forms it holds.</summary>
    public static IEnumerable<DictionaryToken> Fonts(PdfDocument pdf, DictionaryToken? resources)
    {
        var seen = new HashSet<DictionaryToken>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<DictionaryToken>();
        if (resources is not null)
        {
            pending.Push(resources);
        }

        while (pending.Count > 0 && seen.Count < MaxResourceDictionaries)
        {
            var current = pending.Pop();
            if (!seen.Add(current))
            {
                continue;
            }

            if (PdfNestingGuard.Resolve(pdf, current.Data.GetValueOrDefault(FontName.Data)) is DictionaryToken fonts)
            {
                foreach (var entry in fonts.Data.Values)
                {
                    if (PdfNestingGuard.Resolve(pdf, entry) is DictionaryToken font)
                    {
                        yield return font;
                    }
                }
            }

            if (PdfNestingGuard.Resolve(pdf, current.Data.GetValueOrDefault(XObjectName.Data)) is DictionaryToken xobjects)
            {
                foreach (var entry in xobjects.Data.Values)
                {
                    if (PdfNestingGuard.Resolve(pdf, entry) is StreamToken form
                        && PdfNestingGuard.Resolve(pdf, form.StreamDictionary.Data.GetValueOrDefault(ResourcesName.Data)) is DictionaryToken own)
                    {
                        pending.Push(own);
                    }
                }
            }
        }
    }

    /// <summary>The letters, those of the fonts in <paramref name="maps"/> given the text their code means in the font program.</summary>
    public static IReadOnlyList<Letter> Apply(IReadOnlyList<Letter> letters, Dictionary<string, IReadOnlyDictionary<int, string>> maps)
    {
        if (maps.Count == 0)
        {
            return letters;
        }

        var result = new List<Letter>(letters.Count);
        foreach (var letter in letters)
        {
            // Without an encoding PdfPig gives the code itself as the text: one character below 256.
            result.Add(letter.Value is [var code] && code < 256 && letter.FontName is { } font
                && maps.TryGetValue(font, out var map) && map.TryGetValue(code, out var text)
                ? PdfMarks.WithValue(letter, text)
                : letter);
        }

        return result;
    }

    /// <summary>The built-in encoding of a font that needs it, as code to text; <see langword="null"/> for every other font.</summary>
    private IReadOnlyDictionary<int, string>? BuiltInMap(DictionaryToken font, string fontName, int pageNumber)
    {
        if (PdfNestingGuard.Resolve(pdf, font.Data.GetValueOrDefault(SubtypeName.Data)) is not NameToken { Data: "Type1" or "MMType1" }
            || font.Data.ContainsKey(EncodingName.Data) || font.Data.ContainsKey(ToUnicodeName.Data)
            || PdfNestingGuard.Resolve(pdf, font.Data.GetValueOrDefault(FontDescriptorName.Data)) is not DictionaryToken descriptor
            || descriptor.Data.GetValueOrDefault(FontFile3Name.Data) is not IndirectReferenceToken programReference)
        {
            return null;
        }

        if (_byProgram.TryGetValue(programReference.Data, out var cached))
        {
            return cached;
        }

        IReadOnlyDictionary<int, string>? map = null;
        try
        {
            var codes = new Dictionary<int, string>();
            foreach (var (code, glyph) in CffCodeNames(pdf, programReference) ?? new Dictionary<int, string>())
            {
                if (PdfGlyphNames.AdobeText(glyph) is { } text)
                {
                    codes[code] = text;
                }
            }

            map = codes.Count > 0 ? codes : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            // A font program the CFF parser cannot read keeps PdfPig's reading of its codes, which may be wrong: say so.
            warnings.Add($"Page {pageNumber}: the text in font {fontName} may be misread: its CFF program (object {programReference.Data.ObjectNumber} "
                + $"{programReference.Data.Generation} R) could not be read for its built-in encoding: "
                + PdfDocumentReader.Describe(e, "the font program is damaged", $"the PDF library failed on page {pageNumber}"));
        }

        _byProgram[programReference.Data] = map;
        return map;
    }

    /// <summary>
    /// The glyph name of each code in the built-in encoding of a CFF (<c>Type1C</c>) font program; <see langword="null"/> when
    /// <paramref name="program"/> is not one. Throws what the CFF parser throws on a program it cannot read.
    /// </summary>
    public static IReadOnlyDictionary<int, string>? CffCodeNames(PdfDocument pdf, IToken? program) =>
        PdfNestingGuard.Resolve(pdf, program) is StreamToken stream
        && PdfNestingGuard.Resolve(pdf, stream.StreamDictionary.Data.GetValueOrDefault(SubtypeName.Data)) is NameToken { Data: "Type1C" }
            ? CompactFontFormatParser.Parse(new CompactFontFormatData(stream.Decode(DefaultFilterProvider.Instance))).FirstFont?.Encoding?.CodeToNameMap
            : null;
}
