namespace Qwen.Tools;

/// <summary>
/// A rasterized glyph: <see cref="Coverage"/> holds one byte a pixel (0 empty, 255 covered), rows top to bottom; the bitmap's
/// top-left pixel lies <see cref="Left"/> pixels right of the pen and <see cref="Top"/> pixels below the baseline (negative: above).
/// </summary>
internal sealed record GlyphBitmap(int Width, int Height, int Left, int Top, byte[] Coverage)
{
    /// <summary>A glyph with nothing to draw, such as the space.</summary>
    public static GlyphBitmap Empty { get; } = new(0, 0, 0, 0, []);
}
