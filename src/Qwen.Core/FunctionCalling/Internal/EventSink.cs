namespace Qwen.Core;

/// <summary>Collects a parser's events between two calls and remembers the kind of the last one across calls.</summary>
internal sealed class EventSink
{
    private readonly List<FunctionCallEvent> _events = [];

    /// <summary>Gets the type of the last event ever added, whatever the deltas were.</summary>
    public Type? LastKind { get; private set; }

    public void Add(FunctionCallEvent e)
    {
        _events.Add(e);
        LastKind = e.GetType();
    }

    public FunctionCallEvent[] Take()
    {
        if (_events.Count == 0)
        {
            return [];
        }

        var result = _events.ToArray();
        _events.Clear();
        return result;
    }
}
