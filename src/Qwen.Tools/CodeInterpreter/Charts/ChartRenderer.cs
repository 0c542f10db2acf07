namespace Qwen.Tools;

/// <summary>Draws a <see cref="ChartSpec"/> (line, bar and scatter series, axes with nice ticks, grid, legend, title) into a PNG image.</summary>
internal static class ChartRenderer
{
    private const int TickLength = 5;
    private const int Gap = 8;

    /// <summary>Pixels per em of tick labels, axis labels and the legend.</summary>
    private const int LabelSize = 12;

    /// <summary>Pixels per em of the title.</summary>
    private const int TitleSize = 18;

    public static byte[] RenderPng(ChartSpec spec)
    {
        var canvas = Render(spec);
        return PngEncoder.Encode(canvas.Width, canvas.Height, canvas.Pixels);
    }

    /// <exception cref="ArgumentException">The chart has no series or no finite point to draw.</exception>
    public static RasterCanvas Render(ChartSpec spec)
    {
        var points = spec.Series.SelectMany(s => s.X.Zip(s.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList();
        if (points.Count == 0)
        {
            throw new ArgumentException("there is no point with a numeric x and y value to draw");
        }

        var hasBars = spec.Series.Any(s => s.Kind == ChartKind.Bar);
        var font = ChartText.Default;
        var labelHeight = font.LineHeight(LabelSize);
        var canvas = new RasterCanvas(spec.Width, spec.Height, Rgb.White);

        var (yMin, yMax) = Padded(points.Min(p => p.Second), points.Max(p => p.Second));
        if (hasBars)
        {
            // Bars grow from zero: the axis starts there, with a margin only beyond their tips.
            yMin = points.Min(p => p.Second) >= 0 ? 0 : yMin;
            yMax = points.Max(p => p.Second) <= 0 ? 0 : yMax;
        }

        var top = spec.Title is null ? 16 : 10 + font.LineHeight(TitleSize) + Gap;
        var bottom = TickLength + 2 + labelHeight + Gap + (spec.XLabel is null ? 0 : labelHeight + Gap);
        var plotHeight = Math.Max(spec.Height - top - bottom, 20);
        var yTicks = AxisTicks.For(yMin, yMax, Math.Clamp(plotHeight / 60, 2, 10));
        var yLabels = yTicks.Values().Where(v => v >= yMin - (yTicks.Step * 1e-9) && v <= yMax + (yTicks.Step * 1e-9)).Select(v => (Value: v, Text: yTicks.Label(v))).ToList();
        var left = Gap + (spec.YLabel is null ? 0 : labelHeight + Gap) + yLabels.Max(l => font.Measure(l.Text, LabelSize)) + TickLength + 4;
        var right = 24;
        var plot = new PlotArea(left, top, Math.Max(spec.Width - right, left + 20), top + plotHeight);

        var spacing = BarSpacing(spec);
        double xMin, xMax;
        AxisTicks? xTicks = null;
        if (spec.Categories is { } categories)
        {
            (xMin, xMax) = (-0.5, categories.Length - 0.5);
        }
        else
        {
            (xMin, xMax) = hasBars
                ? (points.Min(p => p.First) - (spacing / 2), points.Max(p => p.First) + (spacing / 2))
                : Padded(points.Min(p => p.First), points.Max(p => p.First));
            xTicks = AxisTicks.For(xMin, xMax, Math.Clamp(plot.Width / 100, 2, 12));
        }

        var map = new Mapping(plot, xMin, xMax, yMin, yMax);

        foreach (var (value, text) in yLabels)
        {
            var y = (int)Math.Round(map.Y(value));
            canvas.FillRect(plot.Left, y, plot.Right, y + 1, Rgb.Grid);
            canvas.FillRect(plot.Left - TickLength, y, plot.Left, y + 1, Rgb.Black);
            font.Draw(canvas, text, plot.Left - TickLength - 3 - font.Measure(text, LabelSize), y - (labelHeight / 2), Rgb.Text, LabelSize);
        }

        var labelTop = plot.Bottom + TickLength + 2;
        if (spec.Categories is { } names)
        {
            DrawCategoryLabels(canvas, font, map, plot, names, labelTop);
        }
        else
        {
            foreach (var value in xTicks!.Value.Values().Where(v => v >= xMin - 1e-9 && v <= xMax + 1e-9))
            {
                var x = (int)Math.Round(map.X(value));
                var text = xTicks.Value.Label(value);
                canvas.FillRect(x, plot.Top, x + 1, plot.Bottom, Rgb.Grid);
                canvas.FillRect(x, plot.Bottom, x + 1, plot.Bottom + TickLength, Rgb.Black);
                font.Draw(canvas, text, x - (font.Measure(text, LabelSize) / 2), labelTop, Rgb.Text, LabelSize);
            }
        }

        DrawSeries(canvas, spec, map, spacing);
        canvas.FillRect(plot.Left, plot.Top, plot.Left + 1, plot.Bottom + 1, Rgb.Black);
        canvas.FillRect(plot.Left, plot.Bottom, plot.Right + 1, plot.Bottom + 1, Rgb.Black);
        DrawLegend(canvas, font, spec, plot);

        if (spec.Title is { } title)
        {
            var fitted = font.Fit(title, spec.Width - 20, TitleSize);
            font.Draw(canvas, fitted, (spec.Width - font.Measure(fitted, TitleSize)) / 2, 8, Rgb.Black, TitleSize);
        }

        if (spec.XLabel is { } xLabel)
        {
            var fitted = font.Fit(xLabel, plot.Width, LabelSize);
            font.Draw(canvas, fitted, plot.Left + ((plot.Width - font.Measure(fitted, LabelSize)) / 2), labelTop + labelHeight + Gap, Rgb.Black, LabelSize);
        }

        if (spec.YLabel is { } yLabel)
        {
            var fitted = font.Fit(yLabel, plot.Height, LabelSize);
            font.DrawUp(canvas, fitted, Gap, plot.Top + ((plot.Height + font.Measure(fitted, LabelSize)) / 2), Rgb.Black, LabelSize);
        }

        return canvas;
    }

    private static void DrawCategoryLabels(RasterCanvas canvas, ChartText font, Mapping map, PlotArea plot, string[] names, int labelTop)
    {
        var widest = names.Max(n => font.Measure(n, LabelSize));
        var slot = plot.Width / (double)names.Length;

        // Label every k-th category so that labels never overlap; long labels are shortened to their room.
        var every = Math.Max(1, (int)Math.Ceiling(Math.Min(widest + Gap, 120) / slot));
        var room = (int)(slot * every) - 4;
        for (var i = 0; i < names.Length; i += every)
        {
            var x = (int)Math.Round(map.X(i));
            var text = font.Fit(names[i], room, LabelSize);
            canvas.FillRect(x, plot.Bottom, x + 1, plot.Bottom + TickLength, Rgb.Black);
            font.Draw(canvas, text, x - (font.Measure(text, LabelSize) / 2), labelTop, Rgb.Text, LabelSize);
        }
    }

    private static void DrawSeries(RasterCanvas canvas, ChartSpec spec, Mapping map, double spacing)
    {
        var bars = spec.Series.Where(s => s.Kind == ChartKind.Bar).ToList();
        for (var index = 0; index < spec.Series.Count; index++)
        {
            var series = spec.Series[index];
            var color = Rgb.Palette[index % Rgb.Palette.Length];
            switch (series.Kind)
            {
                case ChartKind.Bar:
                    var width = spacing * 0.8 / bars.Count;
                    var offset = (-0.4 * spacing) + ((bars.IndexOf(series) + 0.5) * width);
                    var baseline = map.Y(Math.Clamp(0, map.YMin, map.YMax));
                    for (var i = 0; i < series.X.Length; i++)
                    {
                        if (double.IsFinite(series.X[i]) && double.IsFinite(series.Y[i]))
                        {
                            var x0 = map.X(series.X[i] + offset - (width / 2));
                            var x1 = map.X(series.X[i] + offset + (width / 2));
                            var y = map.Y(series.Y[i]);
                            canvas.FillRect((int)Math.Round(x0), (int)Math.Round(Math.Min(y, baseline)), Math.Max((int)Math.Round(x1), (int)Math.Round(x0) + 1), (int)Math.Round(Math.Max(y, baseline)), color);
                        }
                    }

                    break;
                case ChartKind.Line:
                    (double X, double Y)? previous = null;
                    for (var i = 0; i < series.X.Length; i++)
                    {
                        if (!double.IsFinite(series.X[i]) || !double.IsFinite(series.Y[i]))
                        {
                            previous = null;
                            continue;
                        }

                        var point = (map.X(series.X[i]), map.Y(series.Y[i]));
                        if (previous is { } from)
                        {
                            canvas.DrawLine(from.X, from.Y, point.Item1, point.Item2, color, 2);
                        }

                        if (series.X.Length <= 50)
                        {
                            canvas.FillCircle(point.Item1, point.Item2, 3, color);
                        }

                        previous = point;
                    }

                    break;
                default:
                    for (var i = 0; i < series.X.Length; i++)
                    {
                        if (double.IsFinite(series.X[i]) && double.IsFinite(series.Y[i]))
                        {
                            canvas.FillCircle(map.X(series.X[i]), map.Y(series.Y[i]), 3, color);
                        }
                    }

                    break;
            }
        }
    }

    private static void DrawLegend(RasterCanvas canvas, ChartText font, ChartSpec spec, PlotArea plot)
    {
        if (spec.Series.Count < 2 && spec.Series.All(s => s.Label is null))
        {
            return;
        }

        var labels = spec.Series.Select((s, i) => font.Fit(s.Label ?? $"series {i + 1}", 200, LabelSize)).ToList();
        var rowHeight = font.LineHeight(LabelSize) + 2;
        var width = labels.Max(l => font.Measure(l, LabelSize)) + 34;
        var height = (labels.Count * rowHeight) + 8;
        var y = plot.Top + 8;

        // The top corner where the legend hides the least of what is drawn already: right unless the data is higher there.
        var right = plot.Right - width - 8;
        var left = plot.Left + 8;
        var x = Ink(canvas, left, y, width, height) < Ink(canvas, right, y, width, height) ? left : right;
        canvas.FillRect(x, y, x + width, y + height, Rgb.White);
        canvas.FillRect(x, y, x + width, y + 1, Rgb.Grid);
        canvas.FillRect(x, y + height - 1, x + width, y + height, Rgb.Grid);
        canvas.FillRect(x, y, x + 1, y + height, Rgb.Grid);
        canvas.FillRect(x + width - 1, y, x + width, y + height, Rgb.Grid);
        for (var i = 0; i < labels.Count; i++)
        {
            var color = Rgb.Palette[i % Rgb.Palette.Length];
            var rowY = y + 4 + (i * rowHeight) + (rowHeight / 2) - 3;
            switch (spec.Series[i].Kind)
            {
                case ChartKind.Line:
                    canvas.DrawLine(x + 6, rowY + 3, x + 24, rowY + 3, color, 2);
                    break;
                case ChartKind.Bar:
                    canvas.FillRect(x + 9, rowY - 1, x + 21, rowY + 8, color);
                    break;
                default:
                    canvas.FillCircle(x + 15, rowY + 3, 3, color);
                    break;
            }

            font.Draw(canvas, labels[i], x + 30, rowY + 3 - (font.LineHeight(LabelSize) / 2), Rgb.Text, LabelSize);
        }
    }

    /// <summary>How many pixels of the rectangle are not background (white or grid).</summary>
    private static int Ink(RasterCanvas canvas, int x0, int y0, int width, int height)
    {
        var count = 0;
        for (var y = Math.Max(0, y0); y < Math.Min(canvas.Height, y0 + height); y++)
        {
            for (var x = Math.Max(0, x0); x < Math.Min(canvas.Width, x0 + width); x++)
            {
                var i = ((y * canvas.Width) + x) * 3;
                var (r, g, b) = (canvas.Pixels[i], canvas.Pixels[i + 1], canvas.Pixels[i + 2]);
                if (!(r == g && g == b && r >= Rgb.Grid.R))
                {
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>The data range with a 4% margin on each side, as plotting libraries leave, so no point sits on an axis.</summary>
    private static (double Min, double Max) Padded(double min, double max)
    {
        var margin = max > min ? (max - min) * 0.04 : Math.Max(Math.Abs(min) * 0.04, 0.5);
        return (min - margin, max + margin);
    }

    /// <summary>The x distance bars are spaced at: 1 between categories, else the smallest gap between distinct x values.</summary>
    private static double BarSpacing(ChartSpec spec)
    {
        if (spec.Categories is not null)
        {
            return 1;
        }

        var xs = spec.Series.Where(s => s.Kind == ChartKind.Bar).SelectMany(s => s.X).Where(double.IsFinite).Distinct().Order().ToArray();
        var gaps = xs.Zip(xs.Skip(1), (a, b) => b - a).Where(g => g > 0).ToArray();
        return gaps.Length == 0 ? 1 : gaps.Min();
    }

    private readonly record struct PlotArea(int Left, int Top, int Right, int Bottom)
    {
        public int Width => Right - Left;

        public int Height => Bottom - Top;
    }

    private readonly record struct Mapping(PlotArea Plot, double XMin, double XMax, double YMin, double YMax)
    {
        public double X(double x) => Plot.Left + ((x - XMin) / (XMax - XMin) * Plot.Width);

        public double Y(double y) => Plot.Bottom - ((y - YMin) / (YMax - YMin) * Plot.Height);
    }
}
