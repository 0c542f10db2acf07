namespace Qwen.Core;

/// <summary>GPT-2's byte-level alphabet: the 256 printable characters that stand for the 256 byte values in a byte-level BPE vocabulary.</summary>
/// <remarks>
/// Qwen's <c>tokenizer.json</c> spells every BPE token in this alphabet: printable Latin-1 bytes stand for themselves and the
/// others are shifted past U+0100 (a space is <c>Ġ</c>, a newline <c>Ċ</c>). Use it to write or read such vocabularies.
/// </remarks>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToCharTable = BuildByteToChar();
    private static readonly short[] CharToByteTable = BuildCharToByte(ByteToCharTable);

    /// <summary>Gets the character that stands for <paramref name="value"/>.</summary>
    /// <param name="value">The byte.</param>
    /// <returns>Its character in the alphabet.</returns>
    public static char ToChar(byte value) => ByteToCharTable[value];

    /// <summary>Gets the byte that <paramref name="c"/> stands for.</summary>
    /// <param name="c">A character.</param>
    /// <returns>The byte value (0-255), or -1 when <paramref name="c"/> is not in the alphabet.</returns>
    public static int ToByte(char c) => c < CharToByteTable.Length ? CharToByteTable[c] : -1;

    /// <summary>Gets whether every character of <paramref name="token"/> is in the alphabet.</summary>
    /// <param name="token">A vocabulary string.</param>
    /// <returns><see langword="true"/> when the string is spelled in the alphabet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="token"/> is null.</exception>
    public static bool IsByteLevel(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        foreach (var c in token)
        {
            if (ToByte(c) < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Turns bytes into their vocabulary string.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>One character of the alphabet per byte.</returns>
    public static string ToToken(ReadOnlySpan<byte> bytes)
    {
        var chars = bytes.Length <= 256 ? stackalloc char[bytes.Length] : new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = ByteToCharTable[bytes[i]];
        }

        return new string(chars);
    }

    private static char[] BuildByteToChar()
    {
        // Printable Latin-1 bytes stand for themselves; the rest are shifted past U+0100, as GPT-2's bytes_to_unicode does.
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = printable ? (char)b : (char)next++;
        }

        return table;
    }

    private static short[] BuildCharToByte(char[] byteToChar)
    {
        var table = new short[512];
        Array.Fill(table, (short)-1);
        for (var b = 0; b < byteToChar.Length; b++)
        {
            table[byteToChar[b]] = (short)b;
        }

        return table;
    }
}
