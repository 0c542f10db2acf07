using System.Text;

namespace Qwen.Tools.Tests;

public sealed class ChartTextTests
{
    private const string Missing = "\uE000"; // a private-use character: no font has it, so it is drawn as the box

    private readonly ChartText _text = ChartText.Default;

    [Fact]
    public void Covers_CjkLatinCyrillicAndHangul_ButNotPrivateUse()
    {
        Assert.All(["中", "あ", "한", "A", "é", "Ж"], s => Assert.True(_text.Covers(Rune.GetRuneAt(s, 0)), s));
        Assert.False(_text.Covers(Rune.GetRuneAt(Missing, 0)));
    }

    [Theory]
    [InlineData("中")]
    [InlineData("销")]
    [InlineData("한")]
    [InlineData("é")]
    public void Draw_CoveredCharacter_DiffersFromTheBoxGlyph(string character)
    {
        var glyph = Draw(character);
        var box = Draw(Missing);

        Assert.NotEqual(box, glyph);
        Assert.True(Inked(glyph) > 10, $"{character} drew only {Inked(glyph)} pixels");
    }

    [Fact]
    public void Draw_DifferentIdeographs_DrawDifferentPixels()
    {
        Assert.NotEqual(Draw("中"), Draw("文"));
    }

    [Fact]
    public void Render_CjkTitle_DrawsItsGlyphsNotBoxes()
    {
        var cjk = TitleBand(Chart("销售额"));
        var boxes = TitleBand(Chart(Missing + Missing + Missing));
        var none = TitleBand(Chart(null));

        Assert.NotEqual(boxes, cjk);
        Assert.True(Inked(cjk) > 50, $"the title drew only {Inked(cjk)} pixels");
        Assert.Equal(0, Inked(none));
    }

    [Fact]
    public void Measure_WiderTextAndBiggerSize_MeasureWider()
    {
        Assert.True(_text.Measure("销售额", 12) > _text.Measure("销售", 12));
        Assert.True(_text.Measure("销售额", 18) > _text.Measure("销售额", 12));
        Assert.Equal(0, _text.Measure(string.Empty, 12));
    }

    [Fact]
    public void Fit_LongText_ShortensOnWholeCharactersWithinTheWidth()
    {
        var title = string.Concat(Enumerable.Repeat("销售额😀", 40));

        var fitted = _text.Fit(title, 200, 12);

        Assert.EndsWith("..", fitted);
        Assert.True(_text.Measure(fitted, 12) <= 200);
        Assert.DoesNotContain(fitted.EnumerateRunes(), r => r == Rune.ReplacementChar);
        Assert.False(char.IsHighSurrogate(fitted[^3]));
    }

    [Fact]
    public void Load_NotAFont_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => TrueTypeFont.Load("not a font at all, just text"u8.ToArray()));
        Assert.Throws<FormatException>(() => TrueTypeFont.Load(new byte[12]));
    }

    [Fact]
    public void Rasterize_Square_CoversItsInsideFullyAndItsOutsideNot()
    {
        // A 4x4 pixel square at scale 1, y up in font units.
        GlyphPoint[] square = [new(1, -1, true), new(1, -5, true), new(5, -5, true), new(5, -1, true)];

        var bitmap = GlyphRasterizer.Rasterize([square], 1);

        Assert.Equal((1, 1), (bitmap.Left, bitmap.Top));
        for (var y = 0; y < 4; y++)
        {
            for (var x = 0; x < 4; x++)
            {
                Assert.Equal(255, bitmap.Coverage[(y * bitmap.Width) + x]);
            }

            Assert.Equal(0, bitmap.Coverage[(y * bitmap.Width) + 4]);
        }
    }

    private static byte[] Draw(string text)
    {
        var canvas = new RasterCanvas(40, 30, Rgb.White);
        ChartText.Default.Draw(canvas, text, 4, 4, Rgb.Black, 20);
        return canvas.Pixels;
    }

    private static RasterCanvas Chart(string? title)
    {
        var spec = new ChartSpec { Title = title, Width = 400, Height = 300 };
        spec.Series.Add(new ChartSeries { Kind = ChartKind.Line, X = [0, 1, 2], Y = [1, 3, 2] });
        return ChartRenderer.Render(spec);
    }

    /// <summary>The rows above the plot, where only the title is drawn.</summary>
    private static byte[] TitleBand(RasterCanvas canvas) => canvas.Pixels[..(canvas.Width * 14 * 3)];

    private static int Inked(byte[] rgb) => rgb.Where((b, i) => i % 3 == 0 && b < 200).Count();
}
