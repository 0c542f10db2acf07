namespace Qwen.Core;

/// <summary>A slice <c>[start:stop:step]</c> as the subscript of a sequence, with Python's index arithmetic.</summary>
internal sealed record PySlice(long? Start, long? Stop, long? Step)
{
    /// <summary>The clamped <c>[from, to)</c> range of a step-1 slice over a sequence of <paramref name="length"/> items.</summary>
    public static (int From, int To) Bounds(int length, long? start, long? stop)
    {
        var from = Clamp(start ?? 0, length, 0, length);
        var to = Clamp(stop ?? length, length, 0, length);
        return ((int)from, (int)Math.Max(from, to));
    }

    /// <summary>The indices Python's <c>range(*slice.indices(length))</c> yields.</summary>
    public static IEnumerable<int> Indices(int length, long? start, long? stop, long? step)
    {
        var s = step ?? 1;
        if (s == 0)
        {
            throw new TemplateException("slice step cannot be zero");
        }

        long lower = s > 0 ? 0 : -1;
        long upper = s > 0 ? length : length - 1;
        var from = start is null ? (s < 0 ? upper : lower) : Clamp(start.Value, length, lower, upper);
        var to = stop is null ? (s < 0 ? lower : upper) : Clamp(stop.Value, length, lower, upper);
        for (var i = from; s > 0 ? i < to : i > to; i += s)
        {
            yield return (int)i;
        }
    }

    /// <summary>Applies the slice to a list or tuple.</summary>
    public List<object?> Apply(IReadOnlyList<object?> items)
    {
        if ((Step ?? 1) == 1)
        {
            var (from, to) = Bounds(items.Count, Start, Stop);
            var result = new List<object?>(to - from);
            for (var i = from; i < to; i++)
            {
                result.Add(items[i]);
            }

            return result;
        }

        return [.. Indices(items.Count, Start, Stop, Step).Select(i => items[i])];
    }

    private static long Clamp(long index, int length, long lower, long upper)
    {
        if (index < 0)
        {
            index += length;
            return index < lower ? lower : index;
        }

        return index > upper ? upper : index;
    }
}
