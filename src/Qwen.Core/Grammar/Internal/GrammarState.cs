namespace Qwen.Core;

/// <summary>A return address on a grammar stack; interned, so equal stacks are the same object.</summary>
internal sealed class GrammarFrame(int id, int returnNode, GrammarFrame? parent, int distance)
{
    public int Id { get; } = id;

    public int ReturnNode { get; } = returnNode;

    public GrammarFrame? Parent { get; } = parent;

    /// <summary>Gets the fewest bytes that unwind this frame and all below it.</summary>
    public int Distance { get; } = distance;

    public int Depth { get; } = parent is null ? 1 : parent.Depth + 1;
}

/// <summary>
/// One interned matcher state: the set of (node, stack) threads the input so far can be in (after empty moves), with its
/// byte transitions and token masks filled in lazily and cached. Only its <see cref="StateSpace"/> mutates it, under its lock.
/// </summary>
internal sealed class GrammarState(long[] key, (int Node, GrammarFrame? Stack)[] threads, bool accepting, int distance)
{
    public long[] Key { get; } = key;

    public (int Node, GrammarFrame? Stack)[] Threads { get; } = threads;

    /// <summary>Gets whether the input so far is a complete match.</summary>
    public bool Accepting { get; } = accepting;

    /// <summary>Gets the fewest bytes to a complete match.</summary>
    public int Distance { get; } = distance;

    /// <summary>Gets whether no byte can follow (only the end may).</summary>
    public bool IsFinal => Threads.Length == 0;

    /// <summary>Gets or sets the state after each byte (<see cref="StateSpace.Dead"/> when the byte is not allowed), filled lazily.</summary>
    public GrammarState?[]? Next { get; set; }

    /// <summary>Gets or sets the ids whose bytes are allowed from here, one bit each.</summary>
    public ulong[]? Mask { get; set; }

    /// <summary>Gets or sets the largest distance to a complete match after any allowed token (valid once <see cref="Mask"/> is set).</summary>
    public int MaxAfter { get; set; }

    /// <summary>Gets or sets the smallest distance to a complete match after any allowed token (valid once <see cref="Mask"/> is set).</summary>
    public int MinAfter { get; set; }

    /// <summary>Gets or sets the allowed ids after which the distance to a complete match is not <see cref="Distance"/> (most tokens keep it), with that distance.</summary>
    public (int Id, int After)[]? Changes { get; set; }
}
