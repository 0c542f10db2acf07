namespace Qwen.Tools;

/// <summary>An RGB pixel buffer with the few anti-aliased drawing operations charts need.</summary>
internal sealed class RasterCanvas
{
    public RasterCanvas(int width, int height, Rgb background)
    {
        Width = width;
        Height = height;
        Pixels = new byte[width * height * 3];
        FillRect(0, 0, width, height, background);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Rows top to bottom, three bytes (R, G, B) a pixel.</summary>
    public byte[] Pixels { get; }

    /// <summary>Fills the pixels from (<paramref name="x0"/>, <paramref name="y0"/>) up to, not including, (<paramref name="x1"/>, <paramref name="y1"/>).</summary>
    public void FillRect(int x0, int y0, int x1, int y1, Rgb color)
    {
        for (var y = Math.Max(y0, 0); y < Math.Min(y1, Height); y++)
        {
            for (var x = Math.Max(x0, 0); x < Math.Min(x1, Width); x++)
            {
                Blend(x, y, color, 1);
            }
        }
    }

    /// <summary>Draws a line <paramref name="width"/> pixels wide with round ends, anti-aliased.</summary>
    public void DrawLine(double x0, double y0, double x1, double y1, Rgb color, double width)
    {
        var reach = (width / 2) + 1;
        var dx = x1 - x0;
        var dy = y1 - y0;
        var lengthSquared = (dx * dx) + (dy * dy);
        for (var y = (int)Math.Floor(Math.Min(y0, y1) - reach); y <= (int)Math.Ceiling(Math.Max(y0, y1) + reach); y++)
        {
            for (var x = (int)Math.Floor(Math.Min(x0, x1) - reach); x <= (int)Math.Ceiling(Math.Max(x0, x1) + reach); x++)
            {
                // Coverage from the distance between the pixel's centre and the segment.
                double px = x + 0.5 - x0, py = y + 0.5 - y0;
                var t = lengthSquared == 0 ? 0 : Math.Clamp(((px * dx) + (py * dy)) / lengthSquared, 0, 1);
                var ex = px - (t * dx);
                var ey = py - (t * dy);
                var coverage = Math.Clamp((width / 2) + 0.5 - Math.Sqrt((ex * ex) + (ey * ey)), 0, 1);
                if (coverage > 0)
                {
                    Blend(x, y, color, coverage);
                }
            }
        }
    }

    /// <summary>Fills a circle, anti-aliased at its edge.</summary>
    public void FillCircle(double cx, double cy, double radius, Rgb color) => DrawLine(cx, cy, cx, cy, color, radius * 2);

    /// <summary>Mixes <paramref name="color"/> into the pixel at (<paramref name="x"/>, <paramref name="y"/>) with opacity
    /// <paramref name="alpha"/> (0 to 1); pixels outside the canvas are ignored.</summary>
    public void Blend(int x, int y, Rgb color, double alpha)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            return;
        }

        var i = ((y * Width) + x) * 3;
        Pixels[i] = Mix(Pixels[i], color.R, alpha);
        Pixels[i + 1] = Mix(Pixels[i + 1], color.G, alpha);
        Pixels[i + 2] = Mix(Pixels[i + 2], color.B, alpha);
    }

    private static byte Mix(byte under, byte over, double alpha) => (byte)Math.Round(under + ((over - under) * alpha));
}
