namespace Qwen.Core;

/// <summary>A Python <c>dict</c>: insertion-ordered, with Python's key equality (<c>1 == 1.0 == True</c>).</summary>
internal sealed class JinjaDict : OrderedDictionary<object, object?>
{
    public JinjaDict()
        : base(JinjaKeyComparer.Instance)
    {
    }

    public JinjaDict(int capacity)
        : base(capacity, JinjaKeyComparer.Instance)
    {
    }

    /// <summary>Checks that <paramref name="key"/> can be a dict key (Python's hashable values).</summary>
    public static object CheckKey(object? key)
    {
        switch (key)
        {
            case null:
                throw new TemplateException("None cannot be a dict key here");
            case string or long or double or bool:
                return key;
            case object?[] tuple:
                foreach (var item in tuple)
                {
                    if (item is not null)
                    {
                        CheckKey(item);
                    }
                }

                return tuple;
            default:
                throw new TemplateException($"unhashable type: '{JinjaOps.TypeName(key)}'");
        }
    }
}

/// <summary>Python's equality and hashing for dict keys.</summary>
internal sealed class JinjaKeyComparer : IEqualityComparer<object>
{
    public static readonly JinjaKeyComparer Instance = new();

    public new bool Equals(object? x, object? y) => JinjaOps.AreEqual(x, y);

    public int GetHashCode(object obj) => obj switch
    {
        string s => s.GetHashCode(StringComparison.Ordinal),
        bool b => (b ? 1L : 0L).GetHashCode(),
        long l => l.GetHashCode(),
        double d when d == Math.Floor(d) && Math.Abs(d) < 9.2e18 => ((long)d).GetHashCode(),
        double d => d.GetHashCode(),
        object?[] tuple => tuple.Aggregate(17, (hash, item) => (hash * 31) + (item is null ? 0 : GetHashCode(item))),
        _ => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj),
    };
}
