using System.Text;

namespace Qwen.Core;

/// <summary>
/// The one definition of CJK text in this project: characters of Chinese, Japanese and Korean writing (ideographs, kana, Hangul,
/// bopomofo, CJK punctuation and full-width forms), which are written without spaces between words.
/// </summary>
/// <remarks>
/// Token counting (<see cref="ApproximateTokenizer"/>) counts each such character as one token; document chunking and PDF layout
/// join such characters without a space and may break a line between any two of them.
/// </remarks>
public static class CjkText
{
    /// <summary>Whether the code point <paramref name="codePoint"/> is a CJK character.</summary>
    /// <param name="codePoint">A Unicode scalar value.</param>
    /// <returns><see langword="true"/> for ideographs (unified, extensions A to H, compatibility, radicals), kana, Hangul, bopomofo,
    /// CJK symbols and punctuation, enclosed and compatibility CJK, and half-width and full-width forms.</returns>
    public static bool IsCjk(int codePoint) =>
        codePoint is (>= 0x4E00 and <= 0x9FFF) // CJK unified ideographs
            or (>= 0x3400 and <= 0x4DBF) // extension A
            or (>= 0x20000 and <= 0x323AF) // extensions B to H, compatibility supplement
            or (>= 0xF900 and <= 0xFAFF) // compatibility ideographs
            or (>= 0x2E80 and <= 0x2FDF) // radicals (supplement, Kangxi)
            or (>= 0x3000 and <= 0x303F) // CJK symbols and punctuation
            or (>= 0x3040 and <= 0x30FF) // hiragana, katakana
            or (>= 0x3100 and <= 0x31FF) // bopomofo, Hangul compatibility jamo, kanbun, strokes, katakana extensions
            or (>= 0x3200 and <= 0x33FF) // enclosed CJK letters, CJK compatibility
            or (>= 0x1100 and <= 0x11FF) // Hangul jamo
            or (>= 0xA960 and <= 0xA97F) // Hangul jamo extended A
            or (>= 0xAC00 and <= 0xD7FF) // Hangul syllables, jamo extended B
            or (>= 0xFE30 and <= 0xFE4F) // CJK compatibility forms
            or (>= 0xFF00 and <= 0xFFEF); // half-width and full-width forms

    /// <summary>Whether <paramref name="c"/> is a CJK character; a surrogate (half of a character outside the BMP) is not.</summary>
    /// <param name="c">A UTF-16 code unit.</param>
    /// <returns>The same answer as <see cref="IsCjk(int)"/> for the character.</returns>
    public static bool IsCjk(char c) => IsCjk((int)c);

    /// <summary>Whether <paramref name="rune"/> is a CJK character.</summary>
    /// <param name="rune">A Unicode scalar value.</param>
    /// <returns>The same answer as <see cref="IsCjk(int)"/> for the rune's value.</returns>
    public static bool IsCjk(Rune rune) => IsCjk(rune.Value);
}
