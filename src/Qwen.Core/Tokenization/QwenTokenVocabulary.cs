using System.Buffers;
using System.Collections.Frozen;
using System.Text;

namespace Qwen.Core;

/// <summary>
/// The decoding half of a Qwen checkpoint's tokenizer: the byte-level vocabulary, the added tokens and the special
/// tokens of <c>tokenizer_config.json</c>, which together turn ids back into text. One instance is safe to share between threads.
/// </summary>
/// <remarks>
/// Every <see cref="QwenTokenizer"/> decodes through its <see cref="QwenTokenizer.Vocabulary"/>. Load one on its own with
/// <see cref="FromDirectory"/> or <see cref="FromFiles"/> where encoding is impossible: the vocabulary is read without the
/// merges, normalizer and pre-tokenizer, so a <c>tokenizer.json</c> whose BPE model this library cannot encode with still
/// decodes exactly, as long as its tokens are spelled in GPT-2's byte-level alphabet (<see cref="ByteLevelAlphabet"/>).
/// </remarks>
public sealed class QwenTokenVocabulary
{
    private readonly Dictionary<string, int> _tokenToId;
    private readonly string?[] _idToToken;
    private readonly byte[] _tokenBytes;
    private readonly int[] _tokenByteStart;
    private readonly int[] _tokenByteLength;
    private readonly AddedToken?[] _addedById;
    private readonly bool[] _skippable;
    private readonly bool _cleanUp;

    internal QwenTokenVocabulary(TokenizerDefinition definition, string tokenizerJsonPath)
    {
        var vocab = definition.Vocab;
        var added = definition.AddedTokens;
        var maxId = Math.Max(vocab.Count == 0 ? -1 : vocab.Values.Max(), added.Count == 0 ? -1 : added.Max(t => t.Id));
        Size = maxId + 1;

        _tokenToId = new Dictionary<string, int>(vocab, StringComparer.Ordinal);
        _idToToken = new string?[Size];
        foreach (var (token, id) in vocab)
        {
            _idToToken[id] = token;
        }

        // Added tokens take over their id and their text, as in the reference implementation.
        _addedById = new AddedToken?[Size];
        foreach (var token in added)
        {
            _idToToken[token.Id] = token.Content;
            _tokenToId[token.Content] = token.Id;
            _addedById[token.Id] = token;
        }

        foreach (var token in added)
        {
            // A vocabulary entry spelled like an added token decodes as that token's text.
            if (vocab.TryGetValue(token.Content, out var id) && id != token.Id)
            {
                _addedById[id] = token;
            }
        }

        SpecialTokens = added.GroupBy(t => t.Content).ToFrozenDictionary(g => g.Key, g => g.Last().Id, StringComparer.Ordinal);
        (_tokenBytes, _tokenByteStart, _tokenByteLength) = BuildTokenBytes(tokenizerJsonPath, Size, _idToToken, _addedById);
        _cleanUp = definition.CleanUpTokenizationSpaces;

        var configPath = definition.ConfigPath ?? tokenizerJsonPath;
        EosToken = definition.EosToken;
        EosTokenId = ConfigTokenId(configPath, "eos_token", EosToken);
        PadToken = definition.PadToken;
        PadTokenId = ConfigTokenId(configPath, "pad_token", PadToken);

        _skippable = new bool[Size];
        foreach (var token in added.Where(t => t.Special))
        {
            _skippable[token.Id] = true;
        }

        foreach (var text in definition.AdditionalSpecialTokens)
        {
            if (_tokenToId.TryGetValue(text, out var id))
            {
                _skippable[id] = true;
            }
        }
    }

    /// <summary>Gets the number of token ids: the largest id in the vocabulary or among the added tokens, plus one.</summary>
    public int Size { get; }

    /// <summary>Gets the added tokens (<c>tokenizer.json</c>'s <c>added_tokens</c>: control tokens such as <c>&lt;|im_end|&gt;</c> and markup such as <c>&lt;tool_call&gt;</c> and <c>&lt;think&gt;</c>), text → id.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>Gets the end-of-sequence token named by <c>tokenizer_config.json</c> (<c>eos_token</c>), or <see langword="null"/>.</summary>
    public string? EosToken { get; }

    /// <summary>Gets the id of <see cref="EosToken"/>, or <see langword="null"/>.</summary>
    public int? EosTokenId { get; }

    /// <summary>Gets the padding token named by <c>tokenizer_config.json</c> (<c>pad_token</c>), or <see langword="null"/>.</summary>
    public string? PadToken { get; }

    /// <summary>Gets the id of <see cref="PadToken"/>, or <see langword="null"/>.</summary>
    public int? PadTokenId { get; }

    /// <summary>Loads the vocabulary of a checkpoint folder: its <c>tokenizer.json</c>, and its <c>tokenizer_config.json</c> when present.</summary>
    /// <param name="directory">The checkpoint folder.</param>
    /// <returns>The vocabulary.</returns>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is null or empty.</exception>
    /// <exception cref="TokenizerFormatException">The folder or <c>tokenizer.json</c> does not exist, or the vocabulary, the added tokens or the decoder are not those of a byte-level BPE tokenizer.</exception>
    public static QwenTokenVocabulary FromDirectory(string directory)
    {
        var (tokenizerJson, config) = TokenizerFileReader.FilesOf(directory);
        return FromFiles(tokenizerJson, config);
    }

    /// <summary>Loads the vocabulary from a <c>tokenizer.json</c> and, optionally, a <c>tokenizer_config.json</c> (which names the EOS and padding tokens).</summary>
    /// <param name="tokenizerJsonPath">The path of <c>tokenizer.json</c>.</param>
    /// <param name="tokenizerConfigPath">The path of <c>tokenizer_config.json</c>, or <see langword="null"/>.</param>
    /// <returns>The vocabulary.</returns>
    /// <exception cref="ArgumentException"><paramref name="tokenizerJsonPath"/> is null or empty.</exception>
    /// <exception cref="TokenizerFormatException">A file does not exist or is not valid JSON, or the vocabulary, the added tokens or the decoder are not those of a byte-level BPE tokenizer.</exception>
    public static QwenTokenVocabulary FromFiles(string tokenizerJsonPath, string? tokenizerConfigPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenizerJsonPath);
        return new QwenTokenVocabulary(TokenizerFileReader.ReadForDecoding(tokenizerJsonPath, tokenizerConfigPath), tokenizerJsonPath);
    }

    /// <summary>Gets the id of a token given as its vocabulary string (byte-level, e.g. <c>Ġhello</c>) or as an added token's text.</summary>
    /// <param name="token">The token.</param>
    /// <returns>The id, or <see langword="null"/> when there is no such token.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="token"/> is null.</exception>
    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _tokenToId.TryGetValue(token, out var id) ? id : null;
    }

    /// <summary>Gets the vocabulary string of a token id (byte-level for BPE tokens, the text for added tokens).</summary>
    /// <param name="id">The id.</param>
    /// <returns>The token, or <see langword="null"/> when no token has that id.</returns>
    public string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    /// <summary>Decodes ids to text.</summary>
    /// <param name="ids">The ids.</param>
    /// <param name="skipSpecialTokens">Whether to leave out special tokens (added tokens marked special, such as <c>&lt;|im_end|&gt;</c>, and the config's <c>additional_special_tokens</c>); markup tokens such as <c>&lt;think&gt;</c> stay.</param>
    /// <returns>The text; bytes that do not form valid UTF-8 come out as U+FFFD, and ids that name no token are skipped, as in the Hugging Face decoder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="ids"/> is null.</exception>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        var bytes = new ArrayBufferWriter<byte>();
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)Size || (skipSpecialTokens && _skippable[id]))
            {
                continue;
            }

            if (_addedById[id] is { } token)
            {
                // An added token ends the byte run before it: an incomplete character there becomes U+FFFD.
                AppendUtf8(text, bytes.WrittenSpan);
                bytes.ResetWrittenCount();
                text.Append(token.Content);
            }
            else if (TryGetTokenBytes(id, out var tokenBytes))
            {
                bytes.Write(tokenBytes);
            }
        }

        AppendUtf8(text, bytes.WrittenSpan);
        return CleanUp(text.ToString());
    }

    /// <summary>Creates a decoder that turns ids into text as they are generated, holding back the bytes of a character until all of them have arrived.</summary>
    /// <param name="skipSpecialTokens">Whether to leave out special tokens, as <see cref="Decode(IEnumerable{int}, bool)"/> does.</param>
    /// <returns>A new decoder for one sequence (not thread-safe; create one per sequence).</returns>
    public QwenStreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens = false) => new(this, skipSpecialTokens);

    /// <summary>Decodes into a buffer: all of it when it fits, else the longest run of whole ids whose text is complete and fits.</summary>
    internal OperationStatus Decode(IReadOnlyList<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        var full = Decode(ids);
        if (full.Length <= destination.Length)
        {
            full.AsSpan().CopyTo(destination);
            idsConsumed = ids.Count;
            charsWritten = full.Length;
            return OperationStatus.Done;
        }

        // Too small: write the longest run of whole ids whose text is complete (no character left waiting for more bytes).
        var decoder = CreateStreamingDecoder();
        var text = new StringBuilder();
        var best = string.Empty;
        idsConsumed = 0;
        for (var i = 0; i < ids.Count; i++)
        {
            text.Append(decoder.Append(ids[i]));
            if (decoder.HasPendingBytes)
            {
                continue;
            }

            var candidate = CleanUp(text.ToString());
            if (candidate.Length > destination.Length)
            {
                break;
            }

            best = candidate;
            idsConsumed = i + 1;
        }

        best.AsSpan().CopyTo(destination);
        charsWritten = best.Length;
        return OperationStatus.DestinationTooSmall;
    }

    /// <summary>Gets the bytes a BPE token stands for; <see langword="false"/> for added tokens and unused ids.</summary>
    internal bool TryGetTokenBytes(int id, out ReadOnlySpan<byte> bytes)
    {
        if ((uint)id < (uint)_tokenByteLength.Length && _tokenByteLength[id] >= 0)
        {
            bytes = _tokenBytes.AsSpan(_tokenByteStart[id], _tokenByteLength[id]);
            return true;
        }

        bytes = default;
        return false;
    }

    /// <summary>Gets the added token with this id, if any.</summary>
    internal AddedToken? AddedTokenOf(int id) => (uint)id < (uint)_addedById.Length ? _addedById[id] : null;

    /// <summary>Gets whether decoding with <c>skipSpecialTokens</c> leaves this id out.</summary>
    internal bool IsSkippable(int id) => (uint)id < (uint)_skippable.Length && _skippable[id];

    private static void AppendUtf8(StringBuilder text, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(bytes.Length));
        var count = Encoding.UTF8.GetChars(bytes, chars);
        text.Append(chars, 0, count);
        ArrayPool<char>.Shared.Return(chars);
    }

    private static (byte[] Bytes, int[] Start, int[] Length) BuildTokenBytes(string file, int size, string?[] idToToken, AddedToken?[] addedById)
    {
        var start = new int[size];
        var length = new int[size];
        var total = 0;
        for (var id = 0; id < size; id++)
        {
            total += addedById[id] is null && idToToken[id] is { } token ? token.Length : 0;
        }

        var bytes = new byte[total];
        var at = 0;
        for (var id = 0; id < size; id++)
        {
            length[id] = -1;
            if (addedById[id] is not null || idToToken[id] is not { } token)
            {
                continue;
            }

            // Each character of a byte-level token stands for one byte.
            start[id] = at;
            length[id] = token.Length;
            foreach (var c in token)
            {
                var b = ByteLevelAlphabet.ToByte(c);
                if (b < 0)
                {
                    throw new TokenizerFormatException(file, $"model.vocab[\"{token}\"]", $"character U+{(int)c:X4} is outside the byte-level alphabet: the tokenizer is not byte-level BPE.");
                }

                bytes[at++] = (byte)b;
            }
        }

        return (bytes, start, length);
    }

    private string CleanUp(string text) => !_cleanUp ? text : text
        .Replace(" .", ".", StringComparison.Ordinal)
        .Replace(" ?", "?", StringComparison.Ordinal)
        .Replace(" !", "!", StringComparison.Ordinal)
        .Replace(" ,", ",", StringComparison.Ordinal)
        .Replace(" ' ", "'", StringComparison.Ordinal)
        .Replace(" n't", "n't", StringComparison.Ordinal)
        .Replace(" 'm", "'m", StringComparison.Ordinal)
        .Replace(" 's", "'s", StringComparison.Ordinal)
        .Replace(" 've", "'ve", StringComparison.Ordinal)
        .Replace(" 're", "'re", StringComparison.Ordinal);

    private int? ConfigTokenId(string configPath, string field, string? token)
    {
        if (token is null)
        {
            return null;
        }

        return _tokenToId.TryGetValue(token, out var id)
            ? id
            : throw new TokenizerFormatException(configPath, field, $"\"{token}\" is not a token of this tokenizer.");
    }
}
