using System.Buffers;
using System.Text;

namespace Qwen.Core;

/// <summary>Byte-level BPE over one pre-tokenized piece: bytes become symbols, and the pair with the lowest merge rank (leftmost on ties) merges until none is left.</summary>
/// <remarks>Thread-safe: the tables are read-only after construction and the cache is lock-free.</remarks>
internal sealed class BpeModel
{
    /// <summary>Pieces up to this many bytes merge with the quadratic in-place loop, which beats a heap on short words.</summary>
    internal const int SmallWordBytes = 160;

    private const int MaxCachedChars = 48;

    private readonly int[] _byteSymbols;
    private readonly int[][] _singleByteResults;
    private readonly MergeTable _merges;
    private readonly Func<string, int?>? _wholeWordLookup;
    private readonly PieceCache _cache = new(setBits: 16);

    /// <summary>Initializes the model.</summary>
    /// <param name="byteSymbols">The symbol each byte value starts as.</param>
    /// <param name="merges">The merge rules.</param>
    /// <param name="wholeWordLookup">When the model ignores merges for words already in the vocabulary (<c>ignore_merges</c>), looks a word's byte-level string up; otherwise <see langword="null"/>.</param>
    public BpeModel(int[] byteSymbols, MergeTable merges, Func<string, int?>? wholeWordLookup)
    {
        _byteSymbols = byteSymbols;
        _merges = merges;
        _wholeWordLookup = wholeWordLookup;
        _singleByteResults = [.. byteSymbols.Select(s => new[] { s })];
    }

    /// <summary>Encodes one piece of text to symbols.</summary>
    /// <returns>The symbols, in order; the array may be shared and must not be changed.</returns>
    public int[] Encode(ReadOnlySpan<char> piece)
    {
        if (piece.Length == 1 && piece[0] < 0x80)
        {
            return _singleByteResults[piece[0]];
        }

        if (piece.Length > MaxCachedChars)
        {
            return EncodeUncached(piece);
        }

        var hash = PieceCache.Hash(piece);
        if (_cache.TryGet(piece, hash, out var cached))
        {
            return cached;
        }

        var result = EncodeUncached(piece);
        _cache.Add(piece, hash, result);
        return result;
    }

    /// <summary>Merges <paramref name="symbols"/> in place and returns how many are left; exposed so tests can check both merge loops agree.</summary>
    internal int Merge(Span<int> symbols) =>
        symbols.Length <= SmallWordBytes ? MergeSmall(symbols) : MergeLarge(symbols);

    /// <summary>The quadratic merge loop (for tests).</summary>
    internal int MergeSmall(Span<int> symbols)
    {
        var n = symbols.Length;
        Span<long> pairs = n <= 256 ? stackalloc long[n] : new long[n];
        for (var i = 0; i + 1 < n; i++)
        {
            pairs[i] = PairValue(symbols[i], symbols[i + 1]);
        }

        while (n > 1)
        {
            // Packed values compare by rank first; strict < keeps the leftmost of equal pairs.
            var best = long.MaxValue;
            var at = -1;
            for (var i = 0; i + 1 < n; i++)
            {
                if (pairs[i] < best)
                {
                    best = pairs[i];
                    at = i;
                }
            }

            if (at < 0)
            {
                break;
            }

            symbols[at] = (int)(best & 0xFFFFFFFF);
            symbols[(at + 2)..n].CopyTo(symbols[(at + 1)..]);
            if (at + 2 < n - 1)
            {
                pairs[(at + 2)..(n - 1)].CopyTo(pairs[(at + 1)..]);
            }

            n--;
            if (at > 0)
            {
                pairs[at - 1] = PairValue(symbols[at - 1], symbols[at]);
            }

            if (at + 1 < n)
            {
                pairs[at] = PairValue(symbols[at], symbols[at + 1]);
            }
        }

        return n;
    }

    /// <summary>The heap-based merge loop, O(n log n), for long pieces (for tests).</summary>
    internal int MergeLarge(Span<int> symbols)
    {
        var n = symbols.Length;
        var next = ArrayPool<int>.Shared.Rent(n);
        var prev = ArrayPool<int>.Shared.Rent(n);
        try
        {
            var queue = new PriorityQueue<int, long>(n);
            for (var i = 0; i < n; i++)
            {
                next[i] = i + 1 < n ? i + 1 : -1;
                prev[i] = i - 1;
                if (i + 1 < n)
                {
                    Enqueue(queue, symbols, i, i + 1);
                }
            }

            while (queue.TryDequeue(out var pos, out var priority))
            {
                // Entries go stale when a neighbour merged first; the pair now at pos must still have the popped rank.
                var right = next[pos];
                if (right < 0 || prev[pos] == -2)
                {
                    continue;
                }

                var value = _merges.Get(symbols[pos], symbols[right]);
                if (value < 0 || (value >> 32) != (priority >> 32))
                {
                    continue;
                }

                symbols[pos] = (int)(value & 0xFFFFFFFF);
                var after = next[right];
                next[pos] = after;
                prev[right] = -2;
                if (after >= 0)
                {
                    prev[after] = pos;
                    Enqueue(queue, symbols, pos, after);
                }

                if (prev[pos] >= 0)
                {
                    Enqueue(queue, symbols, prev[pos], pos);
                }
            }

            var count = 0;
            for (var i = 0; i >= 0; i = next[i])
            {
                symbols[count++] = symbols[i];
            }

            return count;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(next);
            ArrayPool<int>.Shared.Return(prev);
        }
    }

    private void Enqueue(PriorityQueue<int, long> queue, Span<int> symbols, int left, int right)
    {
        var value = _merges.Get(symbols[left], symbols[right]);
        if (value >= 0)
        {
            queue.Enqueue(left, (value & ~0xFFFFFFFFL) | (uint)left);
        }
    }

    private long PairValue(int left, int right)
    {
        var value = _merges.Get(left, right);
        return value < 0 ? long.MaxValue : value;
    }

    private int[] EncodeUncached(ReadOnlySpan<char> piece)
    {
        // Lone surrogates become U+FFFD's bytes, as the reference's TextEncoder does.
        var byteCount = Encoding.UTF8.GetByteCount(piece);
        byte[]? rentedBytes = null;
        var bytes = byteCount <= 512 ? stackalloc byte[byteCount] : (rentedBytes = ArrayPool<byte>.Shared.Rent(byteCount)).AsSpan(0, byteCount);
        int[]? rentedSymbols = null;
        try
        {
            Encoding.UTF8.GetBytes(piece, bytes);
            if (_wholeWordLookup is not null && _wholeWordLookup(ByteLevelAlphabet.ToToken(bytes)) is { } whole)
            {
                return [whole];
            }

            var symbols = byteCount <= 512 ? stackalloc int[byteCount] : (rentedSymbols = ArrayPool<int>.Shared.Rent(byteCount)).AsSpan(0, byteCount);
            for (var i = 0; i < bytes.Length; i++)
            {
                symbols[i] = _byteSymbols[bytes[i]];
            }

            var count = Merge(symbols);
            return symbols[..count].ToArray();
        }
        finally
        {
            if (rentedBytes is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedBytes);
            }

            if (rentedSymbols is not null)
            {
                ArrayPool<int>.Shared.Return(rentedSymbols);
            }
        }
    }
}
