namespace Qwen.Core;

/// <summary>
/// The states a <see cref="GrammarGraph"/> reaches over one vocabulary, made on demand and interned: byte transitions are
/// cached per state (so the grammar is determinized lazily), and so are the token masks (one walk over the sorted vocabulary,
/// sharing common prefixes). Thread-safe: every mutation happens under one lock.
/// </summary>
internal sealed class StateSpace
{
    /// <summary>The marker stored for a byte that no thread accepts.</summary>
    public static readonly GrammarState Dead = new([], [], accepting: false, GrammarGraph.Unreachable);

    private const int MaxStackDepth = 4096;

    private readonly GrammarGraph _graph;
    private readonly Lock _gate = new();
    private readonly Dictionary<(int ReturnNode, GrammarFrame? Parent), GrammarFrame> _frames = [];
    private readonly Dictionary<long[], GrammarState> _states = new(KeyComparer.Instance);
    private readonly List<(int Node, GrammarFrame? Stack)> _seeds = [];
    private readonly Stack<(int Node, GrammarFrame? Stack)> _work = new();
    private readonly HashSet<(int Node, GrammarFrame? Stack)> _seen = [];
    private readonly List<(int Node, GrammarFrame? Stack)> _kept = [];

    public StateSpace(GrammarGraph graph, GrammarVocabulary vocabulary)
    {
        _graph = graph;
        Vocabulary = vocabulary;
        lock (_gate)
        {
            _seeds.Add((graph.RuleStart[graph.Root], null));
            Start = Closure();
        }
    }

    public GrammarVocabulary Vocabulary { get; }

    public GrammarState Start { get; }

    /// <summary>Gets the lock that guards the states (callers hold it across a step or a mask).</summary>
    public Lock Gate => _gate;

    /// <summary>Gets how many states exist so far.</summary>
    public int StateCount => _states.Count;

    /// <summary>Gets how many states have a cached mask.</summary>
    public int MaskCount { get; private set; }

    /// <summary>The state after <paramref name="b"/>, or null when the grammar does not allow it. Call under <see cref="Gate"/>.</summary>
    public GrammarState? Step(GrammarState state, byte b)
    {
        var next = state.Next ??= new GrammarState?[256];
        var result = next[b];
        if (result is null)
        {
            result = Advance(state, b) ?? Dead;
            next[b] = result;
        }

        return ReferenceEquals(result, Dead) ? null : result;
    }

    /// <summary>The state after all of <paramref name="bytes"/>, or null. Call under <see cref="Gate"/>.</summary>
    public GrammarState? Walk(GrammarState state, ReadOnlySpan<byte> bytes)
    {
        GrammarState? at = state;
        foreach (var b in bytes)
        {
            at = Step(at, b);
            if (at is null)
            {
                return null;
            }
        }

        return at;
    }

    /// <summary>Fills the state's cached mask (every token its bytes allow). Call under <see cref="Gate"/>.</summary>
    public void EnsureMask(GrammarState state)
    {
        if (state.Mask is not null)
        {
            return;
        }

        var mask = new ulong[(Vocabulary.Size + 63) / 64];
        var changes = new List<(int Id, int After)>();
        var (minAfter, maxAfter) = Collect(state, int.MaxValue, mask, changes);
        state.MinAfter = minAfter;
        state.MaxAfter = maxAfter;
        state.Mask = mask;
        state.Changes = [.. changes];
        MaskCount++;
    }

    /// <summary>
    /// Fills <paramref name="mask"/> with the tokens whose resulting state is at most <paramref name="limit"/> bytes from a
    /// complete match; returns the least and the most such distance seen among all allowed tokens. Call under <see cref="Gate"/>.
    /// </summary>
    public (int MinAfter, int MaxAfter) Collect(GrammarState state, int limit, ulong[] mask, List<(int Id, int After)>? changes = null)
    {
        var vocabulary = Vocabulary;
        var sorted = vocabulary.Sorted;
        var common = vocabulary.CommonPrefix;
        var path = new GrammarState?[vocabulary.MaxLength + 1];
        path[0] = state;
        var valid = 0;
        int minAfter = GrammarGraph.Unreachable, maxAfter = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            var shared = common[i];
            if (shared > valid)
            {
                // Shares a prefix the grammar already refused.
                continue;
            }

            var id = sorted[i];
            var bytes = vocabulary.Bytes[id];
            var depth = shared;
            for (; depth < bytes.Length; depth++)
            {
                // The cached transition inline; Step only for a byte not seen from this state yet.
                var from = path[depth]!;
                var next = from.Next?[bytes[depth]] ?? Step(from, bytes[depth]) ?? Dead;
                if (ReferenceEquals(next, Dead))
                {
                    break;
                }

                path[depth + 1] = next;
            }

            if (depth < bytes.Length)
            {
                valid = depth;
                continue;
            }

            valid = bytes.Length;
            var after = path[depth]!.Distance;
            minAfter = Math.Min(minAfter, after);
            maxAfter = Math.Max(maxAfter, after);
            if (after <= limit)
            {
                mask[id >> 6] |= 1UL << (id & 63);
            }

            if (after != state.Distance)
            {
                changes?.Add((id, after));
            }
        }

        return (minAfter, maxAfter);
    }

    private GrammarState? Advance(GrammarState state, byte b)
    {
        _seeds.Clear();
        foreach (var (node, stack) in state.Threads)
        {
            foreach (var (lo, hi, target) in _graph.ByteEdges[node])
            {
                if (lo <= b && b <= hi)
                {
                    _seeds.Add((target, stack));
                }
            }
        }

        return _seeds.Count == 0 ? null : Closure();
    }

    /// <summary>Follows empty moves, calls and returns from <see cref="_seeds"/>; interns the resulting thread set.</summary>
    private GrammarState Closure()
    {
        _seen.Clear();
        _kept.Clear();
        _work.Clear();
        foreach (var seed in _seeds)
        {
            _work.Push(seed);
        }

        var accepting = false;
        while (_work.TryPop(out var thread))
        {
            if (!_seen.Add(thread))
            {
                continue;
            }

            var (node, stack) = thread;
            if (_graph.ByteEdges[node].Length > 0)
            {
                _kept.Add(thread);
            }

            foreach (var target in _graph.EmptyEdges[node])
            {
                _work.Push((target, stack));
            }

            if (_graph.Calls[node] is { Rule: >= 0 } call)
            {
                _work.Push((_graph.RuleStart[call.Rule], Frame(call.Return, stack)));
            }

            if (_graph.RuleEnd[node])
            {
                if (stack is null)
                {
                    accepting = true;
                }
                else
                {
                    _work.Push((stack.ReturnNode, stack.Parent));
                }
            }
        }

        var key = new long[_kept.Count + (accepting ? 1 : 0)];
        for (var i = 0; i < _kept.Count; i++)
        {
            key[i] = ((long)_kept[i].Node << 32) | (uint)(_kept[i].Stack?.Id ?? 0);
        }

        if (accepting)
        {
            key[^1] = long.MaxValue;
        }

        Array.Sort(key);
        if (_states.TryGetValue(key, out var existing))
        {
            return existing;
        }

        var distance = accepting ? 0 : GrammarGraph.Unreachable;
        foreach (var (node, stack) in _kept)
        {
            distance = Math.Min(distance, _graph.Distance[node] + (stack?.Distance ?? 0));
        }

        var state = new GrammarState(key, [.. _kept], accepting, distance);
        _states.Add(key, state);
        return state;
    }

    private GrammarFrame Frame(int returnNode, GrammarFrame? parent)
    {
        if (_frames.TryGetValue((returnNode, parent), out var frame))
        {
            return frame;
        }

        if (parent?.Depth >= MaxStackDepth)
        {
            throw new JsonGrammarException(_graph.Description, "$ref", $"the grammar nests more than {MaxStackDepth} rules without reading input (a reference that recurses into itself first)");
        }

        frame = new GrammarFrame(_frames.Count + 1, returnNode, parent, Math.Min(GrammarGraph.Unreachable, _graph.Distance[returnNode] + (parent?.Distance ?? 0)));
        _frames.Add((returnNode, parent), frame);
        return frame;
    }

    private sealed class KeyComparer : IEqualityComparer<long[]>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(long[]? x, long[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(long[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(obj.AsSpan()));
            return hash.ToHashCode();
        }
    }
}
