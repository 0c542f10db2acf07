namespace Qwen.Core;

/// <summary>What <c>tokenizer.json</c> and <c>tokenizer_config.json</c> say, checked and in plain types, before the tables are built.</summary>
internal sealed class TokenizerDefinition
{
    /// <summary>Gets the BPE vocabulary: byte-level token string → id.</summary>
    public required Dictionary<string, int> Vocab { get; init; }

    /// <summary>Gets the merge rules in rank order.</summary>
    public required List<(string Left, string Right)> Merges { get; init; }

    /// <summary>Gets the added tokens, in file order.</summary>
    public required List<AddedToken> AddedTokens { get; init; }

    /// <summary>Gets a value indicating whether text is NFC-normalized before splitting.</summary>
    public required bool Nfc { get; init; }

    /// <summary>Gets the token that stands for symbols missing from the vocabulary, if any.</summary>
    public string? UnkToken { get; init; }

    /// <summary>Gets a value indicating whether a whole piece found in the vocabulary skips the merges.</summary>
    public bool IgnoreMerges { get; init; }

    /// <summary>Gets the end-of-sequence token named by the config, if any.</summary>
    public string? EosToken { get; init; }

    /// <summary>Gets the padding token named by the config, if any.</summary>
    public string? PadToken { get; init; }

    /// <summary>Gets the config's <c>additional_special_tokens</c>, which decoding also skips when asked to skip special tokens.</summary>
    public IReadOnlyList<string> AdditionalSpecialTokens { get; init; } = [];

    /// <summary>Gets a value indicating whether decoding removes spaces before punctuation (<c>clean_up_tokenization_spaces</c>).</summary>
    public bool CleanUpTokenizationSpaces { get; init; }

    /// <summary>Gets the path of <c>tokenizer_config.json</c>, when one was read.</summary>
    public string? ConfigPath { get; init; }
}
