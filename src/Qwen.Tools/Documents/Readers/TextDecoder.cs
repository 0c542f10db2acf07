using System.Text;

namespace Qwen.Tools;

/// <summary>
/// Decodes text files of unknown encoding: a byte-order mark (UTF-8, UTF-16, UTF-32) first, then strict UTF-8, UTF-16 without a mark
/// (by its zero bytes), Shift-JIS (when the result is rich in hiragana), GB18030 (a superset of GBK and GB2312), and Windows-1252 last.
/// </summary>
internal static class TextDecoder
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    /// <summary>Decodes <paramref name="bytes"/>, honouring <paramref name="declaredCharset"/> (from HTTP or a meta tag) when it is known.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string? declaredCharset = null)
    {
        if (TryDecodeWithBom(bytes, out var text))
        {
            return text;
        }

        if (declaredCharset is not null && TryGetEncoding(declaredCharset) is { } declared)
        {
            return declared.GetString(bytes);
        }

        return Detect(bytes).GetString(bytes);
    }

    /// <summary>Guesses the encoding of text without a byte-order mark.</summary>
    public static Encoding Detect(ReadOnlySpan<byte> bytes)
    {
        // UTF-16 first: its zero bytes are valid UTF-8, but real UTF-8 text has none.
        if (LooksLikeUtf16(bytes, out var utf16))
        {
            return utf16;
        }

        if (IsValid(StrictUtf8, bytes))
        {
            return Encoding.UTF8;
        }

        var shiftJis = Strict(932);
        if (shiftJis is not null && IsValid(shiftJis, bytes) && HiraganaShare(shiftJis.GetString(bytes)) > 0.1)
        {
            return shiftJis;
        }

        var gb18030 = Strict(54936);
        if (gb18030 is not null && IsValid(gb18030, bytes))
        {
            return gb18030;
        }

        return CodePagesEncodingProvider.Instance.GetEncoding(1252) ?? Encoding.Latin1;
    }

    /// <summary>Returns the encoding named by a charset label, or <see langword="null"/> when unknown.</summary>
    public static Encoding? TryGetEncoding(string charset)
    {
        var name = charset.Trim().Trim('"', '\'');
        if (name.Equals("gbk", StringComparison.OrdinalIgnoreCase) || name.Equals("gb2312", StringComparison.OrdinalIgnoreCase))
        {
            // Servers label GB18030 text as GBK or GB2312; GB18030 decodes all three.
            name = "gb18030";
        }

        try
        {
            return CodePagesEncodingProvider.Instance.GetEncoding(name) ?? Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static bool TryDecodeWithBom(ReadOnlySpan<byte> bytes, out string text)
    {
        Encoding? encoding = bytes switch
        {
            [0xEF, 0xBB, 0xBF, ..] => Encoding.UTF8,
            [0xFF, 0xFE, 0x00, 0x00, ..] => Encoding.UTF32,
            [0xFF, 0xFE, ..] => Encoding.Unicode,
            [0xFE, 0xFF, ..] => Encoding.BigEndianUnicode,
            [0x00, 0x00, 0xFE, 0xFF, ..] => new UTF32Encoding(bigEndian: true, byteOrderMark: true),
            _ => null,
        };
        if (encoding is null)
        {
            text = string.Empty;
            return false;
        }

        var preamble = encoding.GetPreamble().Length;
        text = encoding.GetString(bytes[preamble..]);
        return true;
    }

    private static bool LooksLikeUtf16(ReadOnlySpan<byte> bytes, out Encoding encoding)
    {
        encoding = Encoding.Unicode;
        if (bytes.Length < 4 || bytes.Length % 2 != 0)
        {
            return false;
        }

        int evenZeros = 0, oddZeros = 0;
        var sample = Math.Min(bytes.Length, 4096);
        for (var i = 0; i < sample; i += 2)
        {
            evenZeros += bytes[i] == 0 ? 1 : 0;
            oddZeros += bytes[i + 1] == 0 ? 1 : 0;
        }

        var pairs = sample / 2;
        if (oddZeros > pairs * 0.3 && evenZeros < pairs * 0.05)
        {
            encoding = Encoding.Unicode;
            return true;
        }

        if (evenZeros > pairs * 0.3 && oddZeros < pairs * 0.05)
        {
            encoding = Encoding.BigEndianUnicode;
            return true;
        }

        return false;
    }

    private static Encoding? Strict(int codePage) =>
        CodePagesEncodingProvider.Instance.GetEncoding(codePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);

    private static bool IsValid(Encoding encoding, ReadOnlySpan<byte> bytes)
    {
        try
        {
            encoding.GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static double HiraganaShare(string text)
    {
        int hiragana = 0, nonAscii = 0;
        foreach (var c in text)
        {
            if (c > 0x7F)
            {
                nonAscii++;
                hiragana += c is >= '\u3040' and <= '\u309F' ? 1 : 0;
            }
        }

        return nonAscii == 0 ? 0 : (double)hiragana / nonAscii;
    }
}
