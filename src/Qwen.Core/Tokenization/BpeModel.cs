using System.Buffers;
using System.Text;

namespace Qwen.Core;

/// <summary>Byte-level BPE over one pre-tokenized piece: bytes become symbols, and the pair with the lowest merge rank (leftmost on ties) merges until none is left.</summary>
/// <remarks>Thread-safe: the tables are read-only after construction and the cache is lock-free.</remarks>
internal sealed class BpeModel
{
    /// <summary>Pieces up to this many bytes merge with the quadratic in-place loop, which beats a heap on short words.</summary>
    internal const int SmallWordBytes = 48;

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

        // Linked list over the symbols (prev -2 marks a symbol merged into its left neighbour) and a binary heap of
        // candidate merges keyed by rank then position. Each merge pops one candidate and pushes at most two, so the
        // heap never holds more than the n - 1 first candidates plus one per merge: 2n.
        int[]? rented = null;
        var links = n <= 256 ? stackalloc int[2 * n] : (rented = ArrayPool<int>.Shared.Rent(2 * n)).AsSpan(0, 2 * n);
        long[]? rentedHeap = null;
        var heap = n <= 256 ? stackalloc long[2 * n] : (rentedHeap = ArrayPool<long>.Shared.Rent(2 * n)).AsSpan(0, 2 * n);
        try
        {
            var next = links[..n];
            var prev = links[n..];
            var count = 0;
            for (var i = 0; i < n; i++)
            {
                next[i] = i + 1 < n ? i + 1 : -1;
                prev[i] = i - 1;
                if (i + 1 < n)
                {
                    Push(heap, ref count, symbols, i, i + 1);
                }
            }

            while (count > 0)
            {
                var top = Pop(heap, ref count);
                var pos = (int)(top & 0xFFFFFFFF);

                // Entries go stale when a neighbour merged first; the pair now at pos must still have the popped rank.
                var right = next[pos];
                if (right < 0 || prev[pos] == -2)
                {
                    continue;
                }

                var value = _merges.Get(symbols[pos], symbols[right]);
                if (value < 0 || (value >> 32) != (top >> 32))
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
                    Push(heap, ref count, symbols, pos, after);
                }

                if (prev[pos] >= 0)
                {
                    Push(heap, ref count, symbols, prev[pos], pos);
                }
            }

            var length = 0;
            for (var i = 0; i >= 0; i = next[i])
            {
                symbols[length++] = symbols[i];
            }

            return length;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }

            if (rentedHeap is not null)
            {
                ArrayPool<long>.Shared.Return(rentedHeap);
            }
        }
    }

    private static long Pop(Span<long> heap, ref int count)
    {
        var top = heap[0];
        var last = heap[--count];
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= count)
            {
                break;
            }

            if (child + 1 < count && heap[child + 1] < heap[child])
            {
                child++;
            }

            if (last <= heap[child])
            {
                break;
            }

            heap[i] = heap[child];
            i = child;
        }

        heap[i] = last;
        return top;
    }

    private void Push(Span<long> heap, ref int count, Span<int> symbols, int left, int right)
    {
        var value = _merges.Get(symbols[left], symbols[right]);
        if (value < 0)
        {
            return;
        }

        // Rank in the high half, position in the low half: the smallest item is the lowest rank, leftmost on ties.
        var item = (value & ~0xFFFFFFFFL) | (uint)left;
        var i = count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (heap[parent] <= item)
            {
                break;
            }

            heap[i] = heap[parent];
            i = parent;
        }

        heap[i] = item;
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
