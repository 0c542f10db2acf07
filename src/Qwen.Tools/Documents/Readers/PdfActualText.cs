using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;

namespace Qwen.Tools;

/// <summary>
/// Gives the glyphs of a marked-content span with <c>/ActualText</c> (PDF 32000-1, 14.9.4) the text the span says they stand
/// for. Browsers and layout engines wrap a ligature whose font maps it to a private-use code (the "ft" of PyMuPDF's bug1945 maps
/// to U+F603) in <c>/Span &lt;&lt; /ActualText (ft) &gt;&gt; BDC ... EMC</c>: the glyph's own text is undecodable and was
/// dropped, so "after" read "aer". poppler reads the actual text, and so do we.
/// </summary>
/// <remarks>
/// Only spans on one baseline whose actual text is a single word are replaced (a ligature, a glyph variant, a word drawn in
/// pieces), and only where the glyphs' own text differs: the span's glyphs become one glyph covering them, whose text is the
/// actual text. A span covering words or lines keeps its glyphs, which the layout places better than one long glyph would.
/// </remarks>
internal static class PdfActualText
{
    /// <summary>Spans of more glyphs than this keep their glyphs (a single word is much shorter).</summary>
    private const int MaxSpanLetters = 64;

    /// <summary>Marked-content elements walked per page at most.</summary>
    private const int MaxElements = 100_000;

    /// <summary>
    /// The page's glyphs, those of each span with a one-word actual text replaced by one glyph with that text;
    /// <paramref name="letters"/> are the page's glyphs (<see cref="Page.Letters"/>) as far read, one for one and in order.
    /// </summary>
    public static IReadOnlyList<Letter> Apply(Page page, IReadOnlyList<Letter> letters)
    {
        var spans = Spans(page);
        if (spans.Count == 0 || letters.Count != page.Letters.Count)
        {
            return letters;
        }

        // Marked content holds PdfPig's own glyph objects: they are found by reference among the page's, by position in ours.
        var index = new Dictionary<Letter, int>(letters.Count, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < page.Letters.Count; i++)
        {
            index.TryAdd(page.Letters[i], i);
        }

        var replaced = new Dictionary<int, Letter?>();
        foreach (var (text, spanLetters) in spans)
        {
            var positions = spanLetters.Select(l => index.TryGetValue(l, out var i) ? i : -1).ToList();
            if (positions.Contains(-1) || positions.Exists(replaced.ContainsKey))
            {
                continue;
            }

            // A space drawn inside the span at its start or end (an actual text "N" over "( N)") still parts the words around it;
            // a span of spaces alone keeps them (a Persian zero-width non-joiner drawn as a space is its actual text).
            positions.Sort();
            var visible = positions.SkipWhile(i => string.IsNullOrWhiteSpace(letters[i].Value)).Reverse().SkipWhile(i => string.IsNullOrWhiteSpace(letters[i].Value)).Reverse().ToList();
            positions = visible.Count > 0 ? visible : positions;
            var ordered = positions.ConvertAll(i => letters[i]);
            if (Joined(text, ordered) is not { } joined)
            {
                continue;
            }

            replaced[positions[0]] = joined;
            foreach (var position in positions.Skip(1))
            {
                replaced[position] = null;
            }
        }

        if (replaced.Count == 0)
        {
            return letters;
        }

        var result = new List<Letter>(letters.Count);
        for (var i = 0; i < letters.Count; i++)
        {
            if (!replaced.TryGetValue(i, out var letter))
            {
                result.Add(letters[i]);
            }
            else if (letter is not null)
            {
                result.Add(letter);
            }
        }

        return result;
    }

    /// <summary>
    /// The spans with an actual text and all the glyphs inside them (nested spans included: the outer actual text stands for
    /// them all); empty when the page has none or its marked content cannot be read.
    /// </summary>
    private static List<(string Text, List<Letter> Letters)> Spans(Page page)
    {
        var spans = new List<(string, List<Letter>)>();
        IReadOnlyList<MarkedContentElement> roots;
        try
        {
            roots = page.GetMarkedContents();
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // Marked content is PdfPig's by-product of reading the page; without it the glyphs keep their own text.
            return spans;
        }

        var pending = new Stack<MarkedContentElement>(roots);
        var walked = 0;
        while (pending.Count > 0 && walked++ < MaxElements)
        {
            var element = pending.Pop();
            if (element.ActualText is { } text)
            {
                var inside = new List<Letter>();
                var nested = new Stack<MarkedContentElement>([element]);
                while (nested.Count > 0 && walked++ < MaxElements && inside.Count <= MaxSpanLetters)
                {
                    var current = nested.Pop();
                    inside.AddRange(current.Letters);
                    foreach (var child in current.Children)
                    {
                        nested.Push(child);
                    }
                }

                spans.Add((text, inside));
                continue;
            }

            foreach (var child in element.Children)
            {
                pending.Push(child);
            }
        }

        return spans;
    }

    /// <summary>
    /// Whether a character reads in the order glyphs are drawn: not in a right-to-left script, and not in one whose vowel signs
    /// are drawn before their consonant (the layout puts those words in logical order, which an actual text already is).
    /// </summary>
    private static bool InDrawingOrder(char c) =>
        !PdfText.IsRightToLeft(c) && c is not ((>= '\u0900' and <= '\u0DFF') or (>= '\u1000' and <= '\u109F') or (>= '\u1780' and <= '\u17FF'));

    /// <summary>
    /// One glyph covering <paramref name="letters"/> whose text is <paramref name="actualText"/>; <see langword="null"/> when the
    /// span is left as it is (no glyphs, too many, not on one horizontal baseline, text that is not one word, is in a script the
    /// layout reorders, or is what the glyphs already say).
    /// </summary>
    private static Letter? Joined(string actualText, List<Letter> letters)
    {
        var text = PdfText.Clean(actualText).Trim();
        if (letters.Count is 0 or > MaxSpanLetters || text.Length == 0 || text.Any(char.IsWhiteSpace) || !text.All(InDrawingOrder)
            || string.Concat(letters.Select(l => l.Value)) == text)
        {
            return null;
        }

        var first = letters[0];
        var last = letters[^1];
        var tolerance = Math.Max(0.5, 0.2 * first.PointSize);
        if (letters.Exists(l => l.TextOrientation != TextOrientation.Horizontal || Math.Abs(l.StartBaseLine.Y - first.StartBaseLine.Y) > tolerance))
        {
            return null;
        }

        var box = new PdfRectangle(letters.Min(l => l.BoundingBox.Left), letters.Min(l => l.BoundingBox.Bottom),
            letters.Max(l => l.BoundingBox.Right), letters.Max(l => l.BoundingBox.Top));
        var loose = new PdfRectangle(letters.Min(l => l.GlyphRectangleLoose.Left), letters.Min(l => l.GlyphRectangleLoose.Bottom),
            letters.Max(l => l.GlyphRectangleLoose.Right), letters.Max(l => l.GlyphRectangleLoose.Top));
        return new Letter(text, box, loose, first.StartBaseLine, last.EndBaseLine, last.EndBaseLine.X - first.StartBaseLine.X, first.FontSize,
            first.FontDetails, first.RenderingMode, first.StrokeColor, first.FillColor, first.PointSize, first.TextSequence);
    }
}
