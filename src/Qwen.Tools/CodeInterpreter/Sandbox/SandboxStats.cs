using Jint;
using Jint.Native;
using Jint.Runtime.Descriptors;

namespace Qwen.Tools;

/// <summary>
/// The sandbox's <c>stats</c> object: count, sum, mean, median, min, max, variance, std, quantile, describe, corr, linreg.
/// Missing values (<c>null</c>, <c>undefined</c>, <c>NaN</c>, empty strings) are skipped, numeric strings count as numbers.
/// </summary>
internal static class SandboxStats
{
    public static void Install(SandboxContext context)
    {
        var stats = new JsObject(context.Engine);
        Unary(context, stats, "count", values => values.Length);
        Unary(context, stats, "sum", Statistics.Sum);
        Unary(context, stats, "mean", Statistics.Mean);
        Unary(context, stats, "median", Statistics.Median);
        Unary(context, stats, "min", Statistics.Min);
        Unary(context, stats, "max", Statistics.Max);
        Unary(context, stats, "variance", Statistics.Variance);
        Unary(context, stats, "std", Statistics.StandardDeviation);
        context.Define(stats, "quantile", 2, (_, args) =>
        {
            var q = args.At(1);
            if (!q.IsNumber() || q.AsNumber() is < 0 or > 1 || double.IsNaN(q.AsNumber()))
            {
                throw SandboxErrors.Range(context.Engine, "stats.quantile: 'q' must be a number from 0 to 1, such as 0.25.");
            }

            return Statistics.Quantile(Numbers(context, "stats.quantile", args.At(0), "values"), q.AsNumber());
        });
        context.Define(stats, "describe", 1, (_, args) => Describe(context, Numbers(context, "stats.describe", args.At(0), "values")));
        context.Define(stats, "corr", 2, (_, args) =>
        {
            var (x, y) = Pairs(context, "stats.corr", args);
            return Statistics.Correlation(x, y);
        });
        context.Define(stats, "linreg", 2, (_, args) =>
        {
            var (x, y) = Pairs(context, "stats.linreg", args);
            var (slope, intercept, r2) = Statistics.LinearRegression(x, y);
            var line = new JsObject(context.Engine);
            line.FastSetDataProperty("slope", slope);
            line.FastSetDataProperty("intercept", intercept);
            line.FastSetDataProperty("r2", r2);
            return line;
        });
        context.Engine.Global.FastSetProperty("stats", new PropertyDescriptor(stats, writable: true, enumerable: false, configurable: true));
    }

    /// <summary>The numbers of an array argument, missing values dropped.</summary>
    public static double[] Numbers(SandboxContext context, string function, JsValue array, string name)
    {
        var items = SandboxArguments.RequireArray(context.Engine, array, function, name, SandboxContext.MaxArrayLength);
        var numbers = new List<double>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (ToNumber(context, function, name, items[i], i) is { } number)
            {
                numbers.Add(number);
            }
        }

        return [.. numbers];
    }

    /// <summary>A value as a number, <see langword="null"/> when it is missing.</summary>
    public static double? ToNumber(SandboxContext context, string function, string name, JsValue item, int index)
    {
        if (item.IsNumber())
        {
            return double.IsNaN(item.AsNumber()) ? null : item.AsNumber();
        }

        if (item.IsNull() || item.IsUndefined() || (item.IsString() && item.AsString().Trim().Length == 0))
        {
            return null;
        }

        if (item.IsString() && CsvParser.TryNumber(item.AsString().Trim(), out var parsed))
        {
            return parsed;
        }

        var shown = JsValueFormatter.Format(item, quoteStrings: true, budget: 60);
        throw SandboxErrors.Type(context.Engine, $"{function}: {name}[{index}] is {shown}, not a number.");
    }

    private static void Unary(SandboxContext context, JsObject stats, string name, Func<double[], double> statistic) =>
        context.Define(stats, name, 1, (_, args) => statistic(Numbers(context, "stats." + name, args.At(0), "values")));

    private static JsObject Describe(SandboxContext context, double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        var empty = sorted.Length == 0;
        var summary = new JsObject(context.Engine);
        summary.FastSetDataProperty("count", sorted.Length);
        summary.FastSetDataProperty("mean", Statistics.Mean(sorted));
        summary.FastSetDataProperty("std", Statistics.StandardDeviation(sorted));
        summary.FastSetDataProperty("min", empty ? double.NaN : sorted[0]);
        summary.FastSetDataProperty("q1", empty ? double.NaN : Statistics.SortedQuantile(sorted, 0.25));
        summary.FastSetDataProperty("median", empty ? double.NaN : Statistics.SortedQuantile(sorted, 0.5));
        summary.FastSetDataProperty("q3", empty ? double.NaN : Statistics.SortedQuantile(sorted, 0.75));
        summary.FastSetDataProperty("max", empty ? double.NaN : sorted[^1]);
        return summary;
    }

    private static (double[] X, double[] Y) Pairs(SandboxContext context, string function, JsValue[] args)
    {
        var xs = SandboxArguments.RequireArray(context.Engine, args.At(0), function, "x", SandboxContext.MaxArrayLength);
        var ys = SandboxArguments.RequireArray(context.Engine, args.At(1), function, "y", SandboxContext.MaxArrayLength);
        if (xs.Count != ys.Count)
        {
            throw SandboxErrors.Range(context.Engine, $"{function}: x has {xs.Count} values but y has {ys.Count}; they must be equally long.");
        }

        var x = new List<double>(xs.Count);
        var y = new List<double>(ys.Count);
        for (var i = 0; i < xs.Count; i++)
        {
            if (ToNumber(context, function, "x", xs[i], i) is { } a && ToNumber(context, function, "y", ys[i], i) is { } b)
            {
                x.Add(a);
                y.Add(b);
            }
        }

        return ([.. x], [.. y]);
    }
}
