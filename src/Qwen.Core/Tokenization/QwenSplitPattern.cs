namespace Qwen.Core;

/// <summary>
/// A hand-written matcher for the split pattern that Qwen2, Qwen2.5 and Qwen3 checkpoints name in their pre-tokenizer,
/// with the semantics of the Oniguruma engine the reference implementation follows (<c>\s</c> is White_Space, <c>(?i:)</c>
/// folds ASCII letters only), and much faster than a regular expression.
/// </summary>
internal static class QwenSplitPattern
{
    /// <summary>The pattern, exactly as <c>tokenizer.json</c> spells it.</summary>
    public const string Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Returns where the piece that starts at <paramref name="start"/> ends (exclusive).</summary>
    /// <remarks>
    /// The pattern matches at every position (each code point is a letter, a number, white space or something else,
    /// and each of those starts some alternative), so the text splits into consecutive pieces with no gaps.
    /// The alternatives are tried in the pattern's order, with the backtracking a regex engine would do spelled out.
    /// </remarks>
    public static int NextEnd(ReadOnlySpan<char> text, int start)
    {
        var c = text[start];

        // (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if (c == '\'' && start + 1 < text.Length)
        {
            var c1 = AsciiLower(text[start + 1]);
            if (c1 is 's' or 't' or 'm' or 'd')
            {
                return start + 2;
            }

            if (start + 2 < text.Length)
            {
                var c2 = AsciiLower(text[start + 2]);
                if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l'))
                {
                    return start + 3;
                }
            }
        }

        var cp = CharClass.CodePointAt(text, start, out var width);
        var cls = CharClass.Of(cp);

        // [^\r\n\p{L}\p{N}]?\p{L}+ : a letter run, optionally led by one character that is not a line break, letter or number.
        if (cls == CharClass.Letter)
        {
            return SkipLetters(text, start + width);
        }

        if (cls != CharClass.Number && c != '\r' && c != '\n' && start + width < text.Length)
        {
            var next = CharClass.CodePointAt(text, start + width, out var nextWidth);
            if (CharClass.Of(next) == CharClass.Letter)
            {
                return SkipLetters(text, start + width + nextWidth);
            }
        }

        // \p{N} : one number character at a time.
        if (cls == CharClass.Number)
        {
            return start + width;
        }

        // ' ?[^\s\p{L}\p{N}]+[\r\n]*' : a run of other characters, optionally led by one space, then any line breaks.
        if (cls == CharClass.Other)
        {
            return SkipLineBreaks(text, SkipOthers(text, start + width));
        }

        if (c == ' ' && start + 1 < text.Length)
        {
            var next = CharClass.CodePointAt(text, start + 1, out var nextWidth);
            if (CharClass.Of(next) == CharClass.Other)
            {
                return SkipLineBreaks(text, SkipOthers(text, start + 1 + nextWidth));
            }
        }

        // What is left starts with white space; runEnd is where that white space run ends.
        var runEnd = start + 1;
        var lastLineBreak = c is '\r' or '\n' ? start : -1;
        while (runEnd < text.Length && CharClass.Of(text[runEnd]) == CharClass.WhiteSpace)
        {
            if (text[runEnd] is '\r' or '\n')
            {
                lastLineBreak = runEnd;
            }

            runEnd++;
        }

        // \s*[\r\n]+ : greedy white space backtracks to the run's last line break.
        if (lastLineBreak >= 0)
        {
            return lastLineBreak + 1;
        }

        // \s+(?!\S) : the whole run at the end of the text, else all but its last character (which leads the next piece).
        if (runEnd == text.Length)
        {
            return runEnd;
        }

        if (runEnd - start >= 2)
        {
            return runEnd - 1;
        }

        // \s+
        return runEnd;
    }

    private static char AsciiLower(char c) => c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c;

    private static int SkipLetters(ReadOnlySpan<char> text, int index) => SkipClass(text, index, CharClass.Letter);

    private static int SkipOthers(ReadOnlySpan<char> text, int index) => SkipClass(text, index, CharClass.Other);

    private static int SkipClass(ReadOnlySpan<char> text, int index, byte cls)
    {
        while (index < text.Length)
        {
            // Outside the surrogate range a character is its code point: one table lookup.
            var c = text[index];
            if (!char.IsSurrogate(c))
            {
                if (CharClass.Of(c) != cls)
                {
                    return index;
                }

                index++;
                continue;
            }

            var cp = CharClass.CodePointAt(text, index, out var width);
            if (CharClass.Of(cp) != cls)
            {
                return index;
            }

            index += width;
        }

        return index;
    }

    private static int SkipLineBreaks(ReadOnlySpan<char> text, int index)
    {
        while (index < text.Length && text[index] is '\r' or '\n')
        {
            index++;
        }

        return index;
    }
}
