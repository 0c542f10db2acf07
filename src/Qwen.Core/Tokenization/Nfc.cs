using System.Buffers;
using System.Text;

namespace Qwen.Core;

/// <summary>
/// Unicode canonical composition (NFC) over carried Unicode data (<see cref="UnicodeNfcData"/>), so the result matches
/// the reference tokenizer whatever the platform's normalization library (ICU version, NLS, invariant mode) would do,
/// and never fails: lone surrogates and noncharacters pass through as characters that combine with nothing.
/// </summary>
internal static class Nfc
{
    private const byte ClassMask = 0x3F;
    private const byte QuickCheckMaybe = 0x40;
    private const byte QuickCheckNo = 0x80;

    // Hangul syllables compose and decompose by arithmetic (Unicode chapter 3.12).
    private const int SBase = 0xAC00;
    private const int LBase = 0x1100;
    private const int VBase = 0x1161;
    private const int TBase = 0x11A7;
    private const int LCount = 19;
    private const int VCount = 21;
    private const int TCount = 28;
    private const int SCount = LCount * VCount * TCount;

    private static readonly byte[] BmpInfo = new byte[0x10000];
    private static readonly Dictionary<int, byte> AstralInfo = [];
    private static readonly Dictionary<int, (int Start, int Length)> DecompositionIndex = [];
    private static readonly int[] DecompositionData = UnicodeNfcData.Decompositions.ToArray();
    private static readonly Dictionary<long, int> CompositionTable = [];

    static Nfc()
    {
        var classes = UnicodeNfcData.CombiningClasses;
        for (var i = 0; i < classes.Length; i += 3)
        {
            for (var cp = classes[i]; cp <= classes[i + 1]; cp++)
            {
                SetInfo(cp, (byte)classes[i + 2]);
            }
        }

        var no = UnicodeNfcData.QuickCheckNo;
        for (var i = 0; i < no.Length; i += 2)
        {
            for (var cp = no[i]; cp <= no[i + 1]; cp++)
            {
                SetInfo(cp, (byte)(Info(cp) | QuickCheckNo));
            }
        }

        var compositions = UnicodeNfcData.Compositions;
        for (var i = 0; i < compositions.Length; i += 3)
        {
            CompositionTable[Pair(compositions[i], compositions[i + 1])] = compositions[i + 2];

            // A character that can join what precedes it means text holding it may not be in NFC yet.
            SetInfo(compositions[i + 1], (byte)(Info(compositions[i + 1]) | QuickCheckMaybe));
        }

        for (var cp = VBase; cp < VBase + VCount; cp++)
        {
            SetInfo(cp, (byte)(Info(cp) | QuickCheckMaybe));
        }

        for (var cp = TBase + 1; cp < TBase + TCount; cp++)
        {
            SetInfo(cp, (byte)(Info(cp) | QuickCheckMaybe));
        }

        for (var i = 0; i < DecompositionData.Length; i += DecompositionData[i + 1] + 2)
        {
            DecompositionIndex[DecompositionData[i]] = (i + 2, DecompositionData[i + 1]);
        }
    }

    /// <summary>Returns the NFC form of <paramref name="text"/>, or <see langword="null"/> when it already is in NFC (the common case, which allocates nothing).</summary>
    public static string? NormalizeOrNull(ReadOnlySpan<char> text)
    {
        // No character below U+0300 decomposes or combines with what precedes it, so such text is NFC already.
        var first = text.IndexOfAnyInRange('\u0300', '\uFFFF');
        if (first < 0 || QuickCheck(text, first))
        {
            return null;
        }

        var normalized = Normalize(text);
        return text.SequenceEqual(normalized) ? null : normalized;
    }

    /// <summary>Answers whether <paramref name="text"/> is surely in NFC (Unicode's quick check, with "maybe" taken as no).</summary>
    private static bool QuickCheck(ReadOnlySpan<char> text, int start)
    {
        var lastClass = 0;
        for (var i = start; i < text.Length; i++)
        {
            int cp = text[i];
            if (cp < 0x300)
            {
                lastClass = 0;
                continue;
            }

            if (char.IsHighSurrogate((char)cp) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cp = char.ConvertToUtf32((char)cp, text[++i]);
            }

            var info = Info(cp);
            var cls = info & ClassMask;
            if ((info & (QuickCheckNo | QuickCheckMaybe)) != 0 || (cls != 0 && lastClass > cls))
            {
                return false;
            }

            lastClass = cls;
        }

        return true;
    }

    private static string Normalize(ReadOnlySpan<char> text)
    {
        // A canonical decomposition is at most four code points and a Hangul syllable three.
        var rented = ArrayPool<int>.Shared.Rent(text.Length * 4);
        try
        {
            var buffer = rented.AsSpan();
            var length = Decompose(text, buffer);
            Reorder(buffer[..length]);
            length = Compose(buffer[..length]);
            var result = new StringBuilder(text.Length);
            foreach (var cp in buffer[..length])
            {
                if (cp < 0x10000)
                {
                    result.Append((char)cp);
                }
                else
                {
                    result.Append((char)(((cp - 0x10000) >> 10) + 0xD800)).Append((char)(((cp - 0x10000) & 0x3FF) + 0xDC00));
                }
            }

            return result.ToString();
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }

    private static int Decompose(ReadOnlySpan<char> text, Span<int> output)
    {
        var length = 0;
        for (var i = 0; i < text.Length; i++)
        {
            int cp = text[i];
            if (char.IsHighSurrogate((char)cp) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cp = char.ConvertToUtf32((char)cp, text[++i]);
            }

            if (cp is >= SBase and < SBase + SCount)
            {
                var index = cp - SBase;
                output[length++] = LBase + (index / (VCount * TCount));
                output[length++] = VBase + (index % (VCount * TCount) / TCount);
                if (index % TCount != 0)
                {
                    output[length++] = TBase + (index % TCount);
                }
            }
            else if (cp >= 0xC0 && DecompositionIndex.TryGetValue(cp, out var decomposition))
            {
                DecompositionData.AsSpan(decomposition.Start, decomposition.Length).CopyTo(output[length..]);
                length += decomposition.Length;
            }
            else
            {
                output[length++] = cp;
            }
        }

        return length;
    }

    private static void Reorder(Span<int> text)
    {
        // Canonical ordering: a stable sort of each run of non-starters by combining class (runs are short).
        for (var i = 1; i < text.Length; i++)
        {
            var cls = Class(text[i]);
            if (cls == 0)
            {
                continue;
            }

            var cp = text[i];
            var j = i;
            while (j > 0 && Class(text[j - 1]) > cls)
            {
                text[j] = text[j - 1];
                j--;
            }

            text[j] = cp;
        }
    }

    private static int Compose(Span<int> text)
    {
        if (text.Length == 0)
        {
            return 0;
        }

        // Unicode's canonical composition algorithm: each character joins the last starter unless something between
        // them blocks it (a starter, or a mark of the same or higher class); lastClass 256 means no starter yet.
        var starter = 0;
        var lastClass = Class(text[0]) == 0 ? 0 : 256;
        var length = 1;
        for (var i = 1; i < text.Length; i++)
        {
            var cp = text[i];
            var cls = Class(cp);
            if ((lastClass < cls || lastClass == 0) && TryCompose(text[starter], cp, out var composite))
            {
                text[starter] = composite;
                continue;
            }

            if (cls == 0)
            {
                starter = length;
            }

            lastClass = cls;
            text[length++] = cp;
        }

        return length;
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        if (first is >= LBase and < LBase + LCount && second is >= VBase and < VBase + VCount)
        {
            composite = SBase + ((((first - LBase) * VCount) + (second - VBase)) * TCount);
            return true;
        }

        if (first is >= SBase and < SBase + SCount && (first - SBase) % TCount == 0 && second is > TBase and < TBase + TCount)
        {
            composite = first + (second - TBase);
            return true;
        }

        return CompositionTable.TryGetValue(Pair(first, second), out composite);
    }

    private static int Class(int cp) => Info(cp) & ClassMask;

    private static byte Info(int cp) => cp < 0x10000 ? BmpInfo[cp] : AstralInfo.GetValueOrDefault(cp);

    private static void SetInfo(int cp, byte info)
    {
        if (cp < 0x10000)
        {
            BmpInfo[cp] = info;
        }
        else
        {
            AstralInfo[cp] = info;
        }
    }

    private static long Pair(int first, int second) => ((long)first << 32) | (uint)second;
}
