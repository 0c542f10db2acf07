namespace Qwen.Core;

/// <summary>
/// A bounded, lock-free cache from a pre-tokenized piece to its BPE symbols: two-way set-associative, so memory stays
/// fixed however much new text goes through, and a lookup is one hash of the piece and at most two comparisons.
/// </summary>
/// <remarks>
/// Thread-safe: entries are immutable and slots are replaced by single reference writes, so a reader sees either the
/// old or the new entry; a lost race only costs a recomputation. The hash is not randomized, which is harmless here:
/// colliding keys only evict each other, they never make a lookup slower.
/// </remarks>
internal sealed class PieceCache
{
    private readonly Entry?[] _slots;
    private readonly int _shift;

    /// <summary>Initializes a cache of 2^<paramref name="setBits"/> sets of two entries.</summary>
    public PieceCache(int setBits)
    {
        _slots = new Entry?[2 << setBits];
        _shift = 32 - setBits;
    }

    /// <summary>Hashes a piece (FNV-1a over its characters).</summary>
    public static uint Hash(ReadOnlySpan<char> key)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    /// <summary>Looks a piece up.</summary>
    public bool TryGet(ReadOnlySpan<char> key, uint hash, out int[] value)
    {
        var set = Set(hash);
        var entry = Volatile.Read(ref _slots[set]);
        if (entry is not null && entry.Hash == hash && key.SequenceEqual(entry.Key))
        {
            value = entry.Value;
            return true;
        }

        entry = Volatile.Read(ref _slots[set + 1]);
        if (entry is not null && entry.Hash == hash && key.SequenceEqual(entry.Key))
        {
            value = entry.Value;
            return true;
        }

        value = null!;
        return false;
    }

    /// <summary>Adds a piece, moving the set's newer entry to the second way and dropping the older one.</summary>
    public void Add(ReadOnlySpan<char> key, uint hash, int[] value)
    {
        var set = Set(hash);
        var first = Volatile.Read(ref _slots[set]);
        if (first is not null)
        {
            Volatile.Write(ref _slots[set + 1], first);
        }

        Volatile.Write(ref _slots[set], new Entry(key.ToString(), value, hash));
    }

    private int Set(uint hash) => (int)((hash * 0x9E3779B1u) >> _shift) << 1;

    private sealed record Entry(string Key, int[] Value, uint Hash);
}
