using System.Globalization;
using System.Text;
using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Tools.Tests.Documents;

/// <summary>
/// Scripts whose glyphs are drawn out of logical order: Thai vowel and tone marks stacked on their consonant, pre-base vowel
/// signs of Indic scripts drawn left of their consonant. The PDFs are generated: glyphs at chosen positions in drawing order,
/// mapped to the script's characters by a ToUnicode map, as a shaping engine lays them out.
/// </summary>
public sealed class PdfComplexScriptTests : IDisposable
{
    // Thai "thi ni" (here): tho thahan, sara ii, mai ek, no nu, sara ii, mai ek.
    private const string ThaiHere = "\u0E17\u0E35\u0E48\u0E19\u0E35\u0E48";

    private static readonly Dictionary<char, string> Thai = new()
    {
        ['A'] = "\u0E17", // tho thahan
        ['B'] = "\u0E19", // no nu
        ['C'] = "\u0E35", // sara ii, above
        ['D'] = "\u0E48", // mai ek, tone mark above
        ['K'] = "K", ['e'] = "e", ['p'] = "p",
    };

    private readonly DocumentParser _parser = new();

    public void Dispose() => _parser.Dispose();

    [Fact]
    public async Task ParseAsync_ThaiMarksDrawnBeforeTheirConsonant_ComeAfterIt()
    {
        // Some producers draw the marks first, at the consonant's origin: sorted by position, they would lead the consonant.
        var pdf = PdfFiles.Glyphs(Thai,
        [
            new('C', 100, 700), new('D', 100, 700), new('A', 100, 700),
            new('C', 116, 700), new('D', 116, 700), new('B', 116, 700),
        ]);

        var text = (await _parser.ParseAsync(pdf, "thai.pdf")).Text;

        Assert.Equal(ThaiHere, text.Trim());
    }

    [Fact]
    public async Task ParseAsync_ThaiWordsPartedByZeroWidthSpaces_KeepThemBetweenTheWords()
    {
        // Thai has no spaces between words; a producer that breaks lines at word boundaries marks them with U+200B, drawn with
        // no advance at the next word's origin. With almost no space glyphs the page looked run together, and the
        // nearest-neighbour extractor, which then read it, put the zero-width glyphs at the ends of lines.
        var map = new Dictionary<char, string>(Thai) { ['Z'] = "\u200B" };
        var words = Enumerable.Range(0, 24).Select(i => i % 3 == 0 ? "AB" : i % 3 == 1 ? "BAB" : "ABBA").ToList();
        var glyphs = new List<PdfFiles.Glyph>();
        var x = 40.0;
        foreach (var word in words)
        {
            if (glyphs.Count > 0)
            {
                glyphs.Add(new('Z', x, 700, 12));
            }

            foreach (var letter in word)
            {
                glyphs.Add(new(letter, x, 700, 12));
                x += 8;
            }
        }

        var text = (await _parser.ParseAsync(PdfFiles.Glyphs(map, glyphs), "thai-words.pdf")).Text;

        Assert.Equal(string.Join("\u200B", words.Select(w => string.Concat(w.Select(c => Thai[c])))), text.Trim());
    }

    [Fact]
    public async Task ParseAsync_ThaiMarksRaisedAboveTheBaseline_StayOnTheirConsonant()
    {
        // Marks placed with their own text position a little above the line: ordered by height, they would come first.
        var pdf = PdfFiles.Glyphs(Thai,
        [
            new('A', 100, 700), new('C', 102, 702.5), new('D', 102, 706),
            new('B', 116, 700), new('C', 118, 702.5), new('D', 118, 706),
        ]);

        var text = (await _parser.ParseAsync(pdf, "thai.pdf")).Text;

        Assert.Equal(ThaiHere, text.Trim());
    }

    [Fact]
    public async Task ParseAsync_ThaiToneMarkDrawnBeforeTheVowelMark_IsSpelledAfterIt()
    {
        var pdf = PdfFiles.Glyphs(Thai, [new('A', 100, 700), new('D', 101, 700), new('C', 101, 700), new('B', 116, 700), new('D', 117, 700), new('C', 117, 700)]);

        var text = (await _parser.ParseAsync(pdf, "thai.pdf")).Text;

        Assert.Equal(ThaiHere, text.Trim());
    }

    [Fact]
    public async Task ParseAsync_ThaiMarkBesideLatinText_LeavesTheLatinWordAlone()
    {
        var pdf = PdfFiles.Glyphs(Thai,
        [
            new('K', 100, 700), new('e', 116, 700), new('e', 129, 700), new('p', 142, 700),
            new('A', 200, 700), new('C', 201, 700), new('D', 201, 700),
        ]);

        var text = (await _parser.ParseAsync(pdf, "mixed.pdf")).Text;

        Assert.Equal("Keep \u0E17\u0E35\u0E48", text.Trim());
    }

    [Fact]
    public async Task ParseAsync_DevanagariPreBaseVowelSign_ComesAfterItsConsonant()
    {
        // "kitab" (book): ka, sign i, ta, sign aa, ba; the sign i is drawn left of the ka.
        var map = new Dictionary<char, string> { ['E'] = "\u093F", ['F'] = "\u0915", ['G'] = "\u0924", ['H'] = "\u093E", ['I'] = "\u092C" };
        var pdf = PdfFiles.Glyphs(map, [new('E', 100, 700), new('F', 106, 700), new('G', 122, 700), new('H', 138, 700), new('I', 146, 700)]);

        var text = (await _parser.ParseAsync(pdf, "hindi.pdf")).Text;

        Assert.Equal("\u0915\u093F\u0924\u093E\u092C", text.Trim());
    }

    [Fact]
    public async Task ParseAsync_DevanagariAlreadyInLogicalOrder_IsLeftAsItIs()
    {
        // "hindi" drawn glyph for glyph in logical order (a font used without shaping): ha, sign i, na, virama, da, sign ii. The
        // sign i follows its consonant, so the page is not in drawing order; moving it read "हन्दिी".
        var map = new Dictionary<char, string> { ['A'] = "\u0939", ['B'] = "\u093F", ['C'] = "\u0928", ['D'] = "\u094D", ['E'] = "\u0926", ['F'] = "\u0940" };
        var pdf = PdfFiles.Glyphs(map, [new('A', 100, 700), new('B', 116, 700), new('C', 132, 700), new('D', 132, 700), new('E', 148, 700), new('F', 164, 700)]);

        var text = (await _parser.ParseAsync(pdf, "hindi.pdf")).Text;

        Assert.Equal("\u0939\u093F\u0928\u094D\u0926\u0940", text.Trim());
    }

    [Fact]
    public async Task ParseAsync_RealThaiFileWithZeroWidthSpaces_KeepsEveryWordBreakInPlace()
    {
        // fpdf2's output (see Fixtures/LICENSE.md): three lines of Thai whose words are parted by U+200B, in one Tj each. The
        // comparisons are ordinal: a culture-aware one ignores U+200B.
        var text = (await _parser.ParseAsync(Fixtures.Docs("thai_wraps_zerowidthspace.pdf"))).Text;

        Assert.Contains("\u0E19\u0E42\u0E22\u0E1A\u0E32\u0E22\u200B\u0E2A\u0E32\u0E18\u0E32\u0E23\u0E13\u0E30\u200B\u0E21\u0E35\u200B\u0E04\u0E27\u0E32\u0E21\u200B", text, StringComparison.Ordinal);
        Assert.Equal(49, text.Count(c => c == '\u200B'));
        Assert.DoesNotContain("\u200B\u200B", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParseAsync_BengaliTwoPartVowel_IsReassembledAfterItsConsonant()
    {
        // "kon": ka with the vowel sign o, which is drawn as sign e left of the ka and sign aa right of it; then na.
        var map = new Dictionary<char, string> { ['E'] = "\u09C7", ['F'] = "\u0995", ['G'] = "\u09BE", ['H'] = "\u09A8" };
        var pdf = PdfFiles.Glyphs(map, [new('E', 100, 700), new('F', 110, 700), new('G', 126, 700), new('H', 134, 700)]);

        var text = (await _parser.ParseAsync(pdf, "bengali.pdf")).Text;

        Assert.Equal("\u0995\u09CB\u09A8", text.Trim());
    }

    [Theory]
    [InlineData("\u093F\u0915\u094D\u0937", "\u0915\u094D\u0937\u093F")] // Devanagari: sign i drawn before the conjunct k-ss
    [InlineData("\u0938\u093F\u0915", "\u0938\u0915\u093F")] // sa, then sign i drawn before ka: "sakI"
    [InlineData("\u093F\u0921\u093C\u0902", "\u0921\u093C\u093F\u0902")] // the nukta stays with its consonant, the anusvara after the sign
    [InlineData("\u1031\u1000", "\u1000\u1031")] // Myanmar sign e drawn before ka
    [InlineData("\u17C1\u1780", "\u1780\u17C1")] // Khmer sign e drawn before ka
    [InlineData("\u0BC6\u0B95\u0BBE", "\u0B95\u0BCA")] // Tamil sign o in two parts around ka
    [InlineData("\u093F", "\u093F")] // a sign with no consonant after it is left where it is
    [InlineData("\u0928\u092E\u0938\u094D\u0924\u0947", "\u0928\u092E\u0938\u094D\u0924\u0947")] // no pre-base sign: unchanged
    [InlineData("plain", "plain")]
    public void MovePreBaseVowels_VisualOrder_BecomesLogicalOrder(string visual, string logical) =>
        Assert.Equal(logical, PdfMarks.MovePreBaseVowels(visual));

    [Theory]
    [InlineData("\u093F\u0915", true)] // a word starting with sign i
    [InlineData("\u0915\u093E\u093F\u0924", true)] // sign i after sign aa
    [InlineData("\u0915\u093F", false)] // sign i after its consonant: logical order
    [InlineData("\u0921\u093C\u093F", false)] // after a consonant's nukta
    [InlineData("plain", false)]
    public void InDrawingOrder_PreBaseSigns_TellDrawingOrderFromLogicalOrder(string word, bool drawing) =>
        Assert.Equal(drawing, PdfMarks.InDrawingOrder([word]));

    [Theory]
    [InlineData("\u0E48", true)]
    [InlineData("\u0E35\u0E48", true)]
    [InlineData("\u0301", true)]
    [InlineData("\u093F", false)] // a spacing sign has its own advance: ordered by position, not attached
    [InlineData("\u0E17", false)]
    [InlineData("", false)]
    public void IsMarkOnly_GlyphText_TellsMarksFromLetters(string value, bool mark) =>
        Assert.Equal(mark, PdfMarks.IsMarkOnly(value));

    [Fact]
    public async Task ParseAsync_PageMostlyInAFontWithoutCharacterMap_SaysSoAndKeepsTheWordsThatDecode()
    {
        var map = new Dictionary<char, string> { ['X'] = "\uFFFD", ['K'] = "K", ['e'] = "e", ['p'] = "p" };
        var glyphs = new List<PdfFiles.Glyph> { new('K', 100, 700, 12), new('e', 108, 700, 12), new('e', 115, 700, 12), new('p', 122, 700, 12) };
        glyphs.AddRange(Enumerable.Range(0, 40).Select(i => new PdfFiles.Glyph('X', 100 + (i * 8), 600, 12)));

        var text = (await _parser.ParseAsync(PdfFiles.Glyphs(map, glyphs), "garbled.pdf")).Text;

        Assert.Contains("could not be decoded", text);
        Assert.Contains("Keep", text);
        Assert.DoesNotContain('\uFFFD', text);
    }

    [Fact]
    public async Task ParseAsync_GlyphsWithoutHeightSetAHairApart_AreReadAsWordsNotSingleLetters()
    {
        // Fonts without outlines give glyph boxes of no height; PdfPig's default extractor then takes every gap for a word space.
        const string Sentence = "each input channel can be attenuated in steps of one decibel plus fully muted and any input can be assigned to either output";
        var (map, glyphs) = SetFlat(Sentence, letter => 0.05);

        var text = (await _parser.ParseAsync(PdfFiles.Glyphs(map, glyphs, flat: true), "flat.pdf")).Text;

        Assert.Equal(Sentence, string.Join(' ', text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task ParseAsync_GlyphsWithoutHeightSomeAHairApart_KeepTheirWordsWhole()
    {
        // As pymupdf's test_5049 (TeX fonts PdfPig cannot read outlines from): most letters touch, every third is set 0.04 pt
        // apart by rounding. Too few pieces are single letters for the nearest-neighbour fallback, and the default extractor,
        // which ends a word at any gap wider than a share of the glyph height, read "quest ion" and "numb er".
        const string Sentence = "the examination consists of ten questions worth twenty eight marks in total";
        var (map, glyphs) = SetFlat(Sentence, letter => letter % 3 == 2 ? 0.04 : 0);

        var text = (await _parser.ParseAsync(PdfFiles.Glyphs(map, glyphs, flat: true), "hairline.pdf")).Text;

        Assert.Equal(Sentence, string.Join(' ', text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task ParseAsync_VietnameseAcuteDrawnAtTheCornerOfItsBase_StaysOnItsBase()
    {
        // As pymupdf's bug1945: the acute over a circumflex is drawn at the base's upper right corner, its centre already over
        // the next letter; attached by position alone it read "tiêńg" for "tiếng".
        var map = new Dictionary<char, string> { ['t'] = "t", ['i'] = "i", ['E'] = "\u00EA", ['A'] = "\u0301", ['n'] = "n", ['g'] = "g" };
        PdfFiles.Glyph[] glyphs = [new('t', 100, 700), new('i', 116, 700), new('E', 132, 700), new('A', 140, 700), new('n', 148, 700), new('g', 164, 700)];

        var text = (await _parser.ParseAsync(PdfFiles.Glyphs(map, glyphs), "vietnamese.pdf")).Text;

        Assert.Contains("ti\u1EBFng", text);
    }

    [Fact]
    public async Task ParseAsync_TextRotatedAQuarterTurn_KeepsItsWords()
    {
        var pdf = PdfFiles.OnePage(
            "BT /F1 12 Tf 0 1 -1 0 300 200 Tm (Downloads per week 2012) Tj ET BT /F1 12 Tf 0 1 -1 0 350 200 Tm (June 18) Tj ET",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");

        var text = (await _parser.ParseAsync(pdf, "rotated.pdf")).Text;

        Assert.Contains("Downloads per week 2012", text);
        Assert.Contains("June 18", text);
    }

    [Theory]
    [InlineData(30)]
    [InlineData(-55)]
    public async Task ParseAsync_SlantedLabelDrawnGlyphByGlyph_KeepsTheGapBetweenItsWords(double degrees)
    {
        // A survey plan's street name along a slanted road: every glyph placed by its own text matrix, no space glyph, the
        // words parted by 0.4 em along the baseline (Helvetica at 10 pt; widths in thousandths of an em).
        var (cos, sin) = (Math.Cos(degrees * Math.PI / 180), Math.Sin(degrees * Math.PI / 180));
        var widths = new Dictionary<char, int> { ['F'] = 611, ['A'] = 667, ['I'] = 278, ['R'] = 722, ['O'] = 778, ['K'] = 667, ['S'] = 667 };
        var content = new StringBuilder("BT /F1 12 Tf 72 700 Td (Plat of the Fair Oaks subdivision, sheet 2 of 3.) Tj ET\n");
        var along = 0.0;
        foreach (var letter in "FAIR OAKS")
        {
            if (letter == ' ')
            {
                along += 4;
                continue;
            }

            content.Append(CultureInfo.InvariantCulture, $"BT /F1 10 Tf {cos:0.####} {sin:0.####} {-sin:0.####} {cos:0.####} {300 + (along * cos):0.###} {400 + (along * sin):0.###} Tm ({letter}) Tj ET\n");
            along += widths[letter] / 100.0;
        }

        var pdf = PdfFiles.OnePage(content.ToString(), "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");

        var text = (await _parser.ParseAsync(pdf, "survey-plan.pdf")).Text;

        Assert.Contains("FAIR OAKS", text);
        Assert.DoesNotContain("FAIROAKS", text);
        Assert.DoesNotContain("F AIR", text);
    }

    /// <summary>
    /// A sentence set in 9 pt glyphs of 0.667 em without box height, 3 pt between words, lines wrapped at x = 480; after letter
    /// i of a word comes <paramref name="letterGap"/>(i) points more.
    /// </summary>
    private static (Dictionary<char, string> Map, List<PdfFiles.Glyph> Glyphs) SetFlat(string sentence, Func<int, double> letterGap)
    {
        var map = sentence.Where(c => c != ' ').Distinct().ToDictionary(c => c, c => c.ToString());
        var glyphs = new List<PdfFiles.Glyph>();
        double x = 40, y = 700;
        foreach (var word in sentence.Split(' '))
        {
            if (x > 480)
            {
                (x, y) = (40, y - 14);
            }

            for (var i = 0; i < word.Length; i++)
            {
                glyphs.Add(new PdfFiles.Glyph(word[i], x, y, 9));
                x += (0.667 * 9) + letterGap(i);
            }

            x += 3;
        }

        return (map, glyphs);
    }
}
