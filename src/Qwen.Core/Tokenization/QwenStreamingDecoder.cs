using System.Text;

namespace Qwen.Core;

/// <summary>
/// Turns token ids into text as a model generates them. A character whose UTF-8 bytes span several tokens is held back
/// until its last byte arrives, so no delta ever ends in a broken character; the deltas put together equal
/// <see cref="QwenTokenVocabulary.Decode(IEnumerable{int}, bool)"/> of all the ids. Not thread-safe: use one per sequence.
/// </summary>
public sealed class QwenStreamingDecoder
{
    private readonly QwenTokenVocabulary _vocabulary;
    private readonly bool _skipSpecialTokens;
    private readonly byte[] _pending = new byte[4];
    private int _pendingCount;
    private byte[] _buffer = new byte[256];

    internal QwenStreamingDecoder(QwenTokenVocabulary vocabulary, bool skipSpecialTokens)
    {
        _vocabulary = vocabulary;
        _skipSpecialTokens = skipSpecialTokens;
    }

    /// <summary>Gets a value indicating whether bytes of an unfinished character are waiting for the next token.</summary>
    public bool HasPendingBytes => _pendingCount > 0;

    /// <summary>Adds the next generated id.</summary>
    /// <param name="id">The token id. Ids that name no token (such as the padding rows past the vocabulary) add nothing.</param>
    /// <returns>The text this id completes: possibly empty (the id started a character that needs more bytes), possibly more than the id's own text (it finished a held-back character).</returns>
    public string Append(int id)
    {
        if (id < 0 || id >= _vocabulary.Size || (_skipSpecialTokens && _vocabulary.IsSkippable(id)))
        {
            return string.Empty;
        }

        if (_vocabulary.AddedTokenOf(id) is { } token)
        {
            // Like the one-shot decoder, an added token ends the byte run: held-back bytes become U+FFFD.
            return _pendingCount == 0 ? token.Content : Flush() + token.Content;
        }

        if (!_vocabulary.TryGetTokenBytes(id, out var bytes))
        {
            return string.Empty;
        }

        var total = _pendingCount + bytes.Length;
        if (_buffer.Length < total)
        {
            _buffer = new byte[Math.Max(total, _buffer.Length * 2)];
        }

        _pending.AsSpan(0, _pendingCount).CopyTo(_buffer);
        bytes.CopyTo(_buffer.AsSpan(_pendingCount));
        var held = IncompleteTail(_buffer.AsSpan(0, total));
        _buffer.AsSpan(total - held, held).CopyTo(_pending);
        _pendingCount = held;
        return Encoding.UTF8.GetString(_buffer, 0, total - held);
    }

    /// <summary>Ends the sequence: returns the held-back bytes, which can no longer be completed, as U+FFFD (as the one-shot decoder does), and resets the decoder.</summary>
    /// <returns>The remaining text, usually empty.</returns>
    public string Flush()
    {
        if (_pendingCount == 0)
        {
            return string.Empty;
        }

        var text = Encoding.UTF8.GetString(_pending, 0, _pendingCount);
        _pendingCount = 0;
        return text;
    }

    /// <summary>Counts the bytes at the end that begin a valid UTF-8 sequence still missing bytes (0 when there are none).</summary>
    internal static int IncompleteTail(ReadOnlySpan<byte> bytes)
    {
        // Only the last lead byte can start an unfinished sequence, and a sequence is at most four bytes long.
        for (var lead = bytes.Length - 1; lead >= 0 && lead >= bytes.Length - 3; lead--)
        {
            var b = bytes[lead];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            var needed = b switch
            {
                >= 0xC2 and <= 0xDF => 2,
                >= 0xE0 and <= 0xEF => 3,
                >= 0xF0 and <= 0xF4 => 4,
                _ => 0,
            };
            var have = bytes.Length - lead;
            if (needed == 0 || have >= needed)
            {
                return 0;
            }

            // The second byte's range depends on the lead (no overlong forms, no surrogates, nothing past U+10FFFF).
            if (have >= 2)
            {
                var second = bytes[lead + 1];
                var (low, high) = b switch
                {
                    0xE0 => (0xA0, 0xBF),
                    0xED => (0x80, 0x9F),
                    0xF0 => (0x90, 0xBF),
                    0xF4 => (0x80, 0x8F),
                    _ => (0x80, 0xBF),
                };
                if (second < low || second > high)
                {
                    return 0;
                }
            }

            return have;
        }

        return 0;
    }
}
