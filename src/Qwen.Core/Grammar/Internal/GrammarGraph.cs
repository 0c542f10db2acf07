namespace Qwen.Core;

/// <summary>
/// A frozen recursive transition network over bytes (a pushdown automaton): the compiled form of a <see cref="JsonGrammar"/>,
/// independent of any vocabulary. Each node knows the fewest bytes that finish its rule, which lets a matcher steer a
/// running output to a valid end before its token budget runs out.
/// </summary>
internal sealed class GrammarGraph
{
    public const int Unreachable = int.MaxValue / 4;

    public GrammarGraph((byte Lo, byte Hi, int Target)[][] bytes, int[][] empty, (int Rule, int Return)[] calls, int[] ruleStart, bool[] ruleEnd, int root, string description)
    {
        ByteEdges = bytes;
        EmptyEdges = empty;
        Calls = calls;
        RuleStart = ruleStart;
        RuleEnd = ruleEnd;
        Root = root;
        Description = description;
        Distance = ComputeDistances();
        if (Distance[ruleStart[root]] >= Unreachable)
        {
            throw new JsonGrammarException(description, "", "the schema admits no finite JSON value (a required property or item recurses without end)");
        }
    }

    public (byte Lo, byte Hi, int Target)[][] ByteEdges { get; }

    public int[][] EmptyEdges { get; }

    public (int Rule, int Return)[] Calls { get; }

    public int[] RuleStart { get; }

    public bool[] RuleEnd { get; }

    public int Root { get; }

    public string Description { get; }

    /// <summary>Gets, per node, the fewest bytes from it to the end of its rule.</summary>
    public int[] Distance { get; }

    public int NodeCount => ByteEdges.Length;

    private int[] ComputeDistances()
    {
        var count = ByteEdges.Length;
        var distance = new int[count];
        Array.Fill(distance, Unreachable);
        for (var n = 0; n < count; n++)
        {
            if (RuleEnd[n])
            {
                distance[n] = 0;
            }
        }

        // Bellman-Ford style relaxation until nothing changes: grammars are small and converge in a few rounds.
        bool changed;
        do
        {
            changed = false;
            for (var n = count - 1; n >= 0; n--)
            {
                var best = distance[n];
                foreach (var (_, _, target) in ByteEdges[n])
                {
                    best = Math.Min(best, 1 + distance[target]);
                }

                foreach (var target in EmptyEdges[n])
                {
                    best = Math.Min(best, distance[target]);
                }

                if (Calls[n].Rule >= 0)
                {
                    best = Math.Min(best, distance[RuleStart[Calls[n].Rule]] + distance[Calls[n].Return]);
                }

                if (best < distance[n])
                {
                    distance[n] = best;
                    changed = true;
                }
            }
        }
        while (changed);
        return distance;
    }
}
