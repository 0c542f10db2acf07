using System.Collections.Concurrent;
using System.Text;

namespace Qwen.Tools;

/// <summary>
/// Measures and draws chart text in any script the chart font covers (Latin, Greek, Cyrillic, Chinese, Japanese, Korean):
/// WenQuanYi Micro Hei, embedded in this assembly, rasterized in managed code. A character the font lacks is drawn as a box.
/// </summary>
internal sealed class ChartText
{
    /// <summary>The name of the embedded font resource (see <c>CodeInterpreter/Charts/Fonts/README.md</c> for its license).</summary>
    public const string FontResource = "Qwen.Tools.Charts.wqy-microhei.ttc";

    private const int MaxCachedGlyphs = 4096;

    private static readonly Lazy<ChartText> LazyDefault = new(() => new ChartText(LoadEmbeddedFont()));

    private readonly TrueTypeFont _font;
    private readonly ConcurrentDictionary<(int Glyph, int Size), GlyphBitmap> _glyphs = new();

    public ChartText(TrueTypeFont font) => _font = font;

    /// <summary>Gets the chart text of the embedded font, loaded on first use.</summary>
    public static ChartText Default => LazyDefault.Value;

    /// <summary>The height of a line of text of <paramref name="size"/> pixels per em.</summary>
    public int LineHeight(int size) => (int)Math.Ceiling((_font.Ascender - _font.Descender) * Scale(size));

    /// <summary>The width in pixels of <paramref name="text"/> at <paramref name="size"/> pixels per em.</summary>
    public int Measure(string text, int size)
    {
        var width = 0.0;
        foreach (var rune in text.EnumerateRunes())
        {
            width += Advance(rune, size);
        }

        return (int)Math.Ceiling(width);
    }

    /// <summary>Whether the font has a glyph for <paramref name="rune"/> (else it is drawn as a box).</summary>
    public bool Covers(Rune rune) => _font.GlyphIndex(rune.Value) != 0;

    /// <summary>Draws <paramref name="text"/> with the top-left corner of its line at (<paramref name="x"/>, <paramref name="top"/>).</summary>
    public void Draw(RasterCanvas canvas, string text, int x, int top, Rgb color, int size) =>
        Draw(canvas, text, x, top, color, size, turned: false);

    /// <summary>Draws <paramref name="text"/> turned a quarter left (read bottom to top), the bottom-left corner of its line at
    /// (<paramref name="x"/>, <paramref name="bottom"/>).</summary>
    public void DrawUp(RasterCanvas canvas, string text, int x, int bottom, Rgb color, int size) =>
        Draw(canvas, text, x, bottom, color, size, turned: true);

    /// <summary>Shortens <paramref name="text"/> (line breaks become spaces) with a trailing "..", so that it fits in <paramref name="width"/> pixels.</summary>
    public string Fit(string text, int width, int size)
    {
        text = text.ReplaceLineEndings(" ");
        if (Measure(text, size) <= width)
        {
            return text;
        }

        var room = width - Measure("..", size);
        var kept = new StringBuilder();
        var used = 0.0;
        foreach (var rune in text.EnumerateRunes())
        {
            used += Advance(rune, size);
            if (used > room)
            {
                break;
            }

            kept.Append(rune.ToString());
        }

        return kept.Append("..").ToString();
    }

    private static TrueTypeFont LoadEmbeddedFont()
    {
        using var stream = typeof(ChartText).Assembly.GetManifestResourceStream(FontResource)
            ?? throw new InvalidOperationException($"The chart font '{FontResource}' is missing from {typeof(ChartText).Assembly.GetName().Name}.");
        var data = new byte[stream.Length];
        stream.ReadExactly(data);
        return TrueTypeFont.Load(data);
    }

    private void Draw(RasterCanvas canvas, string text, int x, int y, Rgb color, int size, bool turned)
    {
        var baseline = (int)Math.Round(_font.Ascender * Scale(size));
        var pen = 0.0;
        foreach (var rune in text.EnumerateRunes())
        {
            var origin = (int)Math.Round(pen);
            var glyph = _font.GlyphIndex(rune.Value);
            if (glyph == 0 && !Rune.IsWhiteSpace(rune) && !Rune.IsControl(rune))
            {
                DrawBox(canvas, x, y, origin, baseline, size, color, turned);
            }
            else if (glyph != 0)
            {
                var bitmap = Glyph(glyph, size);
                for (var row = 0; row < bitmap.Height; row++)
                {
                    for (var column = 0; column < bitmap.Width; column++)
                    {
                        var coverage = bitmap.Coverage[(row * bitmap.Width) + column];
                        if (coverage != 0)
                        {
                            Plot(canvas, x, y, origin + bitmap.Left + column, baseline + bitmap.Top + row, color, coverage / 255.0, turned);
                        }
                    }
                }
            }

            pen += Advance(rune, size);
        }
    }

    /// <summary>The box a missing character is drawn as: an em-wide rectangle outline standing on the baseline.</summary>
    private void DrawBox(RasterCanvas canvas, int x, int y, int origin, int baseline, int size, Rgb color, bool turned)
    {
        var width = Math.Max(3, (int)Math.Round(size * 0.6));
        var height = Math.Max(4, (int)Math.Round(size * 0.75));
        var left = origin + Math.Max(1, size / 10);
        for (var i = 0; i < width; i++)
        {
            Plot(canvas, x, y, left + i, baseline - height, color, 1, turned);
            Plot(canvas, x, y, left + i, baseline - 1, color, 1, turned);
        }

        for (var j = 0; j < height; j++)
        {
            Plot(canvas, x, y, left, baseline - height + j, color, 1, turned);
            Plot(canvas, x, y, left + width - 1, baseline - height + j, color, 1, turned);
        }
    }

    /// <summary>Blends one pixel of the text's own frame (right along the line, down across it) onto the canvas.</summary>
    private static void Plot(RasterCanvas canvas, int x, int y, int along, int across, Rgb color, double alpha, bool turned)
    {
        if (turned)
        {
            canvas.Blend(x + across, y - 1 - along, color, alpha);
        }
        else
        {
            canvas.Blend(x + along, y + across, color, alpha);
        }
    }

    private double Advance(Rune rune, int size)
    {
        var glyph = _font.GlyphIndex(rune.Value);
        if (glyph == 0 && !Rune.IsControl(rune))
        {
            return Rune.IsWhiteSpace(rune) ? _font.AdvanceWidth(_font.GlyphIndex(' ')) * Scale(size) : Math.Round(size * 0.8);
        }

        return glyph == 0 ? 0 : _font.AdvanceWidth(glyph) * Scale(size);
    }

    private GlyphBitmap Glyph(int glyph, int size)
    {
        if (_glyphs.TryGetValue((glyph, size), out var cached))
        {
            return cached;
        }

        if (_glyphs.Count >= MaxCachedGlyphs)
        {
            _glyphs.Clear();
        }

        return _glyphs.GetOrAdd((glyph, size), key => GlyphRasterizer.Rasterize(_font.Outline(key.Glyph), Scale(key.Size)));
    }

    private double Scale(int size) => size / (double)_font.UnitsPerEm;
}
