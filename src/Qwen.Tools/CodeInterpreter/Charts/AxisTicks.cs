using System.Globalization;

namespace Qwen.Tools;

/// <summary>"Nice" axis ticks (steps of 1, 2 or 5 times a power of ten) and their labels.</summary>
internal readonly record struct AxisTicks(double Min, double Max, double Step)
{
    /// <summary>Ticks covering [<paramref name="min"/>, <paramref name="max"/>] with about <paramref name="target"/> intervals.</summary>
    public static AxisTicks For(double min, double max, int target)
    {
        if (min == max)
        {
            var pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
            (min, max) = (min - pad, max + pad);
        }

        var step = NiceStep((max - min) / Math.Max(target, 1));
        return new AxisTicks(Math.Floor(min / step) * step, Math.Ceiling(max / step) * step, step);
    }

    public IEnumerable<double> Values()
    {
        var count = (int)Math.Round((Max - Min) / Step);
        for (var i = 0; i <= count; i++)
        {
            yield return Min + (i * Step);
        }
    }

    /// <summary>A tick label with as many decimals as the step needs, large values shortened with k, M, B.</summary>
    public string Label(double value)
    {
        var magnitude = Math.Max(Math.Abs(Min), Math.Abs(Max));
        var (scale, suffix) = magnitude switch
        {
            >= 1e9 => (1e9, "B"),
            >= 1e6 => (1e6, "M"),
            >= 1e4 => (1e3, "k"),
            _ => (1.0, string.Empty),
        };
        var decimals = Math.Clamp((int)Math.Ceiling(-Math.Log10(Step / scale) - 1e-9), 0, 10);
        var text = (value / scale).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return (text is "-0" || text.StartsWith("-0.", StringComparison.Ordinal) && text.Trim('-', '0', '.').Length == 0 ? text.TrimStart('-') : text) + suffix;
    }

    private static double NiceStep(double rough)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var fraction = rough / power;
        var nice = fraction switch
        {
            <= 1 => 1,
            <= 2 => 2,
            <= 5 => 5,
            _ => 10,
        };
        return nice * power;
    }
}
