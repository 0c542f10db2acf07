using System.Globalization;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;

namespace Qwen.Tools;

/// <summary>
/// The sandbox's <c>plot</c> function (with <c>plot.line</c>, <c>plot.bar</c>, <c>plot.scatter</c>): draws a chart
/// to a PNG file in the work directory and returns its path; the call's result carries the image.
/// </summary>
internal static class SandboxPlot
{
    private const int MaxSeries = 50;
    private const int MaxPoints = 1_000_000;

    public static void Install(SandboxContext context)
    {
        var plot = context.Define(context.Engine.Global, "plot", 1, (_, args) =>
        {
            var spec = SandboxArguments.OptionalObject(context.Engine, args, 0, "plot", "spec")
                ?? throw SandboxErrors.Type(context.Engine, "plot: pass a chart description, such as plot({ type: 'line', x: dates, y: prices, title: 'Close' }).");
            return Draw(context, "plot", spec, spec.Get("x"), spec.Get("y"), spec);
        });
        foreach (var kind in new[] { "line", "bar", "scatter" })
        {
            context.Define(plot, kind, 2, (_, args) =>
            {
                var function = "plot." + kind;

                // plot.line(values) and plot.line(values, options) draw values against their indexes.
                if (args.At(1).IsUndefined() || (args.At(2).IsUndefined() && args.At(1) is ObjectInstance second && !IsSeriesData(second)))
                {
                    var onlyOptions = SandboxArguments.OptionalObject(context.Engine, args, 1, function, "options");
                    return Draw(context, function, onlyOptions, JsValue.Undefined, args.At(0), onlyOptions, kind);
                }

                var options = SandboxArguments.OptionalObject(context.Engine, args, 2, function, "options");
                return Draw(context, function, options, args.At(0), args.At(1), options, kind);
            });
        }
    }

    private static JsValue Draw(SandboxContext context, string function, ObjectInstance? options, JsValue x, JsValue y, ObjectInstance? source, string? kind = null)
    {
        var engine = context.Engine;
        var spec = new ChartSpec
        {
            Title = Text(context, function, options, "title"),
            XLabel = Text(context, function, options, "xLabel"),
            YLabel = Text(context, function, options, "yLabel"),
            Width = Size(context, function, options, "width", ChartSpec.DefaultWidth, 200),
            Height = Size(context, function, options, "height", ChartSpec.DefaultHeight, 150),
        };
        var defaultKind = Kind(context, function, kind is null ? SandboxArguments.Option(source, "type") : kind);
        var categories = new List<string>();
        var categoryIndex = new Dictionary<string, int>(StringComparer.Ordinal);

        if (!y.IsUndefined())
        {
            var sharedX = x;
            if (y is ObjectInstance byLabel && y is not JsArray)
            {
                foreach (var (key, descriptor) in byLabel.GetOwnProperties())
                {
                    if (descriptor.Enumerable && !key.IsSymbol())
                    {
                        spec.Series.Add(Series(context, function, defaultKind, key.ToString(), sharedX, byLabel.Get(key), categories, categoryIndex));
                    }
                }
            }
            else
            {
                spec.Series.Add(Series(context, function, defaultKind, Text(context, function, options, "label"), sharedX, y, categories, categoryIndex));
            }
        }

        var series = SandboxArguments.Option(source, "series");
        if (!series.IsUndefined())
        {
            foreach (var item in SandboxArguments.RequireArray(engine, series, function, "series", MaxSeries + 1))
            {
                if (item is not ObjectInstance entry)
                {
                    throw SandboxErrors.Type(engine, $"{function}: each entry of 'series' must be an object such as {{ y: [...], label: 'name' }}.");
                }

                var entryX = entry.Get("x").IsUndefined() ? x : entry.Get("x");
                var entryKind = entry.Get("type").IsUndefined() ? defaultKind : Kind(context, function, entry.Get("type"));
                spec.Series.Add(Series(context, function, entryKind, Text(context, function, entry, "label"), entryX, entry.Get("y"), categories, categoryIndex));
            }
        }

        if (spec.Series.Count == 0)
        {
            throw SandboxErrors.Type(engine, $"{function}: there is nothing to draw; give 'y' (an array of numbers, or an object of named arrays) or 'series'.");
        }

        if (spec.Series.Count > MaxSeries || spec.Series.Sum(s => (long)s.Y.Length) > MaxPoints)
        {
            throw SandboxErrors.Range(engine, $"{function}: a chart may have at most {MaxSeries} series and {MaxPoints} points.");
        }

        if (categories.Count > 0)
        {
            spec.Categories = [.. categories];
        }

        byte[] png;
        try
        {
            png = ChartRenderer.RenderPng(spec);
        }
        catch (ArgumentException e)
        {
            throw SandboxErrors.Error(engine, $"{function}: {e.Message}.");
        }

        return Save(context, function, options, png);
    }

    private static ChartSeries Series(SandboxContext context, string function, ChartKind kind, string? label, JsValue x, JsValue y, List<string> categories, Dictionary<string, int> categoryIndex)
    {
        var engine = context.Engine;
        var yItems = SandboxArguments.RequireArray(engine, y, function, "y", MaxPoints);
        var ys = new double[yItems.Count];
        for (var i = 0; i < ys.Length; i++)
        {
            ys[i] = SandboxStats.ToNumber(context, function, "y", yItems[i], i) ?? double.NaN;
        }

        var xs = new double[ys.Length];
        if (x.IsUndefined() || x.IsNull())
        {
            for (var i = 0; i < xs.Length; i++)
            {
                xs[i] = i;
            }

            return new ChartSeries { Kind = kind, Label = label, X = xs, Y = ys };
        }

        var xItems = SandboxArguments.RequireArray(engine, x, function, "x", MaxPoints);
        if (xItems.Count != ys.Length)
        {
            throw SandboxErrors.Range(engine, $"{function}: x has {xItems.Count} values but y{(label is null ? string.Empty : $" ('{label}')")} has {ys.Length}; they must be equally long.");
        }

        var numeric = categories.Count == 0 && xItems.All(v => v.IsNumber() || v.IsNull() || v.IsUndefined());
        for (var i = 0; i < xs.Length; i++)
        {
            if (numeric)
            {
                xs[i] = xItems[i].IsNumber() ? xItems[i].AsNumber() : double.NaN;
                continue;
            }

            var name = Category(xItems[i]);
            if (!categoryIndex.TryGetValue(name, out var index))
            {
                index = categories.Count;
                categories.Add(name);
                categoryIndex[name] = index;
            }

            xs[i] = index;
        }

        return new ChartSeries { Kind = kind, Label = label, X = xs, Y = ys };
    }

    /// <summary>Whether an object is y data: an array, or named arrays (<c>{ north: [...], south: [...] }</c>) rather than options.</summary>
    private static bool IsSeriesData(ObjectInstance value)
    {
        if (value is JsArray)
        {
            return true;
        }

        var any = false;
        foreach (var (key, descriptor) in value.GetOwnProperties())
        {
            if (!descriptor.Enumerable || key.IsSymbol())
            {
                continue;
            }

            if (!descriptor.IsDataDescriptor() || descriptor.Value is not JsArray)
            {
                return false;
            }

            any = true;
        }

        return any;
    }

    private static string Category(JsValue value)
    {
        if (value is JsDate date && !double.IsNaN(date.DateValue))
        {
            var time = DateTimeOffset.FromUnixTimeMilliseconds((long)date.DateValue);
            return time.TimeOfDay == TimeSpan.Zero
                ? time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                : time.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        }

        return value.IsString() ? value.AsString() : JsValueFormatter.Format(value, quoteStrings: false, budget: 100);
    }

    private static ChartKind Kind(SandboxContext context, string function, JsValue type)
    {
        if (type.IsUndefined())
        {
            return ChartKind.Line;
        }

        return type.IsString() ? Kind(context, function, type.AsString()) : throw SandboxErrors.Type(context.Engine, $"{function}: 'type' must be 'line', 'bar' or 'scatter'.");
    }

    private static ChartKind Kind(SandboxContext context, string function, string type) => type switch
    {
        "line" => ChartKind.Line,
        "bar" => ChartKind.Bar,
        "scatter" => ChartKind.Scatter,
        _ => throw SandboxErrors.Type(context.Engine, $"{function}: 'type' must be 'line', 'bar' or 'scatter'; got '{type}'."),
    };

    private static string? Text(SandboxContext context, string function, ObjectInstance? options, string name)
    {
        var value = SandboxArguments.Option(options, name);
        if (value.IsUndefined() || value.IsNull())
        {
            return null;
        }

        return value.IsString() || value.IsNumber() ? TypeConverter.ToString(value) : throw SandboxErrors.Type(context.Engine, $"{function}: '{name}' must be a string.");
    }

    private static int Size(SandboxContext context, string function, ObjectInstance? options, string name, int fallback, int min)
    {
        var value = SandboxArguments.Option(options, name);
        if (value.IsUndefined())
        {
            return fallback;
        }

        if (!value.IsNumber() || value.AsNumber() < min || value.AsNumber() > 4000)
        {
            throw SandboxErrors.Range(context.Engine, $"{function}: '{name}' must be a number of pixels from {min} to 4000.");
        }

        return (int)value.AsNumber();
    }

    private static JsValue Save(SandboxContext context, string function, ObjectInstance? options, byte[] png)
    {
        var requested = Text(context, function, options, "file");
        string full;
        try
        {
            if (requested is null)
            {
                var number = 1;
                do
                {
                    full = context.Files.Resolve(string.Create(CultureInfo.InvariantCulture, $"chart-{number++}.png"));
                }
                while (File.Exists(full));
            }
            else
            {
                full = context.Files.Resolve(requested.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? requested : requested + ".png");
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or ArgumentException)
        {
            throw SandboxErrors.Error(context.Engine, $"{function}: {e.Message}");
        }

        context.ChargeWrite(function, png.Length);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, png);
        var relative = context.Files.Relative(full);
        context.Images.Add(relative);
        return relative;
    }
}
