namespace Qwen.Core;

/// <summary>The BPE merge rules as an open-addressing hash table keyed on a pair of symbol ids: no allocation, one or two probes per lookup.</summary>
internal sealed class MergeTable
{
    private const long Empty = -1;

    // Key and value side by side: a lookup touches one cache line, which matters since the table is megabytes big.
    private readonly Entry[] _entries;

    // One bit per hashed pair, small enough to stay in the L2 cache: most pairs in a word have no rule, and the bit
    // answers those without touching the big table.
    private readonly ulong[] _filter;
    private readonly int _filterShift;
    private readonly int _shift;
    private readonly int _mask;

    /// <summary>Initializes an empty table sized for <paramref name="capacity"/> rules.</summary>
    public MergeTable(int capacity)
    {
        var size = 16;
        var bits = 4;
        while (size < capacity + (capacity / 2))
        {
            size <<= 1;
            bits++;
        }

        _entries = new Entry[size];
        Array.Fill(_entries, new Entry(Empty, 0));
        _shift = 64 - bits;
        _mask = size - 1;
        _filter = new ulong[size * 8 / 64];
        _filterShift = 64 - (bits + 3);
    }

    /// <summary>Gets the number of rules.</summary>
    public int Count { get; private set; }

    /// <summary>Adds or replaces the rule merging <paramref name="left"/> and <paramref name="right"/>; a later rule for the same pair wins, as in the reference implementations.</summary>
    public void Set(int left, int right, int rank, int result)
    {
        var key = Key(left, right);
        var slot = Slot(key);
        while (_entries[slot].Key != Empty && _entries[slot].Key != key)
        {
            slot = (slot + 1) & _mask;
        }

        if (_entries[slot].Key == Empty)
        {
            if (Count + 1 > (_entries.Length * 3) / 4)
            {
                throw new InvalidOperationException("The merge table is full; it was sized for fewer rules.");
            }

            Count++;
        }

        _entries[slot] = new Entry(key, ((long)rank << 32) | (uint)result);
        var bit = FilterBit(key);
        _filter[bit >> 6] |= 1UL << bit;
    }

    /// <summary>Looks up the rule for a pair of symbols.</summary>
    /// <returns>The rule's rank (lower merges first) in the high 32 bits and the merged symbol in the low 32 bits, or -1 when the pair does not merge.</returns>
    public long Get(int left, int right)
    {
        var key = Key(left, right);
        var bit = FilterBit(key);
        if ((_filter[bit >> 6] & (1UL << bit)) == 0)
        {
            return -1;
        }

        var slot = Slot(key);
        while (true)
        {
            ref readonly var entry = ref _entries[slot];
            if (entry.Key == key)
            {
                return entry.Value;
            }

            if (entry.Key == Empty)
            {
                return -1;
            }

            slot = (slot + 1) & _mask;
        }
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    private int Slot(long key) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> _shift);

    private int FilterBit(long key) => (int)(((ulong)key * 0xC2B2AE3D27D4EB4FUL) >> _filterShift);

    private readonly record struct Entry(long Key, long Value);
}
