using Microsoft.ML.Tokenizers;

namespace Qwen.Core;

/// <summary>Unicode NFC, the normalizer Qwen's <c>tokenizer.json</c> names, for the Microsoft.ML.Tokenizers pipeline (see <see cref="Nfc"/>).</summary>
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
        return Nfc.NormalizeOrNull(original) ?? original;
    }

    /// <inheritdoc/>
    public override string Normalize(ReadOnlySpan<char> original) => Nfc.NormalizeOrNull(original) ?? original.ToString();
}
