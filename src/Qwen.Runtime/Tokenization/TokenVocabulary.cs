using System.Text;
using System.Text.Json;

namespace Qwen.Runtime;

/// <summary>The id-to-bytes table of a byte-level BPE <c>tokenizer.json</c>: exact decoding without the BPE merges.</summary>
internal sealed class TokenVocabulary : ITokenDecoder
{
    private readonly byte[]?[] _bytes;
    private readonly Dictionary<string, int> _added;

    private TokenVocabulary(byte[]?[] bytes, Dictionary<string, int> added)
    {
        _bytes = bytes;
        _added = added;
    }

    /// <summary>Gets one more than the largest id the tokenizer defines.</summary>
    public int Size => _bytes.Length;

    /// <exception cref="CheckpointFormatException">The file is missing or not a byte-level BPE tokenizer.json.</exception>
    public static TokenVocabulary Load(string path)
    {
        using var doc = JsonFields.ParseFile(path);
        var root = doc.RootElement;
        if (JsonFields.Get(root, "model") is not { ValueKind: JsonValueKind.Object } model
            || JsonFields.Get(model, "vocab") is not { ValueKind: JsonValueKind.Object } vocab)
        {
            throw new CheckpointFormatException(path, "has no 'model.vocab' object; expected a byte-level BPE tokenizer.json");
        }

        var entries = new List<(int Id, byte[] Bytes)>();
        foreach (var entry in vocab.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
            {
                throw new CheckpointFormatException(path, $"vocab entry '{entry.Name}' must map to a non-negative integer id");
            }

            entries.Add((id, SpellingToBytes(entry.Name)));
        }

        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        if (JsonFields.Get(root, "added_tokens") is { ValueKind: JsonValueKind.Array } addedTokens)
        {
            foreach (var token in addedTokens.EnumerateArray())
            {
                var content = JsonFields.GetString(token, "content", path);
                var id = JsonFields.GetInt(token, "id", path);
                if (content is null || id is not >= 0)
                {
                    throw new CheckpointFormatException(path, $"added_tokens entry {token.GetRawText()} needs 'content' and a non-negative 'id'");
                }

                added[content] = id.Value;
                entries.Add((id.Value, Encoding.UTF8.GetBytes(content)));
            }
        }

        var size = entries.Count == 0 ? 0 : entries.Max(e => e.Id) + 1;
        var table = new byte[]?[size];
        foreach (var (id, bytes) in entries)
        {
            table[id] = bytes;
        }

        return new TokenVocabulary(table, added);
    }

    /// <summary>The id of an added (special) token, e.g. <c>&lt;|im_end|&gt;</c>.</summary>
    public int? IdOf(string addedToken) => _added.TryGetValue(addedToken, out var id) ? id : null;

    /// <summary>The raw bytes of one token; empty for ids the tokenizer does not define (padding rows).</summary>
    public ReadOnlySpan<byte> BytesOf(int id) => (uint)id < (uint)_bytes.Length ? _bytes[id] : [];

    /// <inheritdoc />
    public string Decode(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var buffer = new List<byte>();
        foreach (var id in ids)
        {
            buffer.AddRange(BytesOf(id));
        }

        return Encoding.UTF8.GetString([.. buffer]);
    }

    private static byte[] SpellingToBytes(string spelling)
    {
        var bytes = new byte[spelling.Length];
        for (var i = 0; i < spelling.Length; i++)
        {
            if (!ByteLevel.CharToByte.TryGetValue(spelling[i], out var b))
            {
                // Not byte-level spelled (should not happen in Qwen vocabularies): keep the character's own UTF-8.
                return Encoding.UTF8.GetBytes(spelling);
            }

            bytes[i] = b;
        }

        return bytes;
    }
}
