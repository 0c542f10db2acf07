namespace Qwen.Tools;

/// <summary>Tells CJK characters (ideographs, kana, Hangul, CJK and full-width punctuation), which are written without spaces between words.</summary>
internal static class CjkText
{
    public static bool IsCjk(char c) =>
        c is (>= '\u4E00' and <= '\u9FFF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u3000' and <= '\u30FF')
            or (>= '\uAC00' and <= '\uD7AF') or (>= '\uFF00' and <= '\uFFEF') or (>= '\uF900' and <= '\uFAFF');
}
