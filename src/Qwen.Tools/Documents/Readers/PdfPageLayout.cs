using System.Text;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.DocumentLayoutAnalysis.WordExtractor;
using UglyToad.PdfPig.Util;

namespace Qwen.Tools;

/// <summary>
/// Turns a PDF page's words into paragraphs in reading order: words grouped into lines by baseline, two-column pages read
/// column by column, lines with wide gaps in consecutive rows kept as table rows, lines grouped into paragraphs by spacing and
/// font size, larger text marked as headings.
/// </summary>
internal static class PdfPageLayout
{
    /// <summary>Pages with fewer spaces than this share of their glyphs place words by position alone: their words are found from
    /// the gaps between glyphs, not from space characters.</summary>
    private const int GlyphsPerSpace = 15;

    /// <summary>U+200B, which parts words without a gap (Thai, Khmer and Lao text set with word breaks): counted as a space.</summary>
    private const char ZeroWidthSpace = '\u200B';

    /// <summary>Words this long or longer are checked for word spaces drawn as gaps (see <see cref="SplitAtWordGaps"/>).</summary>
    private const int MinLettersToSplit = 6;

    /// <summary>A gap between letters wider than this share of the font size (and than the word's usual gap by as much) is a word
    /// space; pdftotext uses a tenth as well.</summary>
    private const double WordGapEms = 0.1;

    /// <summary>
    /// The advance, in ems, past which a space glyph counts as drawn forward at all (see <see cref="WithoutNarrowedSpaces"/>); one
    /// that advances less was undone on purpose.
    /// </summary>
    private const double MinAdvanceEms = 0.001;

    /// <summary>
    /// A space glyph advancing less than this share of the font size is no word gap (see <see cref="WithoutNarrowedSpaces"/>):
    /// pdftotext 22.12 joins the words across a Helvetica space that word spacing shrinks to 0.028 em and parts them at 0.032 em,
    /// at 12 and at 24 points alike.
    /// </summary>
    private const double SliverEms = 0.03;

    /// <summary>The same gap between every two glyphs of a run, wider than this share of the font size and no wider than
    /// <see cref="MaxLetterSpacingEms"/>, is letter spacing (see <see cref="WithLetterSpacingInAdvance"/>).</summary>
    private const double MinLetterSpacingEms = 0.05;

    /// <summary>The widest letter spacing, in ems: glyphs set further apart are figures or labels placed one by one.</summary>
    private const double MaxLetterSpacingEms = 1.0;

    /// <summary>A subscript or superscript starting within this share of the font size after a word's end belongs to it.</summary>
    private const double ScriptGapEms = 0.08;

    /// <summary>A script is at most this share of its word's size (TeX sets 7 on 10, word processors about 0.6); a word a point
    /// smaller or larger than its neighbour is a neighbour, not a script (monospaced forms with a space glyph in another size).</summary>
    private const double MaxScriptSizeRatio = 0.85;

    /// <summary>The page's paragraphs; <paramref name="builtInEncodings"/> gives the text of the codes of fonts PdfPig cannot decode
    /// (see <see cref="PdfBuiltInEncodings"/>); <paramref name="appearanceLetters"/> are glyphs that annotation appearances draw
    /// on the page (see <see cref="PdfAppearancePageFactory"/>), laid out with the page's own where they are drawn;
    /// <paramref name="namedGlyphs"/> gives glyphs without readable text the text of their names (see <see cref="PdfGlyphNames"/>).</summary>
    public static List<DocumentParagraph> Extract(Page page, Dictionary<string, IReadOnlyDictionary<int, string>>? builtInEncodings = null,
        IReadOnlyList<Letter>? appearanceLetters = null, Func<IReadOnlyList<Letter>, IReadOnlyList<Letter>>? namedGlyphs = null)
    {
        var paragraphs = new List<DocumentParagraph>();
        // Built-in encodings first: they map a glyph's one-character text by its code, which an actual text is not.
        var own = PdfActualText.Apply(page, builtInEncodings is null ? page.Letters : PdfBuiltInEncodings.Apply(page.Letters, builtInEncodings));
        own = namedGlyphs is null ? own : namedGlyphs(own);
        IReadOnlyList<Letter> drawn = appearanceLetters is { Count: > 0 }
            ? [.. own, .. builtInEncodings is null ? appearanceLetters : PdfBuiltInEncodings.Apply(appearanceLetters, builtInEncodings)]
            : own;
        var letters = PdfMarks.AttachMarks(WithHeights(WithLetterSpacingInAdvance(WithRaisedLettersOnTheLine(WithSpacesBeforeTheGlyphsAtTheirStart(WithoutCoveredSpaces(WithoutNarrowedSpaces(WithoutOverprints(drawn))))))));

        int spaces = 0, visible = 0, garbage = 0;
        foreach (var letter in letters)
        {
            var value = letter.Value;
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (c is ' ' or ZeroWidthSpace)
                {
                    spaces++;
                }
                else if (PdfText.IsGarbageAt(value, i))
                {
                    garbage++;
                }
                else if (!char.IsWhiteSpace(c))
                {
                    visible++;
                }
            }
        }

        // A font without a usable character map yields control characters or U+FFFD for every glyph: say so rather than
        // passing the garbage on, and keep the words of the fonts that do decode (often the headings, numbers or a second font).
        var undecodable = garbage > 20 && garbage > visible;
        if (undecodable)
        {
            paragraphs.Add(new DocumentParagraph(DocumentParagraphKind.Text, $"[The text of page {page.Number} could not be decoded: its fonts have no usable character map ({garbage} of {garbage + visible} glyphs).]"));
            letters = letters.FindAll(l => !PdfText.HasGarbage(l.Value));
        }

        // PdfPig's default extractor splits words at spaces and at wide gaps. Where a page has no space glyphs and tight gaps, it
        // runs words together ("approachtoblockcipherimplementation"); then the nearest-neighbour extractor, which groups glyphs
        // by their distances, reads the page instead. It does too where the default extractor splits words into single letters,
        // which it does when glyphs have no height (fonts without outlines: any gap then counts as a word space). It is not the
        // first choice: on well-spaced pages it splits and merges more.
        // Rotated text (chart axes, margins, survey plans) always goes to the nearest-neighbour extractor: the default one orders
        // glyphs by their horizontal position and breaks vertical words into single letters.
        var horizontal = letters.FindAll(l => l.TextOrientation == TextOrientation.Horizontal);
        var turned = letters.Count == horizontal.Count ? [] : letters.FindAll(l => l.TextOrientation != TextOrientation.Horizontal);
        List<Word> found = [.. DefaultWordExtractor.Instance.GetWords(horizontal)];
        if (visible > 40 && ((spaces * GlyphsPerSpace < visible && RunTogether(found)) || SplitApart(found)))
        {
            found = [.. NearestNeighbourWordExtractor.Instance.GetWords(horizontal)];
        }
        else
        {
            found = JoinScripts(SplitAtWordGaps(found, rotated: false));
        }

        if (turned.Count > 0)
        {
            found.AddRange(SplitAtWordGaps([.. NearestNeighbourWordExtractor.Instance.GetWords(turned)], rotated: true));
        }

        var texts = new List<(Word Word, string Text)>(found.Count);
        foreach (var word in found)
        {
            // Each glyph's text cleaned and kept whole: a right-to-left word is reversed glyph by glyph.
            var text = PdfText.ToLogicalOrder([.. word.Letters.Select(l => PdfText.Clean(l.Value))]).Trim();
            if (text.Length > 0)
            {
                texts.Add((word, text));
            }
        }

        var drawingOrder = PdfMarks.InDrawingOrder(texts.Select(t => t.Text));
        var words = new List<PdfWord>();
        var rotated = new List<string>();
        foreach (var (word, logical) in texts)
        {
            var text = drawingOrder ? PdfMarks.MovePreBaseVowels(logical) : logical;
            if (word.TextOrientation is TextOrientation.Horizontal)
            {
                words.Add(PdfWord.From(word, text));
            }
            else
            {
                // Rotated labels (chart axes, margins, survey plans) are kept as text, never laid out as rows of a table.
                rotated.Add(text);
            }
        }

        if (words.Count > 0)
        {
            var bodySize = BodySize(words);
            foreach (var region in SplitColumns(words, bodySize))
            {
                var lines = BuildLines(region);
                AppendParagraphs(lines, bodySize, paragraphs);
            }
        }

        if (rotated.Count > 0)
        {
            paragraphs.Add(new DocumentParagraph(DocumentParagraphKind.Text, string.Join(' ', rotated)));
        }

        return paragraphs;
    }

    /// <summary>Whether words look run together: more than a quarter of the letters sit in "words" of 16 letters or more (a zero-width
    /// space parts words too).</summary>
    private static bool RunTogether(IReadOnlyList<Word> words)
    {
        long letters = 0, inLong = 0;
        foreach (var word in words)
        {
            foreach (var piece in word.Text.Split(ZeroWidthSpace))
            {
                var count = piece.Count(char.IsLetter);
                letters += count;
                inLong += count >= 16 ? count : 0;
            }
        }

        return letters > 0 && inLong * 4 > letters;
    }

    /// <summary>
    /// The words with those that run together split where a gap between two letters is a word space: wider than a tenth of the
    /// font size and than the word's usual gap by as much. Kerned headlines set without space glyphs ("NOVA TENTATIVA" moved
    /// apart by a TJ offset) come out of the default extractor as one word on pages whose body text has spaces; letter-spaced text
    /// has wide gaps throughout, so its usual gap is wide too and it is not split. Either the horizontal words or, when
    /// <paramref name="rotated"/>, the rotated ones, measured along their baseline: the nearest-neighbour extractor joins the
    /// words of a label drawn glyph by glyph along a slanted line ("FAIROAKS" on a survey plan). Horizontal words whose letters
    /// do not share one baseline (the lowered E of "TeX") are left whole.
    /// </summary>
    private static List<Word> SplitAtWordGaps(List<Word> words, bool rotated)
    {
        List<Word>? result = null;
        for (var w = 0; w < words.Count; w++)
        {
            var letters = words[w].Letters;
            var horizontal = words[w].TextOrientation == TextOrientation.Horizontal;
            var pieces = letters.Count >= MinLettersToSplit && horizontal != rotated ? Pieces(letters, horizontal) : null;
            if (pieces is null)
            {
                result?.Add(words[w]);
                continue;
            }

            result ??= words.GetRange(0, w);
            result.AddRange(pieces.Select(piece => new Word(piece)));
        }

        return result ?? words;

        static List<List<Letter>>? Pieces(IReadOnlyList<Letter> letters, bool horizontal)
        {
            var gaps = new double[letters.Count - 1];
            var widest = double.MinValue;
            for (var i = 1; i < letters.Count; i++)
            {
                var size = letters[i].PointSize;
                if (size <= 0 || letters[i].Value.Any(c => c == ' ' || PdfText.IsRightToLeft(c) || CjkText.IsCjk(c)))
                {
                    return null;
                }

                gaps[i - 1] = Gap(letters[i - 1], letters[i], horizontal) / size;
                widest = Math.Max(widest, gaps[i - 1]);
            }

            // Almost every word has no gap that wide: no need to find its usual gap.
            if (widest <= WordGapEms)
            {
                return null;
            }

            var usual = gaps.Order().ElementAt(gaps.Length / 2);
            List<List<Letter>>? pieces = null;
            var start = 0;
            for (var i = 1; i < letters.Count; i++)
            {
                if (gaps[i - 1] > WordGapEms && gaps[i - 1] > usual + WordGapEms)
                {
                    (pieces ??= []).Add([.. letters.Skip(start).Take(i - start)]);
                    start = i;
                }
            }

            pieces?.Add([.. letters.Skip(start)]);
            return pieces;
        }

        // The room between two letters along the baseline: for rotated text (a street name along a slanted road) the
        // baseline's direction is the previous letter's advance, or the way from one letter to the next where a glyph has
        // no width.
        static double Gap(Letter previous, Letter next, bool horizontal)
        {
            var x = next.StartBaseLine.X - previous.EndBaseLine.X;
            if (horizontal)
            {
                return x;
            }

            var y = next.StartBaseLine.Y - previous.EndBaseLine.Y;
            var (dx, dy) = (previous.EndBaseLine.X - previous.StartBaseLine.X, previous.EndBaseLine.Y - previous.StartBaseLine.Y);
            var length = Math.Sqrt((dx * dx) + (dy * dy));
            if (length < 1e-6)
            {
                (dx, dy) = (next.StartBaseLine.X - previous.StartBaseLine.X, next.StartBaseLine.Y - previous.StartBaseLine.Y);
                length = Math.Sqrt((dx * dx) + (dy * dy));
            }

            return length < 1e-6 ? 0 : ((x * dx) + (y * dy)) / length;
        }
    }

    /// <summary>
    /// The words with subscripts and superscripts joined to the word they touch: "v" followed by a smaller "ul" set lower with no
    /// gap reads "vul", as in pdftotext. PdfPig's default extractor ends a word wherever the font size or the baseline changes,
    /// which breaks every indexed variable of a formula ("x 1", "γ 2") and every footnote mark into two words.
    /// </summary>
    private static List<Word> JoinScripts(List<Word> words)
    {
        var byLeft = words.Where(w => w.TextOrientation == TextOrientation.Horizontal && w.Letters.Count > 0)
            .OrderBy(w => w.Letters[0].StartBaseLine.X).ToList();
        var lefts = byLeft.Select(w => w.Letters[0].StartBaseLine.X).ToArray();
        var next = new Dictionary<Word, Word>(ReferenceEqualityComparer.Instance);
        var hasPrevious = new HashSet<Word>(ReferenceEqualityComparer.Instance);
        foreach (var word in byLeft)
        {
            var last = word.Letters[^1];
            var size = last.PointSize;
            if (size <= 0 || !IsJoinable(word))
            {
                continue;
            }

            // The candidates start between a fifth of an em before the word's end and a tenth after it.
            var from = Array.BinarySearch(lefts, last.EndBaseLine.X - (0.2 * size));
            for (var i = from < 0 ? ~from : from; i < byLeft.Count && lefts[i] <= last.EndBaseLine.X + (ScriptGapEms * size); i++)
            {
                var candidate = byLeft[i];
                var first = candidate.Letters[0];
                var sizes = (Small: Math.Min(size, first.PointSize), Large: Math.Max(size, first.PointSize));
                // Joined words always start further right than the word they join, so a chain never comes back to itself.
                if (first.StartBaseLine.X <= word.Letters[0].StartBaseLine.X || hasPrevious.Contains(candidate) || sizes.Small <= 0 || sizes.Small > MaxScriptSizeRatio * sizes.Large
                    || Math.Abs(first.StartBaseLine.Y - last.StartBaseLine.Y) > 0.6 * sizes.Large || !IsJoinable(candidate))
                {
                    continue;
                }

                next[word] = candidate;
                hasPrevious.Add(candidate);
                break;
            }
        }

        if (next.Count == 0)
        {
            return words;
        }

        var result = new List<Word>(words.Count - next.Count);
        foreach (var word in words)
        {
            if (hasPrevious.Contains(word))
            {
                continue;
            }

            if (!next.ContainsKey(word))
            {
                result.Add(word);
                continue;
            }

            var letters = new List<Letter>(word.Letters);
            for (var current = word; next.TryGetValue(current, out var following) && letters.Count < 10_000; current = following)
            {
                letters.AddRange(following.Letters);
            }

            result.Add(new Word(letters));
        }

        return result;

        static bool IsJoinable(Word word) => !word.Text.Any(c => PdfText.IsRightToLeft(c) || CjkText.IsCjk(c));
    }

    /// <summary>Whether words look split apart: most of them are a single letter or digit (CJK characters aside).</summary>
    private static bool SplitApart(IReadOnlyList<Word> words)
    {
        int counted = 0, single = 0;
        foreach (var word in words)
        {
            var text = word.Text.Trim();
            if (text.Length == 0 || (text.Length == 1 && CjkText.IsCjk(text[0])))
            {
                continue;
            }

            counted++;
            single += text.Length == 1 && char.IsLetterOrDigit(text[0]) ? 1 : 0;
        }

        return counted >= 20 && single * 2 > counted;
    }

    /// <summary>
    /// The letters without glyphs drawn again over themselves (fake bold, a form drawn twice), which read as doubled letters: the
    /// same text within a fraction of the glyph's advance to the side and of a point up or down (fake bold shifts the copy by a
    /// tenth of a point or so, some producers diagonally: four copies 0.24 pt apart in pdfplumber's issue-842); a genuinely
    /// doubled letter is a whole advance or a line away.
    /// </summary>
    private static List<Letter> WithoutOverprints(IReadOnlyList<Letter> letters)
    {
        var seen = new Dictionary<(string, long, long), List<(double X, double Y)>>();
        var kept = new List<Letter>(letters.Count);
        foreach (var letter in letters)
        {
            var x = letter.StartBaseLine.X;
            var y = letter.StartBaseLine.Y;
            var row = (long)Math.Round(y * 2);
            var tolerance = Math.Max(Math.Min(1.0, 0.25 * Math.Abs(letter.Width)), 0.25);
            var rise = Math.Max(Math.Min(1.0, 0.1 * letter.PointSize), 0.25);
            var cell = (long)Math.Floor(x);
            var doubled = false;
            for (var near = cell - 1; near <= cell + 1 && !doubled; near++)
            {
                for (var up = row - 2; up <= row + 2 && !doubled; up++)
                {
                    doubled = seen.TryGetValue((letter.Value, up, near), out var points)
                        && points.Exists(other => Math.Abs(other.X - x) <= tolerance && Math.Abs(other.Y - y) <= rise);
                }
            }

            if (doubled)
            {
                continue;
            }

            if (!seen.TryGetValue((letter.Value, row, cell), out var list))
            {
                seen[(letter.Value, row, cell)] = list = [];
            }

            list.Add((x, y));
            kept.Add(letter);
        }

        return kept;
    }

    /// <summary>
    /// The letters with a glyph box of some height where PdfPig gives none (fonts whose outlines it cannot read: a TeX font
    /// program it fails to parse, a Type 3 font without a bounding box). The default word extractor ends a word at any gap wider
    /// than a share of the glyph height, so with no height every sliver between two letters split a word ("quest ion", "numb
    /// er"). The box given runs from the baseline to 0.7 em, about a lower-case letter's height.
    /// </summary>
    private static List<Letter> WithHeights(List<Letter> letters)
    {
        if (!letters.Exists(NeedsHeight))
        {
            return letters;
        }

        return letters.ConvertAll(letter =>
        {
            if (!NeedsHeight(letter))
            {
                return letter;
            }

            var box = letter.BoundingBox;
            var baseline = letter.StartBaseLine.Y;
            var tall = new PdfRectangle(Math.Min(box.Left, letter.StartBaseLine.X), baseline, Math.Max(box.Right, letter.EndBaseLine.X), baseline + (0.7 * letter.PointSize));
            return Placed(letter, tall, letter.StartBaseLine, letter.EndBaseLine, letter.Width, letter.FontSize);
        });

        static bool NeedsHeight(Letter letter) => letter.TextOrientation == TextOrientation.Horizontal && letter.BoundingBox.Height < 0.01
            && letter.PointSize > 0 && !string.IsNullOrWhiteSpace(letter.Value);
    }

    /// <summary>The letter with another box, baseline, advance and font size (the extractor's), its text and drawing kept.</summary>
    private static Letter Placed(Letter letter, PdfRectangle box, PdfPoint start, PdfPoint end, double width, double fontSize) =>
        new(letter.Value, box, letter.GlyphRectangleLoose, start, end, width, fontSize, letter.FontDetails, letter.RenderingMode,
            letter.StrokeColor, letter.FillColor, letter.PointSize, letter.TextSequence);

    /// <summary>
    /// The letters with each space glyph that starts where an earlier-drawn glyph starts (on its baseline, within 0.01 pt) moved
    /// just before that glyph. The word extractor orders a line's glyphs by position, and on a tie by drawing order, so the space
    /// fell after the glyph and the word break landed one glyph off: a Persian producer that draws a zero-width non-joiner as a
    /// space at the left edge of the glyph before it (right to left, so drawn first) gave "شبک ههای" for "شبکه هاي". A space
    /// drawn at a glyph's start parts the words on that glyph's left, whichever was drawn first (a combining mark is not such a
    /// glyph).
    /// </summary>
    private static List<Letter> WithSpacesBeforeTheGlyphsAtTheirStart(List<Letter> letters)
    {
        Dictionary<(long Y, long X), int>? starts = null;
        Dictionary<int, List<Letter>>? before = null;
        HashSet<int>? moved = null;
        for (var i = 0; i < letters.Count; i++)
        {
            var letter = letters[i];
            if (letter.TextOrientation != TextOrientation.Horizontal)
            {
                continue;
            }

            var key = ((long)Math.Round(letter.StartBaseLine.Y * 100), (long)Math.Round(letter.StartBaseLine.X * 100));
            if (!string.IsNullOrWhiteSpace(letter.Value))
            {
                // A combining mark is placed by its base, which is attached to later: a space never goes between them.
                if (!PdfMarks.IsMarkOnly(letter.Value))
                {
                    (starts ??= []).TryAdd(key, i);
                }
            }
            else if (starts is not null && starts.TryGetValue(key, out var glyph))
            {
                var at = letters[glyph].StartBaseLine.X;
                var space = Placed(letter, letter.BoundingBox, new PdfPoint(at, letter.StartBaseLine.Y), new PdfPoint(at + letter.Width, letter.EndBaseLine.Y),
                    letter.Width, letter.FontSize);
                before ??= [];
                if (!before.TryGetValue(glyph, out var list))
                {
                    before[glyph] = list = [];
                }

                list.Add(space);
                (moved ??= []).Add(i);
            }
        }

        if (before is null)
        {
            return letters;
        }

        var result = new List<Letter>(letters.Count);
        for (var i = 0; i < letters.Count; i++)
        {
            if (before.TryGetValue(i, out var spaces))
            {
                result.AddRange(spaces);
            }

            if (!moved!.Contains(i))
            {
                result.Add(letters[i]);
            }
        }

        return result;
    }

    /// <summary>
    /// The letters with each one raised or lowered inside a word put on the word's baseline: a glyph drawn between two glyphs on
    /// one baseline, touching both (it starts within 0.1 em of the first's end and the second within 0.1 em of its own), set
    /// 0.05 to 0.4 em above or below them, at half their size or more, with a letter or digit after it (a subscript before a
    /// comma in a formula stays as it was). The TeX logo lowers its E half an ex and LaTeX's raises a
    /// smaller A, and PdfPig's default extractor ends a word wherever the baseline or the font size changes: "bibTEX" read
    /// "bibT E X" and "LaTeX" "LT A E X". The letter takes its neighbour's font size too (the extractor's, not the point size
    /// the layout uses). A subscript inside a word ("H2O") joins it as well; one at a word's end is left to
    /// <see cref="JoinScripts"/>.
    /// </summary>
    private static List<Letter> WithRaisedLettersOnTheLine(List<Letter> letters)
    {
        List<Letter>? result = null;
        for (var i = 0; i < letters.Count; i++)
        {
            var letter = letters[i];
            if (i > 0 && i + 1 < letters.Count && Sandwiched(letters[i - 1], letter, letters[i + 1]))
            {
                result ??= letters.GetRange(0, i);
                var dy = letters[i - 1].StartBaseLine.Y - letter.StartBaseLine.Y;
                var box = letter.BoundingBox;
                letter = Placed(letter, new PdfRectangle(box.Left, box.Bottom + dy, box.Right, box.Top + dy),
                    new PdfPoint(letter.StartBaseLine.X, letter.StartBaseLine.Y + dy), new PdfPoint(letter.EndBaseLine.X, letter.EndBaseLine.Y + dy),
                    letter.Width, letters[i - 1].FontSize);
            }

            result?.Add(letter);
        }

        return result ?? letters;

        static bool Sandwiched(Letter previous, Letter letter, Letter next)
        {
            var size = previous.PointSize;
            if (size <= 0 || letter.PointSize < 0.5 * size || IsBlank(previous) || IsBlank(letter) || next.Value.Length == 0 || !char.IsLetterOrDigit(next.Value, 0)
                || previous.TextOrientation != TextOrientation.Horizontal || letter.TextOrientation != TextOrientation.Horizontal
                || next.TextOrientation != TextOrientation.Horizontal || Math.Abs(next.StartBaseLine.Y - previous.StartBaseLine.Y) > 0.01 * size)
            {
                return false;
            }

            var rise = Math.Abs(letter.StartBaseLine.Y - previous.StartBaseLine.Y);
            return rise >= 0.05 * size && rise <= 0.4 * size
                && letter.StartBaseLine.X >= previous.StartBaseLine.X && letter.StartBaseLine.X <= previous.EndBaseLine.X + (0.1 * size)
                && next.StartBaseLine.X >= letter.StartBaseLine.X && next.StartBaseLine.X <= letter.EndBaseLine.X + (0.1 * size);
        }

        static bool IsBlank(Letter letter) => string.IsNullOrWhiteSpace(letter.Value);
    }

    /// <summary>
    /// The letters of letter-spaced runs with the spacing counted in their advance. A title set with character spacing
    /// (<c>Tc</c>: "L e f t   T o p" for "Left Top") has the same gap after every glyph, and PdfPig's default extractor ends a
    /// word at any gap wider than 0.39 of the glyph height, so each letter came out as a word of its own. A run (glyphs of one
    /// text object, one after another on one baseline) is letter-spaced when the gaps between its neighbouring glyphs other than
    /// spaces (three or more) are all the same to within 0.02 em, wider than <see cref="MinLetterSpacingEms"/> and no wider
    /// than <see cref="MaxLetterSpacingEms"/>: each such glyph's advance is stretched to its neighbour, and the run's space
    /// glyphs part its words; so is the glyph before or after the run when it is set at the same spacing. Kerned text (unequal
    /// gaps) and figures set further apart are left as they are. pdftotext takes the character spacing off before it looks for
    /// word gaps, to much the same effect.
    /// </summary>
    private static List<Letter> WithLetterSpacingInAdvance(List<Letter> letters)
    {
        List<Letter>? result = null;
        for (int start = 0, end; start < letters.Count; start = end)
        {
            end = start + 1;
            while (end < letters.Count && Follows(letters[end - 1], letters[end]) && letters[end].TextSequence == letters[end - 1].TextSequence)
            {
                end++;
            }

            if (LetterSpacing(letters, start, end) is not { } spacing)
            {
                result?.AddRange(letters.GetRange(start, end - start));
                continue;
            }

            // The glyphs on either side of the run are of its word when they are set at the same spacing (an OCR layer that
            // fits each word to its box may draw a word's last letter in a text object of its own).
            result ??= letters.GetRange(0, start);
            if (result.Count > 0 && SpacedAt(result[^1], letters[start], spacing))
            {
                result[^1] = StretchedTo(result[^1], letters[start]);
            }

            for (var i = start; i < end; i++)
            {
                var next = i + 1 < letters.Count ? letters[i + 1] : null;
                var stretch = next is not null && (i + 1 < end ? !IsSpace(letters[i]) && !IsSpace(next) : SpacedAt(letters[i], next, spacing));
                result.Add(stretch ? StretchedTo(letters[i], next!) : letters[i]);
            }
        }

        return result ?? letters;

        static bool IsSpace(Letter letter) => string.IsNullOrWhiteSpace(letter.Value);

        static bool Follows(Letter previous, Letter next) =>
            previous.TextOrientation == TextOrientation.Horizontal && next.TextOrientation == TextOrientation.Horizontal
            && previous.PointSize > 0 && Math.Abs(next.StartBaseLine.Y - previous.StartBaseLine.Y) <= 0.01 * previous.PointSize
            && next.StartBaseLine.X >= previous.StartBaseLine.X;

        static double Gap(Letter previous, Letter next) => (next.StartBaseLine.X - previous.EndBaseLine.X) / previous.PointSize;

        static bool SpacedAt(Letter previous, Letter next, double spacing) =>
            !IsSpace(previous) && !IsSpace(next) && Follows(previous, next) && Math.Abs(Gap(previous, next) - spacing) <= 0.01;

        static Letter StretchedTo(Letter letter, Letter next)
        {
            var x = next.StartBaseLine.X;
            return Placed(letter, letter.BoundingBox, letter.StartBaseLine, new PdfPoint(x, letter.EndBaseLine.Y), x - letter.StartBaseLine.X, letter.FontSize);
        }

        // The run's letter spacing in ems, or null when it is not letter-spaced.
        static double? LetterSpacing(List<Letter> letters, int start, int end)
        {
            var gaps = 0;
            double narrowest = double.MaxValue, widest = double.MinValue;
            for (var i = start; i + 1 < end; i++)
            {
                if (!IsSpace(letters[i]) && !IsSpace(letters[i + 1]))
                {
                    var gap = Gap(letters[i], letters[i + 1]);
                    (narrowest, widest) = (Math.Min(narrowest, gap), Math.Max(widest, gap));
                    gaps++;
                }
            }

            return gaps >= 3 && narrowest > MinLetterSpacingEms && widest <= MaxLetterSpacingEms && widest - narrowest <= 0.02
                ? (narrowest + widest) / 2
                : null;
        }
    }

    /// <summary>
    /// The letters without the space glyphs that word and character spacing shrink to a sliver: a producer that draws "wit h" with
    /// a word spacing (<c>Tw</c>) of minus nearly the space's width shows "with", and the space glyph still in the string split the
    /// word ("wit h", "func tion", "simi lar ity"; the pdfcpu test file TheGoProgrammingLanguageCh1 is set this way throughout,
    /// one space advancing 0.012 em). A space glyph of real width (over 0.1 em) after which the next glyph of its run
    /// starts further on, but by less than 0.03 em, leaves no gap anyone sees, and is dropped; pdftotext, which finds word gaps by
    /// position, reads these words whole too. A space drawn at its width is kept, and so is one that the next glyph is moved back
    /// onto or over (a Persian zero-width non-joiner drawn as a space then undone by a <c>TJ</c> adjustment: a word boundary by
    /// intent).
    /// </summary>
    private static List<Letter> WithoutNarrowedSpaces(List<Letter> letters)
    {
        List<Letter>? result = null;
        for (var i = 0; i < letters.Count; i++)
        {
            if (i + 1 < letters.Count && IsNarrowed(letters[i], letters[i + 1]))
            {
                result ??= letters.GetRange(0, i);
                continue;
            }

            result?.Add(letters[i]);
        }

        return result ?? letters;

        static bool IsNarrowed(Letter space, Letter next)
        {
            var size = space.PointSize;
            if (!string.IsNullOrWhiteSpace(space.Value) || string.IsNullOrWhiteSpace(next.Value) || size <= 0
                || space.TextOrientation != TextOrientation.Horizontal || next.TextOrientation != TextOrientation.Horizontal
                || next.TextSequence != space.TextSequence || space.Width <= WordGapEms * size
                || Math.Abs(next.StartBaseLine.Y - space.StartBaseLine.Y) > 0.01 * size)
            {
                return false;
            }

            var advance = next.StartBaseLine.X - space.StartBaseLine.X;
            return advance > MinAdvanceEms * size && advance < SliverEms * size;
        }
    }

    /// <summary>
    /// The letters without space glyphs drawn under other glyphs: a report generator that pads each table cell with spaces to a
    /// fixed width draws the padding of one cell under the text of the next, and the word extractor, which orders a line's glyphs
    /// by position, then reads "0 3 / 2 5 / 2 0 16" for "03/25/2016". A space whose advance lies more than half under the ink of
    /// visible glyphs drawn by other text objects on the same baseline is not a gap anyone sees. A space of the same run of text
    /// is kept wherever it lies, and so is one under the advance but not the ink of the next letter: a Persian zero-width
    /// non-joiner drawn as a space still parts two words.
    /// </summary>
    private static List<Letter> WithoutCoveredSpaces(List<Letter> letters)
    {
        const double Cell = 16;
        var glyphs = new Dictionary<(long Y, long X), List<(double Left, double Right, int Sequence)>>();
        var spaces = 0;
        foreach (var letter in letters)
        {
            if (letter.TextOrientation != TextOrientation.Horizontal)
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(letter.Value))
            {
                spaces++;
                continue;
            }

            var (left, right) = (letter.BoundingBox.Left, letter.BoundingBox.Right);
            var key = ((long)Math.Round(letter.StartBaseLine.Y * 2), (long)Math.Floor(left / Cell));
            if (!glyphs.TryGetValue(key, out var list))
            {
                glyphs[key] = list = [];
            }

            list.Add((left, right, letter.TextSequence));
        }

        if (spaces == 0 || glyphs.Count == 0)
        {
            return letters;
        }

        return letters.FindAll(letter => letter.TextOrientation != TextOrientation.Horizontal || !string.IsNullOrWhiteSpace(letter.Value) || !Covered(letter));

        bool Covered(Letter space)
        {
            var (left, right) = Span(space);
            var half = (right - left) / 2;
            if (half <= 0)
            {
                return false;
            }

            var y = (long)Math.Round(space.StartBaseLine.Y * 2);
            var covered = 0.0;
            for (var row = y - 1; row <= y + 1; row++)
            {
                for (var cell = (long)Math.Floor((left - (2 * Cell)) / Cell); cell <= (long)Math.Floor(right / Cell); cell++)
                {
                    if (glyphs.TryGetValue((row, cell), out var list))
                    {
                        foreach (var g in list)
                        {
                            covered += g.Sequence != space.TextSequence ? Math.Max(0, Math.Min(right, g.Right) - Math.Max(left, g.Left)) : 0;
                        }
                    }
                }
            }

            return covered > half;
        }

        static (double Left, double Right) Span(Letter letter) =>
            (Math.Min(letter.StartBaseLine.X, letter.EndBaseLine.X), Math.Max(letter.StartBaseLine.X, letter.EndBaseLine.X));
    }

    /// <summary>
    /// Whether rows split at wide gaps are a table: some cell holds a word (two letters or more) and cells are not mostly
    /// single characters. Scattered glyphs (chart labels, plots, plans) line up by chance and would otherwise become "2 | 5 | 6".
    /// </summary>
    private static bool IsPlausibleTable(List<PdfLine> rows)
    {
        var cells = rows.SelectMany(r => r.Cells).ToList();
        var single = cells.Count(c => c.Length <= 1);
        return cells.Any(c => c.Count(char.IsLetter) >= 2) && single * 2 < cells.Count;
    }

    /// <summary>The most common font size, weighted by characters: the size of the body text.</summary>
    private static double BodySize(List<PdfWord> words) =>
        words.GroupBy(w => Math.Round(w.Size * 2) / 2).MaxBy(g => g.Sum(w => w.Text.Length))!.Key;

    /// <summary>Splits a two-column page into regions read in order: full-width text above, left column, right column, full-width text below.</summary>
    private static List<List<PdfWord>> SplitColumns(List<PdfWord> words, double bodySize)
    {
        var left = words.Min(w => w.Left);
        var right = words.Max(w => w.Right);
        var width = right - left;
        if (width < 20 * bodySize || words.Count < 40)
        {
            return [words];
        }

        // Coverage of each point of the middle half of the text width by words; a gutter is a wide strip that almost no word crosses.
        var from = (int)(left + (width * 0.3));
        var to = (int)(left + (width * 0.7));
        var coverage = new int[to - from + 1];
        foreach (var word in words)
        {
            for (var x = Math.Max(from, (int)word.Left); x <= Math.Min(to, (int)word.Right); x++)
            {
                coverage[x - from]++;
            }
        }

        var allowed = Math.Max(1, words.Count / 100);
        int bestStart = -1, bestLength = 0, runStart = -1;
        for (var i = 0; i <= coverage.Length; i++)
        {
            if (i < coverage.Length && coverage[i] <= allowed)
            {
                runStart = runStart < 0 ? i : runStart;
                continue;
            }

            if (runStart >= 0 && i - runStart > bestLength)
            {
                bestStart = runStart;
                bestLength = i - runStart;
            }

            runStart = -1;
        }

        if (bestLength < bodySize)
        {
            return [words];
        }

        var gutter = from + bestStart + (bestLength / 2.0);
        var leftColumn = words.Where(w => w.Right <= gutter).ToList();
        var rightColumn = words.Where(w => w.Left >= gutter).ToList();
        var spanning = words.Where(w => w.Left < gutter && w.Right > gutter).ToList();
        if (!IsTextColumn(leftColumn, words.Count) || !IsTextColumn(rightColumn, words.Count))
        {
            return [words];
        }

        var columnsTop = Math.Max(leftColumn.Max(w => w.Baseline), rightColumn.Max(w => w.Baseline));
        var above = spanning.Where(w => w.Baseline > columnsTop).ToList();
        var below = spanning.Where(w => w.Baseline <= columnsTop).ToList();
        return [.. new[] { above, leftColumn, rightColumn, below }.Where(r => r.Count > 0)];
    }

    /// <summary>A column of running text: a real share of the words, in lines of several words (not a narrow table column).</summary>
    private static bool IsTextColumn(List<PdfWord> column, int total)
    {
        if (column.Count < total / 5)
        {
            return false;
        }

        var lines = column.GroupBy(w => Math.Round(w.Baseline)).Count();
        return column.Count >= lines * 4 || column.Sum(w => w.Text.Length) >= lines * 20;
    }

    private static List<PdfLine> BuildLines(List<PdfWord> words)
    {
        words.Sort((a, b) => b.Baseline.CompareTo(a.Baseline));
        var lines = new List<PdfLine>();
        var current = new List<PdfWord>();
        var baseline = double.NaN;
        foreach (var word in words)
        {
            if (current.Count > 0 && Math.Abs(word.Baseline - baseline) > 0.4 * Math.Max(word.Size, current[0].Size))
            {
                lines.Add(PdfLine.From(current));
                current = [];
            }

            if (current.Count == 0)
            {
                baseline = word.Baseline;
            }

            current.Add(word);
        }

        lines.Add(PdfLine.From(current));
        return lines;
    }

    private static void AppendParagraphs(List<PdfLine> lines, double bodySize, List<DocumentParagraph> output)
    {
        var spacing = TypicalLineSpacing(lines, bodySize);
        var widest = lines.Max(l => l.Right - l.Left);
        var i = 0;
        while (i < lines.Count)
        {
            // Two or more consecutive lines split by wide gaps are the rows of a table.
            var rowsEnd = i;
            while (rowsEnd < lines.Count && lines[rowsEnd].Cells.Count >= 2
                && (rowsEnd == i || lines[rowsEnd - 1].Baseline - lines[rowsEnd].Baseline < 3 * spacing))
            {
                rowsEnd++;
            }

            if (rowsEnd - i >= 2 && IsPlausibleTable(lines.GetRange(i, rowsEnd - i)))
            {
                var rows = lines.Skip(i).Take(rowsEnd - i).Select(l => (IReadOnlyList<string>)l.Cells).ToList();
                output.Add(new DocumentParagraph(DocumentParagraphKind.Table, MarkdownTable.Render(rows)));
                i = rowsEnd;
                continue;
            }

            var text = new StringBuilder(lines[i].Text);
            var size = lines[i].Size;
            var previous = lines[i];
            var j = i + 1;
            for (; j < lines.Count; j++)
            {
                var line = lines[j];
                var gap = previous.Baseline - line.Baseline;
                var sizeChanged = Math.Abs(line.Size - size) > 0.15 * size;
                if (gap > 1.45 * spacing || gap < 0 || sizeChanged || StartsListItem(line.Text) || (line.Cells.Count >= 2 && j + 1 < lines.Count && lines[j + 1].Cells.Count >= 2))
                {
                    break;
                }

                AppendLine(text, previous, line, widest);
                previous = line;
            }

            output.Add(MakeParagraph(text.ToString(), size, bodySize, j - i));
            i = j;
        }
    }

    private static DocumentParagraph MakeParagraph(string text, double size, double bodySize, int lineCount)
    {
        if (size >= 1.15 * bodySize && lineCount <= 3 && text.Length <= 200)
        {
            var level = size >= 1.8 * bodySize ? 1 : size >= 1.4 * bodySize ? 2 : 3;
            return new DocumentParagraph(DocumentParagraphKind.Heading, $"{new string('#', level)} {text}", level);
        }

        return StartsListItem(text)
            ? new DocumentParagraph(DocumentParagraphKind.ListItem, text)
            : new DocumentParagraph(DocumentParagraphKind.Text, text);
    }

    /// <summary>Joins a line to its paragraph: directly between CJK text, without the hyphen of a broken word, with a space after a full
    /// (wrapped) line, and with a line break after a short one (code, verse, addresses keep their shape).</summary>
    private static void AppendLine(StringBuilder text, PdfLine previous, PdfLine line, double widest)
    {
        var last = text[^1];
        var first = line.Text[0];
        if (CjkText.IsCjk(last) || CjkText.IsCjk(first))
        {
            text.Append(line.Text);
        }
        else if (last == '-' && text.Length >= 2 && char.IsLetter(text[^2]) && char.IsLower(first))
        {
            text.Length--;
            text.Append(line.Text);
        }
        else
        {
            text.Append(previous.Right - previous.Left >= 0.8 * widest ? ' ' : '\n').Append(line.Text);
        }
    }

    private static double TypicalLineSpacing(List<PdfLine> lines, double bodySize)
    {
        var gaps = new List<double>();
        for (var i = 1; i < lines.Count; i++)
        {
            var gap = lines[i - 1].Baseline - lines[i].Baseline;
            if (gap > 0.5 * bodySize && gap < 4 * bodySize)
            {
                gaps.Add(gap);
            }
        }

        if (gaps.Count == 0)
        {
            return 1.2 * bodySize;
        }

        gaps.Sort();
        return gaps[gaps.Count / 2];
    }

    private static bool StartsListItem(string text) =>
        text.Length > 1 && (text[0] is '•' or '◦' or '▪' or '●' or '○' or '■' or '–'
            || (text[0] is '-' or '*' && text[1] == ' '));

    private readonly record struct PdfWord(string Text, double Left, double Right, double Baseline, double Size)
    {
        public static PdfWord From(Word word, string text)
        {
            var letters = word.Letters;
            var size = letters[0].PointSize;
            if (size <= 0.5)
            {
                size = Math.Max(1, word.BoundingBox.Height);
            }

            return new PdfWord(text, word.BoundingBox.Left, word.BoundingBox.Right, letters[0].StartBaseLine.Y, size);
        }
    }

    private sealed record PdfLine(string Text, List<string> Cells, double Left, double Right, double Baseline, double Size)
    {
        public static PdfLine From(List<PdfWord> words)
        {
            // A right-to-left line is read from its right edge.
            var rightToLeft = PdfText.IsMostlyRightToLeft(string.Concat(words.Select(w => w.Text)));
            words.Sort((a, b) => rightToLeft ? b.Right.CompareTo(a.Right) : a.Left.CompareTo(b.Left));
            var size = words.Max(w => w.Size);
            var cells = new List<string>();
            var cell = new StringBuilder(words[0].Text);
            for (var i = 1; i < words.Count; i++)
            {
                var gap = rightToLeft ? words[i - 1].Left - words[i].Right : words[i].Left - words[i - 1].Right;
                if (gap > 1.5 * size)
                {
                    // A gap this wide is not a word space: it separates table columns (or layout blocks).
                    cells.Add(cell.ToString());
                    cell.Clear().Append(words[i].Text);
                    continue;
                }

                var joinCjk = gap < 0.5 * size && CjkText.IsCjk(cell[^1]) && CjkText.IsCjk(words[i].Text[0]);
                cell.Append(joinCjk ? string.Empty : " ").Append(words[i].Text);
            }

            cells.Add(cell.ToString());
            return new PdfLine(string.Join(' ', cells), cells, words.Min(w => w.Left), words.Max(w => w.Right), words[0].Baseline, size);
        }
    }
}
