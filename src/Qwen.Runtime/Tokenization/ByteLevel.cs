namespace Qwen.Runtime;

/// <summary>The GPT-2 byte-to-unicode mapping byte-level BPE vocabularies (Qwen's included) spell their tokens with.</summary>
internal static class ByteLevel
{
    /// <summary>The printable character standing for each byte value.</summary>
    public static readonly char[] ByteToChar = BuildByteToChar();

    /// <summary>The byte each vocabulary character stands for.</summary>
    public static readonly Dictionary<char, byte> CharToByte = ByteToChar.Select((c, b) => (c, b)).ToDictionary(p => p.c, p => (byte)p.b);

    private static char[] BuildByteToChar()
    {
        // Printable Latin-1 bytes stand for themselves; the rest are shifted to 256 and up, in byte order.
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }

        return map;
    }
}
