using System.Globalization;
using System.Text;

namespace Qwen.Tools;

/// <summary>
/// Character-level repairs of text taken from PDF glyphs: drops what a font without a usable character map produces (control
/// characters, U+FFFD), folds Arabic presentation forms to letters, and puts right-to-left words back in logical order.
/// </summary>
internal static class PdfText
{
    /// <summary>Whether a glyph's text is undecodable: a control character, the replacement character or a private-use code.</summary>
    public static bool IsGarbage(char c) =>
        (char.IsControl(c) && c is not '\n' and not '\t') || c == '\uFFFD' || char.GetUnicodeCategory(c) == UnicodeCategory.PrivateUse;

    /// <summary>
    /// Whether the character at <paramref name="index"/> of <paramref name="text"/> is undecodable: as <see cref="IsGarbage(char)"/>,
    /// or half of a surrogate pair without its other half. A font gives one where PdfPig takes a two-byte code it cannot decode
    /// (an Identity-H font without a map) for the character itself and the code lies in D800-DFFF (a ToUnicode map to such a code
    /// comes out as U+FFFD); such a string is not valid Unicode (normalization and UTF-8 encoders reject or replace it).
    /// </summary>
    public static bool IsGarbageAt(string text, int index)
    {
        var c = text[index];
        return char.IsHighSurrogate(c) ? index + 1 >= text.Length || !char.IsLowSurrogate(text[index + 1])
            : char.IsLowSurrogate(c) ? index == 0 || !char.IsHighSurrogate(text[index - 1])
            : IsGarbage(c);
    }

    /// <summary>Whether any character of the text is undecodable (see <see cref="IsGarbageAt"/>).</summary>
    public static bool HasGarbage(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (IsGarbageAt(text, i))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the text is not empty and every character of it is undecodable (see <see cref="IsGarbageAt"/>).</summary>
    public static bool IsAllGarbage(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (!IsGarbageAt(text, i))
            {
                return false;
            }
        }

        return text.Length > 0;
    }

    /// <summary>
    /// The text without undecodable characters (half surrogate pairs included), with Arabic presentation forms folded to their
    /// letters.
    /// </summary>
    public static string Clean(string text)
    {
        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (!IsGarbageAt(text, i))
            {
                clean.Append(text[i]);
            }
        }

        var result = clean.ToString();
        return result.Any(IsPresentationForm) ? FoldPresentationForms(result) : result;
    }

    /// <summary>
    /// A text string of the file (a form field's value, an annotation's contents) as one line: its line breaks (CR, LF, CR LF,
    /// vertical tab, form feed, as multi-line fields store them) become spaces rather than vanishing with the other control
    /// characters, so "first line\rsecond line" does not read "first linesecond line".
    /// </summary>
    public static string CleanTextString(string text)
    {
        var spaced = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var lineBreak = c is '\r' or '\n' or '\v' or '\f' or '\u2028' or '\u2029';
            if (!lineBreak)
            {
                spaced.Append(c);
            }
            else if (spaced.Length > 0 && spaced[^1] != ' ')
            {
                spaced.Append(' ');
            }
        }

        return Clean(spaced.ToString());
    }

    /// <summary>Whether a character is written right to left (Hebrew, Arabic, Syriac, Thaana, NKo and their presentation forms).</summary>
    public static bool IsRightToLeft(char c) =>
        c is (>= '\u0590' and <= '\u08FF') or (>= '\uFB1D' and <= '\uFDFF') or (>= '\uFE70' and <= '\uFEFF');

    /// <summary>Whether most letters of a text are right-to-left ones.</summary>
    public static bool IsMostlyRightToLeft(string text)
    {
        int rtl = 0, ltr = 0;
        foreach (var c in text)
        {
            if (IsRightToLeft(c))
            {
                rtl++;
            }
            else if (char.IsLetter(c))
            {
                ltr++;
            }
        }

        return rtl > ltr;
    }

    /// <summary>
    /// A word whose glyphs were laid out right to left, given as its glyphs' texts in visual (left-to-right) order, put in
    /// logical order: the glyphs reversed, except runs of digits (Arabic-Indic and Persian ones too) and Latin letters, which
    /// read left to right inside right-to-left text. A glyph's own text keeps its order: a lam-alef ligature is "لا", lam then
    /// alef, however it was drawn (reversed with the word's characters it read "ال", and "اطلاعات" read "اطالعات").
    /// </summary>
    public static string ToLogicalOrder(IReadOnlyList<string> glyphs)
    {
        if (!glyphs.Any(g => g.Any(IsRightToLeft)))
        {
            return string.Concat(glyphs);
        }

        // Reverse the sequence of runs; reverse the glyphs inside right-to-left runs only. A combining mark stays after its
        // base letter (in visual order it may come before it).
        var runs = new List<(List<string> Glyphs, bool Rtl)>();
        foreach (var glyph in glyphs)
        {
            if (glyph.Length == 0)
            {
                continue;
            }

            var rtl = IsRightToLeftGlyph(glyph);
            if (runs.Count == 0 || runs[^1].Rtl != rtl)
            {
                runs.Add(([], rtl));
            }

            runs[^1].Glyphs.Add(glyph);
        }

        var logical = new StringBuilder();
        for (var i = runs.Count - 1; i >= 0; i--)
        {
            logical.Append(runs[i].Rtl ? ReverseKeepingMarks(runs[i].Glyphs) : string.Concat(runs[i].Glyphs));
        }

        return logical.ToString();

        // Right to left: a right-to-left letter, or nothing that reads left to right (a space, a bracket: neutral, taken with
        // the right-to-left text around it).
        static bool IsRightToLeftGlyph(string glyph) =>
            glyph.Any(c => IsRightToLeft(c) && !IsNumeral(c)) || !glyph.All(c => char.IsLetterOrDigit(c) || IsNumeral(c) || c is '.' or ',' or '%' or '-' or '/' or ':');

        // Digits of any script, and the Arabic decimal and thousands separators.
        static bool IsNumeral(char c) => char.IsDigit(c) || c is '\u066B' or '\u066C';
    }

    private static string ReverseKeepingMarks(List<string> glyphs)
    {
        // In visual order a mark may precede or follow its base; marks are attached to the glyph before them by collecting
        // base+marks clusters and reversing the clusters.
        var clusters = new List<string>();
        var cluster = new StringBuilder();
        foreach (var glyph in glyphs)
        {
            if (cluster.Length > 0 && !glyph.All(IsMark))
            {
                clusters.Add(cluster.ToString());
                cluster.Clear();
            }

            cluster.Append(glyph);
        }

        if (cluster.Length > 0)
        {
            clusters.Add(cluster.ToString());
        }

        clusters.Reverse();
        return string.Concat(clusters);
    }

    private static bool IsMark(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;

    private static bool IsPresentationForm(char c) => c is (>= '\uFB50' and <= '\uFDFF') or (>= '\uFE70' and <= '\uFEFF');

    private static string FoldPresentationForms(string text)
    {
        var folded = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            folded.Append(IsPresentationForm(c) ? c.ToString().Normalize(NormalizationForm.FormKC) : c);
        }

        return folded.ToString();
    }
}
