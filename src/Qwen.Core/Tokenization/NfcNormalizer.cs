using System.Text;
using Microsoft.ML.Tokenizers;

namespace Qwen.Core;

/// <summary>Unicode NFC, the normalizer Qwen's <c>tokenizer.json</c> names, safe on any string (it never throws on lone surrogates or noncharacters).</summary>
internal sealed class NfcNormalizer : Normalizer
{
    /// <summary>The one instance.</summary>
    public static readonly NfcNormalizer Instance = new();

    private NfcNormalizer()
    {
    }

    /// <inheritdoc/>
    public override string Normalize(string original)
    {
        ArgumentNullException.ThrowIfNull(original);
        return NormalizeOrNull(original) ?? original;
    }

    /// <inheritdoc/>
    public override string Normalize(ReadOnlySpan<char> original) => NormalizeOrNull(original) ?? original.ToString();

    /// <summary>Returns the NFC form of <paramref name="text"/>, or <see langword="null"/> when it already is in NFC (the common case, which allocates nothing).</summary>
    public static string? NormalizeOrNull(ReadOnlySpan<char> text)
    {
        // No character below U+0300 decomposes or combines with what precedes it, so such text is NFC already.
        if (text.IndexOfAnyInRange('\u0300', '\uFFFF') < 0)
        {
            return null;
        }

        if ((text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0 && !text.Contains('\uFFFE')) || FindInvalid(text, 0) < 0)
        {
            return text.IsNormalized(NormalizationForm.FormC) ? null : text.ToString().Normalize(NormalizationForm.FormC);
        }

        // The platform rejects lone surrogates and U+FFFE; both are starters that compose with nothing,
        // so normalizing the runs between them separately gives what a lenient normalizer gives for the whole.
        var builder = new StringBuilder(text.Length);
        var changed = false;
        var start = 0;
        while (start <= text.Length)
        {
            var bad = FindInvalid(text, start);
            var end = bad < 0 ? text.Length : bad;
            var run = text[start..end];
            var normalized = run.IsEmpty || run.IsNormalized(NormalizationForm.FormC) ? null : run.ToString().Normalize(NormalizationForm.FormC);
            changed |= normalized is not null;
            builder.Append(normalized ?? run);
            if (bad < 0)
            {
                break;
            }

            builder.Append(text[bad]);
            start = bad + 1;
        }

        return changed ? builder.ToString() : null;
    }

    private static int FindInvalid(ReadOnlySpan<char> text, int start)
    {
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\uFFFE')
            {
                return i;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    continue;
                }

                return i;
            }

            if (char.IsLowSurrogate(c))
            {
                return i;
            }
        }

        return -1;
    }
}
