using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Qwen.Core;

/// <summary>
/// The tokenizer of Qwen2, Qwen2.5 and Qwen3 checkpoints: byte-level BPE read from the checkpoint's Hugging Face
/// <c>tokenizer.json</c>, with NFC normalization, Qwen's split pattern and added tokens matched whole in the text,
/// giving the same ids as the Hugging Face tokenizers. One instance is safe to share between threads.
/// </summary>
/// <remarks>
/// Offsets (<see cref="EncodedToken.Offset"/>, character indexes) refer to the normalized text, which differs from the
/// input only when NFC changes it; the results then carry it as <c>NormalizedText</c>. A character whose UTF-8 bytes
/// are spread over several tokens gives each of them that character's range.
/// </remarks>
public sealed class QwenTokenizer : Tokenizer
{
    private readonly AddedTokenMatcher _rawMatcher;
    private readonly AddedTokenMatcher _normalizedMatcher;
    private readonly Dictionary<string, AddedToken>.AlternateLookup<ReadOnlySpan<char>> _addedByText;
    private readonly int _longestAddedText;
    private readonly BpeModel _bpe;
    private readonly int[] _symbolToId;
    private readonly int[] _symbolLength;
    private readonly int _unkId = -1;
    private readonly bool _nfc;
    private readonly QwenPreTokenizer _preTokenizer;

    private QwenTokenizer(TokenizerDefinition definition, string tokenizerJsonPath)
    {
        Vocabulary = new QwenTokenVocabulary(definition, tokenizerJsonPath);
        var addedByText = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        var rawTexts = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        var normalizedTexts = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        foreach (var token in definition.AddedTokens)
        {
            addedByText[token.Content] = token;
            if (token.Normalized && definition.Nfc)
            {
                var normalized = NfcNormalizer.Instance.Normalize(token.Content);
                addedByText[normalized] = token;
                normalizedTexts[normalized] = token;
            }
            else
            {
                rawTexts[token.Content] = token;
            }
        }

        _rawMatcher = new AddedTokenMatcher(rawTexts.Select(p => (p.Key, p.Value)));
        _normalizedMatcher = new AddedTokenMatcher(normalizedTexts.Select(p => (p.Key, p.Value)));
        _addedByText = addedByText.GetAlternateLookup<ReadOnlySpan<char>>();
        _longestAddedText = addedByText.Count == 0 ? 0 : addedByText.Keys.Max(k => k.Length);
        (_bpe, _symbolToId, _symbolLength) = BuildModel(definition, tokenizerJsonPath, addedByText);

        _nfc = definition.Nfc;
        if (definition.UnkToken is { } unk)
        {
            _unkId = Vocabulary.TokenToId(unk)
                ?? throw new TokenizerFormatException(tokenizerJsonPath, "model.unk_token", $"\"{unk}\" is not in the vocabulary.");
        }

        _preTokenizer = new QwenPreTokenizer(_rawMatcher);
    }

    /// <summary>Gets the decoding half of this tokenizer: the vocabulary, the added tokens and the special tokens, which turn ids back into text.</summary>
    public QwenTokenVocabulary Vocabulary { get; }

    /// <summary>Gets the number of token ids: the largest id in the vocabulary or among the added tokens, plus one.</summary>
    public int VocabularySize => Vocabulary.Size;

    /// <summary>Gets the added tokens (<c>tokenizer.json</c>'s <c>added_tokens</c>: control tokens such as <c>&lt;|im_end|&gt;</c> and markup such as <c>&lt;tool_call&gt;</c> and <c>&lt;think&gt;</c>), text → id. These are matched whole wherever they occur in the text.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens => Vocabulary.SpecialTokens;

    /// <summary>Gets the end-of-sequence token named by <c>tokenizer_config.json</c> (<c>eos_token</c>), or <see langword="null"/>. The ids that end generation come from the checkpoint's generation config.</summary>
    public string? EosToken => Vocabulary.EosToken;

    /// <summary>Gets the id of <see cref="EosToken"/>, or <see langword="null"/>.</summary>
    public int? EosTokenId => Vocabulary.EosTokenId;

    /// <summary>Gets the padding token named by <c>tokenizer_config.json</c> (<c>pad_token</c>), or <see langword="null"/>.</summary>
    public string? PadToken => Vocabulary.PadToken;

    /// <summary>Gets the id of <see cref="PadToken"/>, or <see langword="null"/>.</summary>
    public int? PadTokenId => Vocabulary.PadTokenId;

    /// <summary>Gets the splitter this tokenizer applies after normalization: added tokens, then Qwen's split pattern.</summary>
    public override PreTokenizer? PreTokenizer => _preTokenizer;

    /// <summary>Gets the NFC normalizer when <c>tokenizer.json</c> names it, otherwise <see langword="null"/>.</summary>
    public override Normalizer? Normalizer => _nfc ? NfcNormalizer.Instance : null;

    /// <summary>Loads the tokenizer of a checkpoint folder: its <c>tokenizer.json</c>, and its <c>tokenizer_config.json</c> when present.</summary>
    /// <param name="directory">The checkpoint folder.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is null or empty.</exception>
    /// <exception cref="TokenizerFormatException">The folder or <c>tokenizer.json</c> does not exist, or a file is malformed or not a byte-level BPE tokenizer.</exception>
    public static QwenTokenizer FromDirectory(string directory)
    {
        var (tokenizerJson, config) = TokenizerFileReader.FilesOf(directory);
        return FromFiles(tokenizerJson, config);
    }

    /// <summary>Loads a tokenizer from a <c>tokenizer.json</c> and, optionally, a <c>tokenizer_config.json</c> (which names the EOS and padding tokens).</summary>
    /// <param name="tokenizerJsonPath">The path of <c>tokenizer.json</c>.</param>
    /// <param name="tokenizerConfigPath">The path of <c>tokenizer_config.json</c>, or <see langword="null"/>.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="ArgumentException"><paramref name="tokenizerJsonPath"/> is null or empty.</exception>
    /// <exception cref="TokenizerFormatException">A file does not exist, is not valid JSON, or does not describe a byte-level BPE tokenizer with Qwen's pre-tokenizer.</exception>
    public static QwenTokenizer FromFiles(string tokenizerJsonPath, string? tokenizerConfigPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tokenizerJsonPath);
        var definition = TokenizerFileReader.Read(tokenizerJsonPath, tokenizerConfigPath);
        return new QwenTokenizer(definition, tokenizerJsonPath);
    }

    /// <summary>Gets the id of a token given as its vocabulary string (byte-level, e.g. <c>Ġhello</c>) or as an added token's text.</summary>
    /// <param name="token">The token.</param>
    /// <returns>The id, or <see langword="null"/> when there is no such token.</returns>
    public int? TokenToId(string token) => Vocabulary.TokenToId(token);

    /// <summary>Gets the vocabulary string of a token id (byte-level for BPE tokens, the text for added tokens).</summary>
    /// <param name="id">The id.</param>
    /// <returns>The token, or <see langword="null"/> when no token has that id.</returns>
    public string? IdToToken(int id) => Vocabulary.IdToToken(id);

    /// <summary>Decodes ids to text, keeping special tokens.</summary>
    /// <param name="ids">The ids.</param>
    /// <returns>The text; bytes that do not form valid UTF-8 come out as U+FFFD, and ids that name no token are skipped, as in the Hugging Face decoder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="ids"/> is null.</exception>
    public override string Decode(IEnumerable<int> ids) => Decode(ids, skipSpecialTokens: false);

    /// <summary>Decodes ids to text.</summary>
    /// <param name="ids">The ids.</param>
    /// <param name="skipSpecialTokens">Whether to leave out special tokens (added tokens marked special, such as <c>&lt;|im_end|&gt;</c>, and the config's <c>additional_special_tokens</c>); markup tokens such as <c>&lt;think&gt;</c> stay.</param>
    /// <returns>The text; bytes that do not form valid UTF-8 come out as U+FFFD, and ids that name no token are skipped, as in the Hugging Face decoder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="ids"/> is null.</exception>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens) => Vocabulary.Decode(ids, skipSpecialTokens);

    /// <inheritdoc/>
    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return Vocabulary.Decode(ids as IReadOnlyList<int> ?? [.. ids], destination, out idsConsumed, out charsWritten);
    }

    /// <summary>Creates a decoder that turns ids into text as they are generated, holding back the bytes of a character until all of them have arrived.</summary>
    /// <param name="skipSpecialTokens">Whether to leave out special tokens, as <see cref="Decode(IEnumerable{int}, bool)"/> does.</param>
    /// <returns>A new decoder for one sequence (not thread-safe; create one per sequence).</returns>
    public QwenStreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens = false) => Vocabulary.CreateStreamingDecoder(skipSpecialTokens);

    /// <inheritdoc/>
    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var span = text is null ? textSpan : text.AsSpan();
        var tokens = EncodeWithOffsets(span, settings, out var normalizedText, out var charsConsumed);
        var result = new List<EncodedToken>(tokens.Count);
        foreach (var (id, start, end) in tokens)
        {
            result.Add(new EncodedToken(id, Vocabulary.IdToToken(id) ?? string.Empty, new Range(start, end)));
        }

        return new EncodeResults<EncodedToken> { Tokens = result, NormalizedText = normalizedText, CharsConsumed = charsConsumed };
    }

    /// <inheritdoc/>
    protected override EncodeResults<int> EncodeToIds(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var span = text is null ? textSpan : text.AsSpan();
        if (CheckLimit(settings) == int.MaxValue)
        {
            var ids = new List<int>(span.Length / 3);
            var sink = new IdSink(ids);
            var changed = false;
            Encode(span, settings, ref sink, ref changed);
            var normalizedText = changed ? NormalizedTextOrNull(span, settings) : null;
            return new EncodeResults<int> { Tokens = ids, NormalizedText = normalizedText, CharsConsumed = normalizedText?.Length ?? span.Length };
        }

        var tokens = EncodeWithOffsets(span, settings, out var normalized, out var charsConsumed);
        return new EncodeResults<int> { Tokens = tokens.ConvertAll(t => t.Id), NormalizedText = normalized, CharsConsumed = charsConsumed };
    }

    /// <inheritdoc/>
    protected override int CountTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var span = text is null ? textSpan : text.AsSpan();
        if (CheckLimit(settings) == int.MaxValue)
        {
            var sink = new CountSink();
            var changed = false;
            Encode(span, settings, ref sink, ref changed);
            return sink.Count;
        }

        return EncodeWithOffsets(span, settings, out _, out _).Count;
    }

    /// <inheritdoc/>
    protected override int GetIndexByTokenCount(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings, bool fromEnd, out string? normalizedText, out int tokenCount)
    {
        var span = text is null ? textSpan : text.AsSpan();
        var maxTokenCount = CheckLimit(settings);
        var all = new List<(int Id, int Start, int End)>();
        var sink = new OffsetSink(all, int.MaxValue);
        var changed = false;
        Encode(span, settings, ref sink, ref changed);
        normalizedText = changed ? NormalizedTextOrNull(span, settings) : null;
        var basis = normalizedText is null ? span : normalizedText.AsSpan();
        if (all.Count <= maxTokenCount)
        {
            tokenCount = all.Count;
            return fromEnd ? 0 : basis.Length;
        }

        // Cut between whole characters only, then check the cut text really encodes within the limit: BPE and the
        // split pattern look at neighbouring text, so a part may encode differently from its share of the whole.
        var exact = new EncodeSettings { ConsiderNormalization = false, ConsiderPreTokenization = settings.ConsiderPreTokenization };
        if (!fromEnd)
        {
            for (var keep = maxTokenCount; ; keep--)
            {
                while (keep > 0 && all[keep].Start < all[keep - 1].End)
                {
                    keep--;
                }

                var index = keep == 0 ? 0 : all[keep - 1].End;
                tokenCount = keep == 0 ? 0 : CountTokens(null, basis[..index], exact);
                if (tokenCount <= maxTokenCount)
                {
                    return index;
                }
            }
        }

        for (var first = all.Count - maxTokenCount; ; first++)
        {
            while (first < all.Count && first > 0 && all[first].Start < all[first - 1].End)
            {
                first++;
            }

            var index = first >= all.Count ? basis.Length : all[first].Start;
            tokenCount = first >= all.Count ? 0 : CountTokens(null, basis[index..], exact);
            if (tokenCount <= maxTokenCount)
            {
                return index;
            }
        }
    }

    /// <summary>Gets the BPE model (for tests).</summary>
    internal BpeModel Model => _bpe;

    private static int CheckLimit(EncodeSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.MaxTokenCount, "settings.MaxTokenCount");
        return settings.MaxTokenCount;
    }

    private static (BpeModel Model, int[] SymbolToId, int[] SymbolLength) BuildModel(TokenizerDefinition definition, string file, Dictionary<string, AddedToken> addedByText)
    {
        // The BPE works on symbols, one per distinct string, as the reference works on strings; a symbol's id is
        // looked up the way the reference looks up a token string (added tokens first, then the vocabulary).
        var symbols = new Dictionary<string, int>(definition.Vocab.Count + 512, StringComparer.Ordinal);
        var symbolToId = new List<int>(definition.Vocab.Count + 512);
        var symbolLength = new List<int>(definition.Vocab.Count + 512);
        int Symbol(string text)
        {
            if (symbols.TryGetValue(text, out var symbol))
            {
                return symbol;
            }

            symbol = symbols.Count;
            symbols[text] = symbol;
            symbolToId.Add(addedByText.TryGetValue(text, out var added) ? added.Id : definition.Vocab.TryGetValue(text, out var id) ? id : -1);
            symbolLength.Add(text.Length);
            return symbol;
        }

        var byteSymbols = new int[256];
        for (var b = 0; b < 256; b++)
        {
            byteSymbols[b] = Symbol(ByteLevelAlphabet.ToChar((byte)b).ToString());
        }

        var merges = new MergeTable(definition.Merges.Count);
        for (var rank = 0; rank < definition.Merges.Count; rank++)
        {
            var (left, right) = definition.Merges[rank];
            if (!ByteLevelAlphabet.IsByteLevel(left) || !ByteLevelAlphabet.IsByteLevel(right))
            {
                throw new TokenizerFormatException(file, $"model.merges[{rank}]", $"[\"{left}\", \"{right}\"] is not made of byte-level characters: the tokenizer is not byte-level BPE.");
            }

            merges.Set(Symbol(left), Symbol(right), rank, Symbol(left + right));
        }

        Func<string, int?>? wholeWord = null;
        if (definition.IgnoreMerges)
        {
            // The reference checks the whole piece against the vocabulary and the added tokens' texts.
            var known = definition.Vocab.Keys.Concat(definition.AddedTokens.Select(t => t.Content)).Distinct(StringComparer.Ordinal).ToArray();
            var wholeSymbols = known.ToFrozenDictionary(token => token, Symbol, StringComparer.Ordinal);
            wholeWord = word => wholeSymbols.TryGetValue(word, out var symbol) ? symbol : null;
        }

        return (new BpeModel(byteSymbols, merges, wholeWord), [.. symbolToId], [.. symbolLength]);
    }

    private List<(int Id, int Start, int End)> EncodeWithOffsets(ReadOnlySpan<char> span, EncodeSettings settings, out string? normalizedText, out int charsConsumed)
    {
        var limit = CheckLimit(settings);
        var tokens = new List<(int Id, int Start, int End)>();
        var sink = new OffsetSink(tokens, limit);
        var changed = false;
        var completed = Encode(span, settings, ref sink, ref changed);
        normalizedText = changed || !completed ? NormalizedTextOrNull(span, settings) : null;
        if (tokens.Count <= limit)
        {
            charsConsumed = normalizedText?.Length ?? span.Length;
            return tokens;
        }

        // One token too many was collected; drop it, and more while the cut would split a character.
        var keep = limit;
        while (keep > 0 && tokens[keep].Start < tokens[keep - 1].End)
        {
            keep--;
        }

        tokens.RemoveRange(keep, tokens.Count - keep);
        charsConsumed = keep == 0 ? 0 : tokens[keep - 1].End;
        return tokens;
    }

    private bool Encode<TSink>(ReadOnlySpan<char> text, EncodeSettings settings, ref TSink sink, ref bool changed)
        where TSink : struct, ITokenSink
    {
        var normalize = settings.ConsiderNormalization && _nfc;
        var splitter = new AddedTokenSplitter(text, _rawMatcher);
        var position = 0;
        var last = 0;
        while (splitter.MoveNext(out var start, out var end, out var token))
        {
            // Stripped white space stays in the normalized text but yields no token.
            position += start - last;
            last = end;
            if (token is not null)
            {
                if (!sink.Add(token.Id, position, position + token.Content.Length))
                {
                    return false;
                }

                position += token.Content.Length;
                continue;
            }

            var section = text[start..end];
            if (TryGetAddedText(section, out var whole))
            {
                if (!sink.Add(whole.Id, position, position + section.Length))
                {
                    return false;
                }

                position += section.Length;
                continue;
            }

            var normalized = normalize ? Nfc.NormalizeOrNull(section) : null;
            changed |= normalized is not null;
            var normalizedSection = normalized is null ? section : normalized.AsSpan();
            if (!EncodeNormalized(normalizedSection, position, settings.ConsiderPreTokenization, ref sink))
            {
                return false;
            }

            position += normalizedSection.Length;
        }

        return true;
    }

    private bool EncodeNormalized<TSink>(ReadOnlySpan<char> text, int position, bool preTokenize, ref TSink sink)
        where TSink : struct, ITokenSink
    {
        if (_normalizedMatcher.IsEmpty)
        {
            return EncodeText(text, position, preTokenize, ref sink);
        }

        var splitter = new AddedTokenSplitter(text, _normalizedMatcher);
        while (splitter.MoveNext(out var start, out var end, out var token))
        {
            var ok = token is not null
                ? sink.Add(token.Id, position + start, position + end)
                : EncodeText(text[start..end], position + start, preTokenize, ref sink);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private bool EncodeText<TSink>(ReadOnlySpan<char> text, int position, bool preTokenize, ref TSink sink)
        where TSink : struct, ITokenSink
    {
        if (TryGetAddedText(text, out var whole))
        {
            return sink.Add(whole.Id, position, position + text.Length);
        }

        if (!preTokenize)
        {
            return EncodePiece(text, position, ref sink);
        }

        for (var i = 0; i < text.Length;)
        {
            var end = QwenSplitPattern.NextEnd(text, i);
            if (!EncodePiece(text[i..end], position + i, ref sink))
            {
                return false;
            }

            i = end;
        }

        return true;
    }

    private bool EncodePiece<TSink>(ReadOnlySpan<char> piece, int position, ref TSink sink)
        where TSink : struct, ITokenSink
    {
        var symbols = _bpe.Encode(piece);
        if (!TSink.TracksOffsets)
        {
            foreach (var symbol in symbols)
            {
                var id = _symbolToId[symbol];
                if ((id >= 0 || (id = _unkId) >= 0) && !sink.Add(id, 0, 0))
                {
                    return false;
                }
            }

            return true;
        }

        // Walk the piece's characters alongside the tokens' bytes to turn byte ranges into character ranges.
        var charIndex = 0;
        var charByte = 0;
        var tokenByte = 0;
        foreach (var symbol in symbols)
        {
            var tokenEnd = tokenByte + _symbolLength[symbol];
            while (charByte + Utf8Length(piece, charIndex, out var width) <= tokenByte)
            {
                charByte += Utf8Length(piece, charIndex, out _);
                charIndex += width;
            }

            var endIndex = charIndex;
            var endByte = charByte;
            while (true)
            {
                var length = Utf8Length(piece, endIndex, out var width);
                endByte += length;
                endIndex += width;
                if (endByte >= tokenEnd)
                {
                    break;
                }
            }

            var id = _symbolToId[symbol];
            if ((id >= 0 || (id = _unkId) >= 0) && !sink.Add(id, position + charIndex, position + endIndex))
            {
                return false;
            }

            tokenByte = tokenEnd;
        }

        return true;
    }

    private static int Utf8Length(ReadOnlySpan<char> text, int index, out int width)
    {
        var c = text[index];
        width = 1;
        if (c < 0x80)
        {
            return 1;
        }

        if (c < 0x800)
        {
            return 2;
        }

        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            width = 2;
            return 4;
        }

        // Other characters, and lone surrogates (encoded as U+FFFD), take three bytes.
        return 3;
    }

    private bool TryGetAddedText(ReadOnlySpan<char> text, out AddedToken token)
    {
        if (text.Length <= _longestAddedText && _addedByText.TryGetValue(text, out var found))
        {
            token = found;
            return true;
        }

        token = null!;
        return false;
    }

    private string? NormalizedTextOrNull(ReadOnlySpan<char> text, EncodeSettings settings)
    {
        // The text the offsets refer to: what Encode walks, with each plain section in NFC.
        if (!settings.ConsiderNormalization || !_nfc)
        {
            return null;
        }

        var builder = new StringBuilder(text.Length + 16);
        var changed = false;
        var splitter = new AddedTokenSplitter(text, _rawMatcher);
        var last = 0;
        while (splitter.MoveNext(out var start, out var end, out var token))
        {
            builder.Append(text[last..start]);
            last = end;
            var section = text[start..end];
            var normalized = token is null && !TryGetAddedText(section, out _) ? Nfc.NormalizeOrNull(section) : null;
            changed |= normalized is not null;
            builder.Append(normalized is null ? section : normalized.AsSpan());
        }

        builder.Append(text[last..]);
        return changed ? builder.ToString() : null;
    }
}
