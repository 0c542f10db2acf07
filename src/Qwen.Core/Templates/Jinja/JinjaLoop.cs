namespace Qwen.Core;

/// <summary>The <c>loop</c> variable inside a <c>for</c> block: position, neighbours, <c>cycle</c>, <c>changed</c>, and <c>loop(...)</c> for recursive loops.</summary>
internal sealed class JinjaLoop : JinjaCallable
{
    private readonly IReadOnlyList<object?> _items;
    private readonly Func<JinjaContext, object?, int, string>? _recurse;
    private object?[]? _lastChanged;

    public JinjaLoop(IReadOnlyList<object?> items, int depth0, Func<JinjaContext, object?, int, string>? recurse)
    {
        _items = items;
        Depth0 = depth0;
        _recurse = recurse;
    }

    public override string Name => "loop";

    public int Index0 { get; set; }

    public int Length => _items.Count;

    public int Depth0 { get; }

    public object? GetAttribute(string name) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(Length - Index0),
        "revindex0" => (long)(Length - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == Length - 1,
        "length" => (long)Length,
        "depth" => (long)Depth0 + 1,
        "depth0" => (long)Depth0,
        "previtem" => Index0 > 0 ? _items[Index0 - 1] : JinjaUndefined.WithHint("there is no previous item"),
        "nextitem" => Index0 + 1 < Length ? _items[Index0 + 1] : JinjaUndefined.WithHint("there is no next item"),
        "cycle" => new JinjaFunction("cycle", (_, args) => Cycle(args)),
        "changed" => new JinjaFunction("changed", (_, args) => Changed(args)),
        _ => JinjaUndefined.Attribute(this, name),
    };

    public override object? Invoke(JinjaContext context, JinjaArguments arguments)
    {
        if (_recurse is null)
        {
            throw new TemplateException("loop() can only be called inside a loop marked 'recursive'");
        }

        var values = arguments.Bind("loop", ["iterable"]);
        return _recurse(context, values[0], Depth0 + 1);
    }

    private object? Cycle(JinjaArguments args)
    {
        args.NoNamed("cycle");
        return args.Positional.Count == 0
            ? throw new TemplateException("no items for cycling given")
            : args.Positional[Index0 % args.Positional.Count];
    }

    private bool Changed(JinjaArguments args)
    {
        args.NoNamed("changed");
        var values = args.Positional.ToArray();
        if (_lastChanged is not null && JinjaOps.AreEqual(_lastChanged, values))
        {
            return false;
        }

        _lastChanged = values;
        return true;
    }
}
