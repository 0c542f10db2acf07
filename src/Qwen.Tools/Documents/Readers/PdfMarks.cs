using System.Globalization;
using System.Text;
using UglyToad.PdfPig.Content;

namespace Qwen.Tools;

/// <summary>
/// Puts the marks of complex scripts in logical order. A PDF holds glyphs in drawing order at their drawn positions, and text
/// extraction orders them by position: a Thai vowel or tone mark drawn above or below its consonant (its origin a hair left of
/// the consonant's, or raised by a rise or a separate text position) then lands before its consonant or after the next one,
/// and a pre-base vowel sign (Devanagari i U+093F, Bengali e U+09C7, Myanmar e U+1031, ...) is drawn left of the consonant
/// it follows in logical order.
/// </summary>
internal static class PdfMarks
{
    /// <summary>How many letters around a mark's position are looked at for its base: bounds the work on pathological pages.</summary>
    private const int MaxCandidates = 512;

    /// <summary>
    /// The letters with every non-spacing mark attached to the letter it is drawn on: the letter whose advance covers the
    /// mark's horizontal centre, on about the same baseline. A mark with no such letter is left as it is.
    /// </summary>
    public static List<Letter> AttachMarks(List<Letter> letters)
    {
        var marks = new List<int>();
        var bases = new List<int>();
        for (var i = 0; i < letters.Count; i++)
        {
            // A space is never a base: a mark over a gap is left where it is.
            if (letters[i].TextOrientation == TextOrientation.Horizontal && !string.IsNullOrWhiteSpace(letters[i].Value))
            {
                (IsMarkOnly(letters[i].Value) ? marks : bases).Add(i);
            }
        }

        if (marks.Count == 0 || bases.Count == 0)
        {
            return letters;
        }

        // Bases sorted by their left edge; a binary search finds those near a mark.
        bases.Sort((a, b) => Left(letters[a]).CompareTo(Left(letters[b])));
        var lefts = bases.Select(b => Left(letters[b])).ToArray();
        var widest = bases.Max(b => Math.Max(0, Right(letters[b]) - Left(letters[b])));
        var attached = new Dictionary<int, List<int>>();
        var consumed = new HashSet<int>();
        foreach (var mark in marks)
        {
            var letter = letters[mark];
            var centre = Centre(letter);
            var size = Math.Max(1, Math.Max(letter.PointSize, letter.BoundingBox.Height));
            var baseline = letter.StartBaseLine.Y;

            // The letter drawn just before the mark (past other marks) is its base when the mark lies largely over it: a
            // Vietnamese acute stacked on a circumflex is drawn at the base's right corner, its centre already over the next
            // letter ("tiêńg" for "tiếng").
            var best = DrawnBase(letters, mark, baseline, size);

            // Otherwise, candidates: bases whose left edge lies between centre - widest and centre.
            var end = best >= 0 ? 0 : UpperBound(lefts, centre);
            var bestDistance = double.MaxValue;
            var seen = 0;
            for (var k = end - 1; k >= 0 && seen < MaxCandidates && lefts[k] >= centre - widest - 0.01; k--)
            {
                seen++;
                var candidate = letters[bases[k]];
                if (candidate.TextOrientation != letter.TextOrientation || Right(candidate) + 0.01 < centre)
                {
                    continue;
                }

                var lineSize = Math.Max(size, candidate.PointSize);
                var distance = Math.Abs(candidate.StartBaseLine.Y - baseline);
                if (distance <= lineSize && distance < bestDistance)
                {
                    best = bases[k];
                    bestDistance = distance;
                }
            }

            if (best >= 0)
            {
                if (!attached.TryGetValue(best, out var list))
                {
                    attached[best] = list = [];
                }

                list.Add(mark);
                consumed.Add(mark);
            }
        }

        if (attached.Count == 0)
        {
            return letters;
        }

        var result = new List<Letter>(letters.Count - consumed.Count);
        for (var i = 0; i < letters.Count; i++)
        {
            if (consumed.Contains(i))
            {
                continue;
            }

            var letter = letters[i];
            if (attached.TryGetValue(i, out var list))
            {
                var value = new StringBuilder(letter.Value);
                foreach (var mark in list.OrderBy(m => MarkRank(letters[m].Value)))
                {
                    value.Append(letters[mark].Value);
                }

                letter = WithValue(letter, value.ToString().Normalize(NormalizationForm.FormC));
            }

            result.Add(letter);
        }

        return result;
    }

    /// <summary>
    /// The base a mark is drawn on when that is the letter drawn before it (other marks between them skipped): on the same
    /// baseline, its advance under at least a quarter of the mark's glyph; -1 otherwise.
    /// </summary>
    private static int DrawnBase(List<Letter> letters, int mark, double baseline, double size)
    {
        var glyph = letters[mark].BoundingBox;
        if (glyph.Width <= 0.01)
        {
            return -1;
        }

        for (var i = mark - 1; i >= 0 && i >= mark - 4; i--)
        {
            var candidate = letters[i];
            if (candidate.TextOrientation != TextOrientation.Horizontal || string.IsNullOrWhiteSpace(candidate.Value))
            {
                return -1;
            }

            if (IsMarkOnly(candidate.Value))
            {
                continue;
            }

            var overlap = Math.Min(glyph.Right, Right(candidate)) - Math.Max(glyph.Left, Left(candidate));
            var lineSize = Math.Max(size, candidate.PointSize);
            return overlap >= glyph.Width / 4 && Math.Abs(candidate.StartBaseLine.Y - baseline) <= lineSize ? i : -1;
        }

        return -1;
    }

    /// <summary>
    /// Whether the words hold their pre-base vowel signs in drawing order: some sign starts a word or follows something other
    /// than a consonant (or its nukta), which logical order never has. A page whose signs all follow a consonant is taken to be
    /// in logical order already (a font used without shaping, or glyphs whose actual text gives the whole cluster): moving its
    /// signs put "हिन्दी" out of order as "हन्दिी".
    /// </summary>
    public static bool InDrawingOrder(IEnumerable<string> words)
    {
        foreach (var word in words)
        {
            for (var i = 0; i < word.Length; i++)
            {
                if (IsPreBase(word[i]) && (i == 0 || !(IsConsonant(word[i - 1]) || IsNukta(word[i - 1]))))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// A word in drawing order with each pre-base vowel sign moved after the consonant cluster it is drawn before (the
    /// consonant with its nukta, and further consonants joined by a virama), then composed (Bengali e + aa is o).
    /// </summary>
    public static string MovePreBaseVowels(string text)
    {
        if (!text.Any(IsPreBase))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        var i = 0;
        var moved = false;
        while (i < text.Length)
        {
            if (!IsPreBase(text[i]))
            {
                result.Append(text[i++]);
                continue;
            }

            var run = i;
            while (i < text.Length && IsPreBase(text[i]))
            {
                i++;
            }

            var clusterStart = i;
            if (i < text.Length && IsConsonant(text[i]))
            {
                i++;
                while (i < text.Length)
                {
                    if (IsNukta(text[i]))
                    {
                        i++;
                    }
                    else if (IsVirama(text[i]) && i + 1 < text.Length && IsConsonant(text[i + 1]))
                    {
                        i += 2;
                    }
                    else
                    {
                        break;
                    }
                }
            }

            if (i == clusterStart)
            {
                // No consonant follows: nothing to move the sign behind.
                result.Append(text, run, clusterStart - run);
                continue;
            }

            result.Append(text, clusterStart, i - clusterStart);
            for (var k = clusterStart - 1; k >= run; k--)
            {
                result.Append(text[k]);
            }

            moved = true;
        }

        return moved ? result.ToString().Normalize(NormalizationForm.FormC) : text;
    }

    /// <summary>Whether a glyph's text is only combining marks that are drawn on another glyph (non-spacing or enclosing).</summary>
    internal static bool IsMarkOnly(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Vowel signs written left of the consonant they follow in logical order.</summary>
    internal static bool IsPreBase(char c) => c is '\u093F' or '\u094E' or '\u09BF' or '\u09C7' or '\u09C8' or '\u0A3F' or '\u0ABF' or '\u0B47'
        or '\u0BC6' or '\u0BC7' or '\u0BC8' or '\u0D46' or '\u0D47' or '\u0D48' or '\u0DD9' or '\u0DDB' or '\u1031' or '\u17C1' or '\u17C2' or '\u17C3';

    private static bool IsConsonant(char c) =>
        c is (>= '\u0900' and <= '\u0DFF') or (>= '\u1000' and <= '\u109F') or (>= '\u1780' and <= '\u17FF')
        && CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.OtherLetter;

    private static bool IsNukta(char c) => c is '\u093C' or '\u09BC' or '\u0A3C' or '\u0ABC' or '\u0B3C' or '\u0CBC' or '\u1037';

    private static bool IsVirama(char c) => c is '\u094D' or '\u09CD' or '\u0A4D' or '\u0ACD' or '\u0B4D' or '\u0BCD' or '\u0C4D' or '\u0CCD'
        or '\u0D4D' or '\u0DCA' or '\u1039' or '\u17D2';

    /// <summary>Order of marks on one letter: vowel marks first, then tone marks (Thai and Lao spell a tone after the vowel above).</summary>
    private static int MarkRank(string mark) => mark[0] switch
    {
        >= '\u0E48' and <= '\u0E4B' or >= '\u0EC8' and <= '\u0ECB' => 1,
        >= '\u0E4C' and <= '\u0E4E' or >= '\u0ECC' and <= '\u0ECD' => 2,
        _ => 0,
    };

    private static double Left(Letter letter) => Math.Min(letter.StartBaseLine.X, letter.EndBaseLine.X);

    private static double Right(Letter letter) => Math.Max(letter.StartBaseLine.X, letter.EndBaseLine.X);

    private static double Centre(Letter letter)
    {
        var glyph = letter.BoundingBox;
        return glyph.Width > 0.01 ? (glyph.Left + glyph.Right) / 2 : letter.StartBaseLine.X + 0.01;
    }

    private static int UpperBound(double[] sorted, double value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (sorted[middle] <= value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>The letter with another text, everything else kept.</summary>
    internal static Letter WithValue(Letter letter, string value) =>
        new(value, letter.BoundingBox, letter.GlyphRectangleLoose, letter.StartBaseLine, letter.EndBaseLine, letter.Width, letter.FontSize,
            letter.FontDetails, letter.RenderingMode, letter.StrokeColor, letter.FillColor, letter.PointSize, letter.TextSequence);
}
