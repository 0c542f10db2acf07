namespace Qwen.Core;

/// <summary>
/// A Python generator or iterator, as Jinja's <c>map</c>, <c>select</c>, <c>reject</c>, <c>selectattr</c>, <c>rejectattr</c>, <c>batch</c>,
/// <c>unique</c>, <c>items</c> and <c>reverse</c> filters return: lazy, always truthy, without a length, and used up by the first loop over it.
/// </summary>
internal sealed class JinjaIterator(string typeName, Func<IEnumerable<object?>> source)
{
    private bool _consumed;

    public string TypeName { get; } = typeName;

    /// <summary>Runs the iterator: the items the first time, nothing after, as a Python generator.</summary>
    public List<object?> Drain()
    {
        if (_consumed)
        {
            return [];
        }

        _consumed = true;
        return [.. source()];
    }
}
