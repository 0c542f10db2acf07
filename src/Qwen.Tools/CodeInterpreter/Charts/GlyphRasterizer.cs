namespace Qwen.Tools;

/// <summary>
/// Turns glyph outlines into anti-aliased coverage bitmaps: quadratic curves are flattened into lines, and each line adds
/// its signed area to an accumulation buffer whose running sum is the coverage of each pixel (non-zero winding).
/// </summary>
internal static class GlyphRasterizer
{
    /// <summary>Rasterizes <paramref name="contours"/> (font units, y up) at <paramref name="scale"/> pixels per font unit.</summary>
    public static GlyphBitmap Rasterize(List<GlyphPoint[]> contours, double scale)
    {
        var lines = new List<(double X0, double Y0, double X1, double Y1)>();
        foreach (var contour in contours)
        {
            Flatten(contour, scale, lines);
        }

        if (lines.Count == 0)
        {
            return GlyphBitmap.Empty;
        }

        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (var (x0, y0, x1, y1) in lines)
        {
            minX = Math.Min(minX, Math.Min(x0, x1));
            maxX = Math.Max(maxX, Math.Max(x0, x1));
            minY = Math.Min(minY, Math.Min(y0, y1));
            maxY = Math.Max(maxY, Math.Max(y0, y1));
        }

        // One pixel of room on the right: a line's area may spill into the pixel after its last one.
        var left = (int)Math.Floor(minX);
        var top = (int)Math.Floor(minY);
        var width = (int)Math.Ceiling(maxX) - left + 1;
        var height = (int)Math.Ceiling(maxY) - top;
        if (width <= 0 || height <= 0 || (long)width * height > 4_000_000)
        {
            return GlyphBitmap.Empty;
        }

        var area = new float[(width * height) + 2];
        foreach (var (x0, y0, x1, y1) in lines)
        {
            AddLine(area, width, height, x0 - left, y0 - top, x1 - left, y1 - top);
        }

        var coverage = new byte[width * height];
        var sum = 0f;
        for (var i = 0; i < coverage.Length; i++)
        {
            sum += area[i];
            coverage[i] = (byte)Math.Round(Math.Min(1f, Math.Abs(sum)) * 255);
        }

        return new GlyphBitmap(width, height, left, top, coverage);
    }

    /// <summary>Adds the lines of one closed contour, in pixels with y down, to <paramref name="lines"/>.</summary>
    private static void Flatten(GlyphPoint[] contour, double scale, List<(double, double, double, double)> lines)
    {
        if (contour.Length < 2)
        {
            return;
        }

        // Start on the curve: at an on-curve point, or between two off-curve points (where TrueType implies one).
        var n = contour.Length;
        var first = Array.FindIndex(contour, p => p.OnCurve);
        var start = first >= 0 ? Pixel(contour[first]) : Mid(Pixel(contour[^1]), Pixel(contour[0]));
        var offset = first >= 0 ? first + 1 : 0;
        var count = first >= 0 ? n - 1 : n;

        var current = start;
        (double X, double Y)? control = null;
        for (var i = 0; i < count; i++)
        {
            var point = contour[(offset + i) % n];
            var p = Pixel(point);
            if (point.OnCurve)
            {
                if (control is { } c)
                {
                    AddCurve(current, c, p, lines);
                }
                else
                {
                    lines.Add((current.X, current.Y, p.X, p.Y));
                }

                current = p;
                control = null;
            }
            else
            {
                if (control is { } c)
                {
                    var mid = Mid(c, p);
                    AddCurve(current, c, mid, lines);
                    current = mid;
                }

                control = p;
            }
        }

        if (control is { } last)
        {
            AddCurve(current, last, start, lines);
        }
        else if (current != start)
        {
            lines.Add((current.X, current.Y, start.X, start.Y));
        }

        (double X, double Y) Pixel(GlyphPoint point) => (point.X * scale, -point.Y * scale);
    }

    private static (double X, double Y) Mid((double X, double Y) a, (double X, double Y) b) => ((a.X + b.X) / 2, (a.Y + b.Y) / 2);

    private static void AddCurve((double X, double Y) from, (double X, double Y) control, (double X, double Y) to, List<(double, double, double, double)> lines)
    {
        // Enough segments that the chords stay within about a tenth of a pixel of the curve.
        var deviation = Math.Abs(from.X - (2 * control.X) + to.X) + Math.Abs(from.Y - (2 * control.Y) + to.Y);
        var segments = Math.Clamp((int)Math.Ceiling(Math.Sqrt(deviation * 2.5)), 1, 32);
        var previous = from;
        for (var i = 1; i <= segments; i++)
        {
            var t = i / (double)segments;
            var u = 1 - t;
            var point = ((u * u * from.X) + (2 * u * t * control.X) + (t * t * to.X), (u * u * from.Y) + (2 * u * t * control.Y) + (t * t * to.Y));
            lines.Add((previous.X, previous.Y, point.Item1, point.Item2));
            previous = point;
        }
    }

    /// <summary>Adds the signed area a line covers to each pixel of its rows (x within [0, width - 1], any y).</summary>
    private static void AddLine(float[] area, int width, int height, double x0, double y0, double x1, double y1)
    {
        if (y0 == y1)
        {
            return;
        }

        double direction = 1;
        if (y0 > y1)
        {
            direction = -1;
            (x0, y0, x1, y1) = (x1, y1, x0, y0);
        }

        var dxdy = (x1 - x0) / (y1 - y0);
        var x = Math.Clamp(y0 < 0 ? x0 - (y0 * dxdy) : x0, 0, width - 1);
        var yEnd = Math.Min(height, (int)Math.Ceiling(y1));
        for (var y = Math.Max(0, (int)Math.Floor(y0)); y < yEnd; y++)
        {
            var row = y * width;
            var dy = Math.Min(y + 1, y1) - Math.Max(y, y0);
            var xNext = Math.Clamp(x + (dxdy * dy), 0, width - 1);
            var d = dy * direction;
            var (xa, xb) = x < xNext ? (x, xNext) : (xNext, x);
            var xaFloor = Math.Floor(xa);
            var xai = (int)xaFloor;
            var xbCeil = Math.Ceiling(xb);
            var xbi = (int)xbCeil;
            if (xbi <= xai + 1)
            {
                // Within one pixel: split by where the line crosses it on average.
                var xm = (0.5 * (x + xNext)) - xaFloor;
                area[row + xai] += (float)(d - (d * xm));
                area[row + xai + 1] += (float)(d * xm);
            }
            else
            {
                var s = 1 / (xb - xa);
                var xaf = xa - xaFloor;
                var a0 = 0.5 * s * (1 - xaf) * (1 - xaf);
                var xbf = xb - xbCeil + 1;
                var am = 0.5 * s * xbf * xbf;
                area[row + xai] += (float)(d * a0);
                if (xbi == xai + 2)
                {
                    area[row + xai + 1] += (float)(d * (1 - a0 - am));
                }
                else
                {
                    var a1 = s * (1.5 - xaf);
                    area[row + xai + 1] += (float)(d * (a1 - a0));
                    for (var xi = xai + 2; xi < xbi - 1; xi++)
                    {
                        area[row + xi] += (float)(d * s);
                    }

                    var a2 = a1 + ((xbi - xai - 3) * s);
                    area[row + xbi - 1] += (float)(d * (1 - a2 - am));
                }

                area[row + xbi] += (float)(d * am);
            }

            x = xNext;
        }
    }
}
