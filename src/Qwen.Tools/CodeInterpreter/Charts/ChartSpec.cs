namespace Qwen.Tools;

/// <summary>The kind of mark a chart series is drawn with.</summary>
internal enum ChartKind
{
    Line,
    Bar,
    Scatter,
}

/// <summary>One series of a chart: its points and how to draw them.</summary>
internal sealed class ChartSeries
{
    public required ChartKind Kind { get; init; }

    public string? Label { get; init; }

    /// <summary>X positions: numbers, or category indexes when the chart has <see cref="ChartSpec.Categories"/>.</summary>
    public required double[] X { get; init; }

    /// <summary>Y values; <see cref="double.NaN"/> marks a missing point (a gap in a line).</summary>
    public required double[] Y { get; init; }
}

/// <summary>A chart to draw: series, optional category labels for the x axis, texts and size.</summary>
internal sealed class ChartSpec
{
    public const int DefaultWidth = 800;
    public const int DefaultHeight = 480;

    public List<ChartSeries> Series { get; } = [];

    /// <summary>Labels of the x axis's categories, when x values are text (dates, names); <see langword="null"/> for a numeric x axis.</summary>
    public string[]? Categories { get; set; }

    public string? Title { get; set; }

    public string? XLabel { get; set; }

    public string? YLabel { get; set; }

    public int Width { get; set; } = DefaultWidth;

    public int Height { get; set; } = DefaultHeight;
}
