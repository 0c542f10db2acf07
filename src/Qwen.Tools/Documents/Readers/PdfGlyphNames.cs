using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Fonts;
using UglyToad.PdfPig.Fonts.TrueType;
using UglyToad.PdfPig.Fonts.TrueType.Parser;
using UglyToad.PdfPig.PdfFonts;
using UglyToad.PdfPig.Tokens;

namespace Qwen.Tools;

/// <summary>
/// Gives a glyph whose font yields no readable text for it the text its glyph name stands for: a ToUnicode map (or font) that
/// gives a private-use code (U+E000-U+F8FF), a control character or U+0000, or a code the font's encoding does not name (PdfPig
/// then takes the code itself for the text, a control character below 32). The "ft" ligature a font maps to U+F603 is named
/// <c>f_t</c>, <c>ft</c> or <c>uniFB05</c> in the font's <c>/Differences</c> or its program, and was dropped as undecodable
/// ("aer" for "after").
/// </summary>
/// <remarks>
/// A name is read as the Adobe Glyph List specifies (AGL names, <c>uniXXXX</c>, <c>uXXXX[XX]</c>, components joined by
/// <c>_</c>, a suffix after <c>.</c> ignored), or, failing that, as a ligature of the two to four letters that make it up
/// (<c>ft</c>, <c>Th</c>). Names come from the font dictionary's <c>/Encoding /Differences</c>, the built-in encoding of a CFF
/// program, the <c>post</c> table of a simple TrueType program (through its <c>cmap</c>: code, glyph id, name, as PDF 32000-1
/// 9.6.6.4 looks a code up in a symbolic font), or the <c>post</c> table of a TrueType program of a Type 0 font whose codes are
/// glyph ids (Identity-H/V). CID-keyed CFF programs name no glyphs (their charset gives CIDs), so they have none to give.
/// PdfPig's letters do not keep their codes: a glyph is found by the text the font gives it, so where several codes of a font
/// yield the same undecodable text under different names (a ToUnicode map sending all ten digits to U+0000), none is guessed and
/// the glyphs stay undecodable, as in poppler, whose text output drops U+0000. A font whose program cannot be read keeps its
/// glyphs as they were read, with a warning.
/// </remarks>
/// <param name="pdf">The document.</param>
/// <param name="warnings">Receives a sentence for each font program that cannot be read for its glyph names.</param>
internal sealed class PdfGlyphNames(PdfDocument pdf, List<string> warnings)
{
    /// <summary>Codes tried per font at most (two-byte codes).</summary>
    private const int MaxCodes = 1 << 16;

    private static readonly NameToken SubtypeName = NameToken.Create("Subtype");
    private static readonly NameToken EncodingName = NameToken.Create("Encoding");
    private static readonly NameToken ToUnicodeName = NameToken.Create("ToUnicode");
    private static readonly NameToken DifferencesName = NameToken.Create("Differences");
    private static readonly NameToken BaseFontName = NameToken.Create("BaseFont");
    private static readonly NameToken NameName = NameToken.Create("Name");
    private static readonly NameToken DescendantFontsName = NameToken.Create("DescendantFonts");
    private static readonly NameToken CidToGidMapName = NameToken.Create("CIDToGIDMap");
    private static readonly NameToken FontDescriptorName = NameToken.Create("FontDescriptor");
    private static readonly NameToken FontFile2Name = NameToken.Create("FontFile2");
    private static readonly NameToken FontFile3Name = NameToken.Create("FontFile3");

    /// <summary>Where a symbolic TrueType font's (3,0) cmap puts a one-byte code: the code itself or one of these ranges.</summary>
    private static readonly int[] SymbolRanges = [0, 0xF000, 0xF100, 0xF200];

    private readonly Dictionary<IFont, IReadOnlyDictionary<string, string>> _textByFont = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// The letters, those without readable text given the text of their glyph's name where it has one; <paramref name="resources"/>
    /// are the page's, whose fonts (by name) the letters are drawn in.
    /// </summary>
    public IReadOnlyList<Letter> Apply(IReadOnlyList<Letter> letters, DictionaryToken? resources, int pageNumber)
    {
        if (!letters.Any(IsUndecodable))
        {
            return letters;
        }

        Dictionary<string, DictionaryToken?>? fonts = null;
        var result = new List<Letter>(letters.Count);
        foreach (var letter in letters)
        {
            result.Add(IsUndecodable(letter) && letter.GetFont() is { } font && letter.FontName is { } name
                && TextByValue(font, (fonts ??= FontsByName(resources)).GetValueOrDefault(name), name, pageNumber).TryGetValue(letter.Value, out var text)
                ? PdfMarks.WithValue(letter, text)
                : letter);
        }

        return result;
    }

    /// <summary>
    /// The text a glyph name stands for; <see langword="null"/> when it names nothing readable (.notdef, an unknown name, a
    /// private-use character).
    /// </summary>
    public static string? Text(string? glyphName)
    {
        if (string.IsNullOrEmpty(glyphName))
        {
            return null;
        }

        if (AdobeText(glyphName) is { } text && !PdfText.HasGarbage(text))
        {
            return text;
        }

        // Not an AGL name: the ligature convention names a ligature by its letters ("ft", "Th"; "f_t" is AGL's own form).
        var stem = glyphName.Split('.')[0];
        return glyphName != GlyphList.NotDefined && stem.Length is >= 2 and <= 4 && stem.All(char.IsAsciiLetter) ? stem : null;
    }

    /// <summary>The text the Adobe Glyph List gives a glyph name; <see langword="null"/> for .notdef and names it does not know.</summary>
    public static string? AdobeText(string glyphName)
    {
        if (glyphName == GlyphList.NotDefined)
        {
            return null;
        }

        try
        {
            return GlyphList.AdobeGlyphList.NameToUnicode(glyphName) is { Length: > 0 } text ? text : null;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or InvalidFontFormatException)
        {
            // PdfPig reads a name that starts with "c" and is not in the list as a character code, and throws on "cyr" or "cfoo".
            return null;
        }
    }

    /// <summary>
    /// Whether a text is nothing a reader can read: private-use codes, control characters (U+0000 too), U+FFFD, half surrogate
    /// pairs.
    /// </summary>
    private static bool IsUndecodable(string value) => PdfText.IsAllGarbage(value);

    private static bool IsUndecodable(Letter letter) => IsUndecodable(letter.Value);

    /// <summary>
    /// The page's font dictionaries by the name PdfPig gives their glyphs (the base font; for a Type 3 font its /Name, or
    /// "Type3"); a name two dictionaries share maps to none.
    /// </summary>
    private Dictionary<string, DictionaryToken?> FontsByName(DictionaryToken? resources)
    {
        var fonts = new Dictionary<string, DictionaryToken?>(StringComparer.Ordinal);
        foreach (var font in PdfBuiltInEncodings.Fonts(pdf, resources))
        {
            var name = (PdfNestingGuard.Resolve(pdf, font.Data.GetValueOrDefault(BaseFontName.Data)) as NameToken)?.Data;
            if (name is null && PdfNestingGuard.Resolve(pdf, font.Data.GetValueOrDefault(SubtypeName.Data)) is NameToken { Data: "Type3" })
            {
                name = (PdfNestingGuard.Resolve(pdf, font.Data.GetValueOrDefault(NameName.Data)) as NameToken)?.Data ?? "Type3";
            }

            if (name is not null)
            {
                fonts[name] = fonts.TryGetValue(name, out var other) && !ReferenceEquals(other, font) ? null : font;
            }
        }

        return fonts;
    }

    /// <summary>
    /// The text of each undecodable value the font gives a named glyph, by that value (computed once per font); a value that codes
    /// of different names share is left out, since the letter does not say which code it was.
    /// </summary>
    private IReadOnlyDictionary<string, string> TextByValue(IFont font, DictionaryToken? dictionary, string fontName, int pageNumber)
    {
        if (_textByFont.TryGetValue(font, out var known))
        {
            return known;
        }

        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            if (dictionary is not null && GlyphNamesByCode(dictionary) is var (nameOf, count))
            {
                var first = new Dictionary<string, string?>(StringComparer.Ordinal);
                for (var code = 0; code < Math.Min(count, MaxCodes); code++)
                {
                    // A code the font names no glyph for is not drawn (its text, the code itself, would clash with the others').
                    var name = nameOf(code);
                    if (name is null || name == GlyphList.NotDefined)
                    {
                        continue;
                    }

                    // A code the font cannot decode is drawn with the code itself as its text (PdfPig does as PDFBox 1.8 did).
                    var value = font.TryGetUnicode(code, out var unicode) && unicode is not null ? unicode : ((char)code).ToString();
                    if (!IsUndecodable(value))
                    {
                        continue;
                    }

                    var text = Text(name);
                    if (!first.TryAdd(value, text))
                    {
                        // Two glyphs under one value (ten digits all mapped to U+0000): neither can be told from the other.
                        if (first[value] != text)
                        {
                            texts.Remove(value);
                            first[value] = null;
                        }
                    }
                    else if (text is not null)
                    {
                        texts[value] = text;
                    }
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // The glyphs keep the text they were read with (dropped as undecodable); say which font.
            texts.Clear();
            warnings.Add($"Page {pageNumber}: glyphs of font {fontName} without readable text were left out: its glyph names could not be read: "
                + PdfDocumentReader.Describe(e, "the font program is damaged", $"the PDF library failed on page {pageNumber}"));
        }

        _textByFont[font] = texts;
        return texts;
    }

    /// <summary>The glyph name of each code of a font, and how many codes there are; <see langword="null"/> when it names none.</summary>
    private (Func<int, string?> Name, int Count)? GlyphNamesByCode(DictionaryToken font)
    {
        var subtype = (PdfNestingGuard.Resolve(pdf, font.Data.GetValueOrDefault(SubtypeName.Data)) as NameToken)?.Data;
        if (subtype == "Type0")
        {
            return GlyphIdNames(font);
        }

        var differences = new Dictionary<int, string>();
        if (PdfNestingGuard.Resolve(pdf, font.Data.GetValueOrDefault(EncodingName.Data)) is DictionaryToken encoding
            && PdfNestingGuard.Resolve(pdf, encoding.Data.GetValueOrDefault(DifferencesName.Data)) is ArrayToken entries)
        {
            var code = 0;
            foreach (var entry in entries.Data)
            {
                switch (PdfNestingGuard.Resolve(pdf, entry))
                {
                    case NumericToken number:
                        code = number.Int;
                        break;
                    case NameToken name when code is >= 0 and < 256:
                        differences[code++] = name.Data;
                        break;
                }
            }
        }

        // A Type 1 font with neither /Encoding nor /ToUnicode is read through its CFF program's built-in encoding already (see
        // PdfBuiltInEncodings, which also reports a program it cannot read). A TrueType program is read for its names only where
        // /Differences names no glyph (its cmap then decides the glyphs).
        var readByBuiltIn = subtype is "Type1" or "MMType1" && !font.Data.ContainsKey(EncodingName.Data) && !font.Data.ContainsKey(ToUnicodeName.Data);
        var builtIn = (readByBuiltIn ? null : PdfBuiltInEncodings.CffCodeNames(pdf, Descriptor(font)?.Data.GetValueOrDefault(FontFile3Name.Data)))
            ?? (subtype == "TrueType" && differences.Count == 0 ? TrueTypeCodeNames(font) : null);
        return differences.Count == 0 && builtIn is null
            ? null
            : (code => differences.TryGetValue(code, out var name) ? name : builtIn?.GetValueOrDefault(code), 256);
    }

    /// <summary>
    /// The glyph names of the one-byte codes of a simple TrueType font, from its program's <c>post</c> table through its
    /// <c>cmap</c>: the (3,0) subtable at the code or at F000, F100 or F200 plus the code, else the (1,0) subtable at the code,
    /// as PDF 32000-1 9.6.6.4 maps the codes of a symbolic font; <see langword="null"/> when the program names no glyphs (a
    /// <c>post</c> table of format 3) or has neither subtable.
    /// </summary>
    private Dictionary<int, string>? TrueTypeCodeNames(DictionaryToken font)
    {
        if (PdfNestingGuard.Resolve(pdf, Descriptor(font)?.Data.GetValueOrDefault(FontFile2Name.Data)) is not StreamToken program)
        {
            return null;
        }

        var parsed = TrueTypeFontParser.Parse(new TrueTypeDataBytes(program.Decode(DefaultFilterProvider.Instance).ToArray()));
        var names = parsed.TableRegister.PostScriptTable?.GlyphNames;
        if (names is not { Count: > 0 } || (parsed.WindowsSymbolCMap is null && parsed.MacRomanCMap is null))
        {
            return null;
        }

        var byCode = new Dictionary<int, string>();
        for (var code = 0; code < 256; code++)
        {
            var glyph = 0;
            foreach (var range in SymbolRanges)
            {
                if (parsed.WindowsSymbolCMap is { } symbol && (glyph = symbol.CharacterCodeToGlyphIndex(range + code)) > 0)
                {
                    break;
                }
            }

            if (glyph <= 0 && parsed.MacRomanCMap is { } mac)
            {
                glyph = mac.CharacterCodeToGlyphIndex(code);
            }

            if (glyph > 0 && glyph < names.Count)
            {
                byCode[code] = names[glyph];
            }
        }

        return byCode;
    }

    /// <summary>
    /// The glyph names of a Type 0 font whose codes are glyph ids (Identity-H/V, a TrueType program with an identity CID-to-GID
    /// map), from its program's <c>post</c> table; <see langword="null"/> otherwise.
    /// </summary>
    private (Func<int, string?> Name, int Count)? GlyphIdNames(DictionaryToken font)
    {
        if (PdfNestingGuard.Resolve(pdf, font.Data.GetValueOrDefault(EncodingName.Data)) is not NameToken { Data: "Identity-H" or "Identity-V" }
            || PdfNestingGuard.Resolve(pdf, font.Data.GetValueOrDefault(DescendantFontsName.Data)) is not ArrayToken { Length: 1 } descendants
            || PdfNestingGuard.Resolve(pdf, descendants.Data[0]) is not DictionaryToken descendant
            || PdfNestingGuard.Resolve(pdf, descendant.Data.GetValueOrDefault(CidToGidMapName.Data)) is not (null or NameToken { Data: "Identity" })
            || PdfNestingGuard.Resolve(pdf, Descriptor(descendant)?.Data.GetValueOrDefault(FontFile2Name.Data)) is not StreamToken program)
        {
            return null;
        }

        var names = TrueTypeFontParser.Parse(new TrueTypeDataBytes(program.Decode(DefaultFilterProvider.Instance).ToArray())).TableRegister.PostScriptTable?.GlyphNames;
        return names is { Count: > 0 } ? (id => id < names.Count ? names[id] : null, names.Count) : null;
    }

    private DictionaryToken? Descriptor(DictionaryToken font) =>
        PdfNestingGuard.Resolve(pdf, font.Data.GetValueOrDefault(FontDescriptorName.Data)) as DictionaryToken;
}
