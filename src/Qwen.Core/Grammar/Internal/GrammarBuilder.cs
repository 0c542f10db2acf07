using System.Text;

namespace Qwen.Core;

/// <summary>A piece of grammar under construction: bytes lead from <see cref="Start"/> to <see cref="End"/>.</summary>
internal readonly record struct Fragment(int Start, int End);

/// <summary>
/// Builds a recursive transition network over bytes: nodes joined by byte-range edges, empty edges and rule calls
/// (Thompson-style fragments), frozen into a <see cref="GrammarGraph"/>.
/// </summary>
internal sealed class GrammarBuilder
{
    /// <summary>The most nodes a grammar may have; beyond it the schema is refused as too large.</summary>
    public const int MaxNodes = 2_000_000;

    private readonly List<List<(byte Lo, byte Hi, int Target)>> _bytes = [];
    private readonly List<List<int>> _empty = [];
    private readonly List<(int Rule, int Return)> _calls = [];
    private readonly List<Fragment?> _rules = [];

    public int NodeCount => _bytes.Count;

    public int NewNode()
    {
        if (_bytes.Count >= MaxNodes)
        {
            throw new JsonGrammarException("(grammar)", "", $"the schema expands to more than {MaxNodes} grammar nodes");
        }

        _bytes.Add([]);
        _empty.Add([]);
        _calls.Add((-1, -1));
        return _bytes.Count - 1;
    }

    public void AddBytes(int from, byte lo, byte hi, int to) => _bytes[from].Add((lo, hi, to));

    public void AddEmpty(int from, int to) => _empty[from].Add(to);

    /// <summary>Reserves a rule id (so a rule can call itself before its body exists).</summary>
    public int NewRule()
    {
        _rules.Add(null);
        return _rules.Count - 1;
    }

    public void DefineRule(int rule, Fragment body) => _rules[rule] = body;

    /// <summary>A fragment that calls <paramref name="rule"/>.</summary>
    public Fragment Call(int rule)
    {
        var start = NewNode();
        var end = NewNode();
        _calls[start] = (rule, end);
        return new Fragment(start, end);
    }

    public Fragment Empty()
    {
        var node = NewNode();
        return new Fragment(node, node);
    }

    public Fragment Bytes(ReadOnlySpan<byte> bytes)
    {
        var start = NewNode();
        var at = start;
        foreach (var b in bytes)
        {
            var next = NewNode();
            AddBytes(at, b, b, next);
            at = next;
        }

        return new Fragment(start, at);
    }

    public Fragment Literal(string text) => Bytes(Encoding.UTF8.GetBytes(text));

    /// <summary>One byte from the given inclusive ranges.</summary>
    public Fragment Range(params (byte Lo, byte Hi)[] ranges)
    {
        var start = NewNode();
        var end = NewNode();
        foreach (var (lo, hi) in ranges)
        {
            AddBytes(start, lo, hi, end);
        }

        return new Fragment(start, end);
    }

    public Fragment Sequence(params Fragment[] parts) => Sequence((IEnumerable<Fragment>)parts);

    public Fragment Sequence(IEnumerable<Fragment> parts)
    {
        Fragment? result = null;
        foreach (var part in parts)
        {
            if (result is { } done)
            {
                AddEmpty(done.End, part.Start);
                result = new Fragment(done.Start, part.End);
            }
            else
            {
                result = part;
            }
        }

        return result ?? Empty();
    }

    public Fragment Choice(IEnumerable<Fragment> options)
    {
        var start = NewNode();
        var end = NewNode();
        foreach (var option in options)
        {
            AddEmpty(start, option.Start);
            AddEmpty(option.End, end);
        }

        return new Fragment(start, end);
    }

    public Fragment Optional(Fragment part)
    {
        AddEmpty(part.Start, part.End);
        return part;
    }

    /// <summary>Zero or more repetitions of one fragment (its nodes loop back).</summary>
    public Fragment Star(Fragment part)
    {
        var hub = NewNode();
        AddEmpty(hub, part.Start);
        AddEmpty(part.End, hub);
        return new Fragment(hub, hub);
    }

    /// <summary><paramref name="min"/> to <paramref name="max"/> (null: unbounded) repetitions, each a fresh fragment from <paramref name="make"/>.</summary>
    public Fragment Repeat(Func<Fragment> make, int min, int? max)
    {
        var parts = new List<Fragment>();
        for (var i = 0; i < min; i++)
        {
            parts.Add(make());
        }

        if (max is null)
        {
            parts.Add(Star(make()));
        }
        else
        {
            // Nested optionals: a? (a (a ...)?)? keeps the fragment linear in max - min.
            var end = NewNode();
            var start = end;
            for (var i = max.Value - 1; i >= min; i--)
            {
                var item = make();
                var node = NewNode();
                AddEmpty(node, end);
                AddEmpty(node, item.Start);
                AddEmpty(item.End, start);
                start = node;
            }

            parts.Add(new Fragment(start, end));
        }

        return Sequence(parts);
    }

    /// <summary>Freezes the network; <paramref name="root"/> is the rule the whole output must match.</summary>
    public GrammarGraph Build(int root, string description)
    {
        var count = _bytes.Count;
        var ruleStart = new int[_rules.Count];
        var ruleEnd = new bool[count];
        for (var r = 0; r < _rules.Count; r++)
        {
            var body = _rules[r] ?? throw new InvalidOperationException($"Grammar rule {r} was reserved but never defined.");
            ruleStart[r] = body.Start;
            ruleEnd[body.End] = true;
        }

        return new GrammarGraph(
            [.. _bytes.Select(list => list.ToArray())],
            [.. _empty.Select(list => list.ToArray())],
            [.. _calls],
            ruleStart,
            ruleEnd,
            root,
            description);
    }
}
