namespace Qwen.Tools.Tests;

public sealed class ChartTests(InterpreterFixture fixture) : IClassFixture<InterpreterFixture>
{
    private static readonly (byte R, byte G, byte B) Blue = (31, 119, 180);
    private static readonly (byte R, byte G, byte B) Orange = (255, 127, 14);
    private readonly Qwen.Tools.CodeInterpreter _interpreter = fixture.Interpreter;

    [Fact]
    public async Task Plot_ClosingPrices_WritesAPngLineChartAndReturnsIt()
    {
        var session = TestInterpreters.NewSession();
        var folder = _interpreter.GetWorkDirectory(session);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "docs", "stock_prices.csv"), Path.Combine(folder, "stock_prices.csv"));

        var result = await _interpreter.ExecuteAsync(session, "const rows = readCsv('stock_prices.csv');\nplot.line(rows.map(r => r.Date), rows.map(r => r.Close), { title: 'Closing price', yLabel: 'USD' })");

        Assert.True(result.Succeeded, result.ToText());
        Assert.Equal("'chart-1.png'", result.Value);
        var image = Assert.Single(result.Images);
        Assert.Equal(Path.Combine(folder, "chart-1.png"), image.Path);
        Assert.Equal("image/png", image.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(image.Path), image.Data.ToArray());
        Assert.Contains($"[image: {image.Path}]", result.ToText(), StringComparison.Ordinal);

        var png = PngImage.Decode(image.Data.Span);
        Assert.Equal((800, 480), (png.Width, png.Height));
        Assert.Equal((255, 255, 255), png.Pixel(0, 0));

        // The line rises from the first close (73.91) to the highest (74.08) and falls to the lowest (73.70):
        // the highest blue pixel is in the second fifth of the plot, the lowest in the last.
        var blue = Points(png, Blue);
        Assert.True(blue.Count > 500);
        var highest = blue.MinBy(p => p.Y);
        var lowest = blue.MaxBy(p => p.Y);
        Assert.InRange(highest.X, 800 * 1 / 5, 800 * 2 / 5);
        Assert.InRange(lowest.X, 800 * 4 / 5, 800);
    }

    [Fact]
    public async Task Plot_BarsOfTwoNamedSeries_DrawsBothColoursAndALegend()
    {
        var result = await _interpreter.ExecuteAsync(TestInterpreters.NewSession(), "plot({ type: 'bar', x: ['a', 'b', 'c'], y: { north: [3, 5, 2], south: [1, 4, 6] }, file: 'sales', width: 400, height: 300 })");

        Assert.Equal("'sales.png'", result.Value);
        var png = PngImage.Decode(result.Images[0].Data.Span);
        Assert.Equal((400, 300), (png.Width, png.Height));
        var blue = png.Count(p => p == Blue);
        var orange = png.Count(p => p == Orange);
        Assert.True(blue > 1000 && orange > 1000, $"blue {blue}, orange {orange}");

        // south (1 + 4 + 6) covers more than north (3 + 5 + 2) does.
        Assert.True(orange > blue);
    }

    [Fact]
    public async Task Plot_ChineseTitleInTheWorker_DrawsGlyphsThatDifferFromBoxes()
    {
        // The worker process draws the chart: the embedded font must reach it, wherever Qwen.Tools is deployed.
        var chinese = await _interpreter.ExecuteAsync(fixture.SharedSession, "plot.line([1, 3, 2], { title: '月度销售额', file: 'zh', width: 400, height: 300 })");
        var boxes = await _interpreter.ExecuteAsync(fixture.SharedSession, "plot.line([1, 3, 2], { title: '\uE000\uE000\uE000\uE000\uE000', file: 'box', width: 400, height: 300 })");

        Assert.True(chinese.Succeeded, chinese.ToText());
        var zh = PngImage.Decode(chinese.Images[0].Data.Span);
        var box = PngImage.Decode(boxes.Images[0].Data.Span);
        var titleBand = 400 * 14 * 3;
        Assert.NotEqual(box.Rgb[..titleBand], zh.Rgb[..titleBand]);
        Assert.True(zh.Rgb[..titleBand].Count(b => b < 128) > 50);
    }

    [Fact]
    public async Task Plot_SeveralCharts_AreNumberedAndAllReturned()
    {
        var result = await _interpreter.ExecuteAsync(TestInterpreters.NewSession(), "plot.scatter([1, 2, 3], [3, 1, 2]); plot.line([5, 6, 7]); 'ok'");

        Assert.Equal(["chart-1.png", "chart-2.png"], result.Images.Select(i => Path.GetFileName(i.Path)));
    }

    [Theory]
    [InlineData("plot.line([1, 2, 3], [1, 2])", "plot.line: x has 3 values but y has 2; they must be equally long.")]
    [InlineData("plot({ type: 'pie', y: [1] })", "plot: 'type' must be 'line', 'bar' or 'scatter'; got 'pie'.")]
    [InlineData("plot({ title: 'nothing' })", "plot: there is nothing to draw; give 'y' (an array of numbers, or an object of named arrays) or 'series'.")]
    [InlineData("plot.line([null, NaN])", "plot.line: there is no point with a numeric x and y value to draw.")]
    [InlineData("plot.line([1, 2], { file: '../outside.png' })", "plot.line: '../outside.png' is outside the work directory; only files inside it can be used.")]
    [InlineData("plot.bar(['a'], [1], { width: 10 })", "plot.bar: 'width' must be a number of pixels from 200 to 4000.")]
    public async Task Plot_BadChartDescription_ThrowsAClearError(string code, string message)
    {
        var result = await _interpreter.ExecuteAsync(fixture.SharedSession, code);

        Assert.Equal(message, result.Error?.Message);
        Assert.Empty(result.Images);
    }

    [Fact]
    public void PngEncoder_SmallImage_DecodesToTheSamePixels()
    {
        var rgb = Enumerable.Range(0, 7 * 5 * 3).Select(i => (byte)(i * 37)).ToArray();

        var png = PngImage.Decode(PngEncoder.Encode(7, 5, rgb));

        Assert.Equal((7, 5), (png.Width, png.Height));
        Assert.Equal(rgb, png.Rgb);
    }

    [Fact]
    public void PngEncoder_EndChunk_CarriesTheKnownCrcOfIend()
    {
        var png = PngEncoder.Encode(1, 1, [0, 0, 0]);

        // The last 12 bytes are the IEND chunk: length 0, "IEND", CRC-32 0xAE426082.
        Assert.Equal([0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82], png[^12..]);
    }

    [Theory]
    [InlineData(0, 97, 5, 0, 100, 20)]
    [InlineData(73.7, 74.08, 4, 73.7, 74.1, 0.1)]
    [InlineData(-3, 3, 6, -3, 3, 1)]
    [InlineData(5, 5, 4, 4.5, 5.5, 0.5)]
    public void AxisTicks_For_ChoosesNiceSteps(double min, double max, int target, double expectedMin, double expectedMax, double expectedStep)
    {
        var ticks = AxisTicks.For(min, max, target);

        Assert.Equal(expectedMin, ticks.Min, 9);
        Assert.Equal(expectedMax, ticks.Max, 9);
        Assert.Equal(expectedStep, ticks.Step, 9);
    }

    [Fact]
    public void AxisTicks_Label_UsesTheStepsDecimalsAndShortensLargeValues()
    {
        Assert.Equal("73.80", new AxisTicks(73.7, 74.1, 0.05).Label(73.8));
        Assert.Equal("17.4M", new AxisTicks(17_300_000, 17_500_000, 100_000).Label(17_400_000));
        Assert.Equal("0", new AxisTicks(-10, 10, 5).Label(-1e-15));
    }

    private static List<(int X, int Y)> Points(PngImage png, (byte R, byte G, byte B) color)
    {
        var points = new List<(int X, int Y)>();
        for (var y = 0; y < png.Height; y++)
        {
            for (var x = 0; x < png.Width; x++)
            {
                if (png.Pixel(x, y) == color)
                {
                    points.Add((x, y));
                }
            }
        }

        return points;
    }
}
