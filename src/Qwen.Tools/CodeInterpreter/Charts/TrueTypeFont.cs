using System.Buffers.Binary;

namespace Qwen.Tools;

/// <summary>
/// Reads what a renderer needs from a TrueType font (<c>.ttf</c>, or one face of a <c>.ttc</c> collection) with
/// <c>glyf</c> outlines: the character map, advance widths, vertical metrics and glyph outlines, composite glyphs included.
/// Hinting, kerning and shaping are not applied.
/// </summary>
internal sealed class TrueTypeFont
{
    private const int MaxCompositeDepth = 8;

    private readonly byte[] _data;
    private readonly int _cmap;
    private readonly int _cmapFormat;
    private readonly int _loca;
    private readonly int _glyf;
    private readonly int _glyfLength;
    private readonly int _hmtx;
    private readonly int _numberOfHMetrics;
    private readonly bool _longLoca;

    private TrueTypeFont(byte[] data, int face)
    {
        _data = data;
        var directory = 0;
        if (data.Length >= 12 && Tag(0) == "ttcf")
        {
            var faces = (int)U32(8);
            if (face < 0 || face >= faces)
            {
                throw new FormatException($"the font collection has {faces} faces; face {face} does not exist");
            }

            directory = (int)U32(12 + (4 * face));
        }

        var tables = new Dictionary<string, (int Offset, int Length)>(StringComparer.Ordinal);
        var count = U16(directory + 4);
        for (var i = 0; i < count; i++)
        {
            var record = directory + 12 + (16 * i);
            var offset = (int)U32(record + 8);
            var length = (int)U32(record + 12);
            if (offset < 0 || length < 0 || (long)offset + length > data.Length)
            {
                throw new FormatException($"the font's '{Tag(record)}' table lies outside the file");
            }

            tables[Tag(record)] = (offset, length);
        }

        foreach (var required in (string[])["head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap"])
        {
            if (!tables.ContainsKey(required))
            {
                throw new FormatException($"the font has no '{required}' table (only TrueType outlines are supported)");
            }
        }

        var head = tables["head"].Offset;
        UnitsPerEm = U16(head + 18);
        _longLoca = I16(head + 50) != 0;
        var hhea = tables["hhea"].Offset;
        Ascender = I16(hhea + 4);
        Descender = I16(hhea + 6);
        LineGap = I16(hhea + 8);
        _numberOfHMetrics = U16(hhea + 34);
        GlyphCount = U16(tables["maxp"].Offset + 4);
        _hmtx = tables["hmtx"].Offset;
        _loca = tables["loca"].Offset;
        (_glyf, _glyfLength) = tables["glyf"];
        (_cmap, _cmapFormat) = FindCharacterMap(tables["cmap"].Offset);
        if (UnitsPerEm == 0 || _numberOfHMetrics == 0)
        {
            throw new FormatException("the font's head or hhea table is invalid");
        }
    }

    /// <summary>Font units per em.</summary>
    public int UnitsPerEm { get; }

    /// <summary>Distance from the baseline to the top of the line, in font units (positive).</summary>
    public int Ascender { get; }

    /// <summary>Distance from the baseline to the bottom of the line, in font units (negative).</summary>
    public int Descender { get; }

    /// <summary>Extra space between lines, in font units.</summary>
    public int LineGap { get; }

    /// <summary>Number of glyphs in the face.</summary>
    public int GlyphCount { get; }

    /// <summary>Reads face <paramref name="face"/> of a font file's bytes.</summary>
    /// <exception cref="FormatException">The data is not a TrueType font with the tables a renderer needs.</exception>
    public static TrueTypeFont Load(byte[] data, int face = 0)
    {
        try
        {
            return new TrueTypeFont(data, face);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            throw new FormatException("the font file is truncated or corrupt", e);
        }
    }

    /// <summary>The glyph of <paramref name="codePoint"/>, or 0 (the missing glyph) when the font has none.</summary>
    public int GlyphIndex(int codePoint)
    {
        return _cmapFormat == 12 ? Format12(codePoint) : codePoint <= 0xFFFF ? Format4(codePoint) : 0;

        int Format12(int c)
        {
            var groups = (int)U32(_cmap + 12);
            int low = 0, high = groups - 1;
            while (low <= high)
            {
                var mid = (low + high) >>> 1;
                var group = _cmap + 16 + (12 * mid);
                if (c < U32(group))
                {
                    high = mid - 1;
                }
                else if (c > U32(group + 4))
                {
                    low = mid + 1;
                }
                else
                {
                    var glyph = (int)(U32(group + 8) + (uint)(c - (int)U32(group)));
                    return glyph < GlyphCount ? glyph : 0;
                }
            }

            return 0;
        }

        int Format4(int c)
        {
            var segments = U16(_cmap + 6) / 2;
            var ends = _cmap + 14;
            var starts = ends + (2 * segments) + 2;
            var deltas = starts + (2 * segments);
            var rangeOffsets = deltas + (2 * segments);
            int low = 0, high = segments - 1;
            while (low < high)
            {
                var mid = (low + high) >>> 1;
                if (U16(ends + (2 * mid)) < c)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }

            var start = U16(starts + (2 * low));
            if (c < start || c > U16(ends + (2 * low)))
            {
                return 0;
            }

            var delta = I16(deltas + (2 * low));
            var rangeOffset = U16(rangeOffsets + (2 * low));
            int glyph;
            if (rangeOffset == 0)
            {
                glyph = (c + delta) & 0xFFFF;
            }
            else
            {
                var at = rangeOffsets + (2 * low) + rangeOffset + (2 * (c - start));
                glyph = U16(at);
                glyph = glyph == 0 ? 0 : (glyph + delta) & 0xFFFF;
            }

            return glyph < GlyphCount ? glyph : 0;
        }
    }

    /// <summary>How far the pen moves after <paramref name="glyph"/>, in font units.</summary>
    public int AdvanceWidth(int glyph)
    {
        var metric = Math.Min(glyph, _numberOfHMetrics - 1);
        return U16(_hmtx + (4 * metric));
    }

    /// <summary>The closed contours of <paramref name="glyph"/> in font units (y up), each point marked on or off the curve.</summary>
    public List<GlyphPoint[]> Outline(int glyph)
    {
        var contours = new List<GlyphPoint[]>();
        AddOutline(glyph, contours, 1, 0, 0, 1, 0, 0, 0);
        return contours;
    }

    private void AddOutline(int glyph, List<GlyphPoint[]> contours, double a, double b, double c, double d, double dx, double dy, int depth)
    {
        if (glyph < 0 || glyph >= GlyphCount || depth > MaxCompositeDepth)
        {
            return;
        }

        var start = _longLoca ? (int)U32(_loca + (4 * glyph)) : U16(_loca + (2 * glyph)) * 2;
        var end = _longLoca ? (int)U32(_loca + (4 * glyph) + 4) : U16(_loca + (2 * glyph) + 2) * 2;
        if (end <= start || end > _glyfLength)
        {
            return; // an empty glyph, such as the space
        }

        var at = _glyf + start;
        var contourCount = I16(at);
        if (contourCount >= 0)
        {
            AddSimpleOutline(at, contourCount, contours, a, b, c, d, dx, dy);
            return;
        }

        // A composite glyph: other glyphs, each moved and possibly scaled.
        var p = at + 10;
        int flags;
        do
        {
            flags = U16(p);
            var component = U16(p + 2);
            p += 4;
            double offsetX, offsetY;
            if ((flags & 0x0001) != 0)
            {
                offsetX = I16(p);
                offsetY = I16(p + 2);
                p += 4;
            }
            else
            {
                offsetX = (sbyte)_data[p];
                offsetY = (sbyte)_data[p + 1];
                p += 2;
            }

            if ((flags & 0x0002) == 0)
            {
                // Arguments that are point numbers to match: rare in practice; the component stays in place.
                offsetX = offsetY = 0;
            }

            double ca = 1, cb = 0, cc = 0, cd = 1;
            if ((flags & 0x0008) != 0)
            {
                ca = cd = F2Dot14(p);
                p += 2;
            }
            else if ((flags & 0x0040) != 0)
            {
                ca = F2Dot14(p);
                cd = F2Dot14(p + 2);
                p += 4;
            }
            else if ((flags & 0x0080) != 0)
            {
                ca = F2Dot14(p);
                cb = F2Dot14(p + 2);
                cc = F2Dot14(p + 4);
                cd = F2Dot14(p + 6);
                p += 8;
            }

            // Compose: the component's transform first, then ours.
            AddOutline(
                component,
                contours,
                (a * ca) + (c * cb),
                (b * ca) + (d * cb),
                (a * cc) + (c * cd),
                (b * cc) + (d * cd),
                (a * offsetX) + (c * offsetY) + dx,
                (b * offsetX) + (d * offsetY) + dy,
                depth + 1);
        }
        while ((flags & 0x0020) != 0);
    }

    private void AddSimpleOutline(int at, int contourCount, List<GlyphPoint[]> contours, double a, double b, double c, double d, double dx, double dy)
    {
        if (contourCount == 0)
        {
            return;
        }

        var endPoints = new int[contourCount];
        for (var i = 0; i < contourCount; i++)
        {
            endPoints[i] = U16(at + 10 + (2 * i));
        }

        var pointCount = endPoints[^1] + 1;
        var p = at + 10 + (2 * contourCount);
        p += 2 + U16(p); // instructions

        var flags = new byte[pointCount];
        for (var i = 0; i < pointCount;)
        {
            var flag = _data[p++];
            flags[i++] = flag;
            if ((flag & 0x08) != 0)
            {
                for (var repeat = _data[p++]; repeat > 0 && i < pointCount; repeat--)
                {
                    flags[i++] = flag;
                }
            }
        }

        var xs = new int[pointCount];
        var ys = new int[pointCount];
        p = ReadCoordinates(p, flags, xs, 0x02, 0x10);
        ReadCoordinates(p, flags, ys, 0x04, 0x20);

        var first = 0;
        foreach (var last in endPoints)
        {
            if (last < first || last >= pointCount)
            {
                break;
            }

            var contour = new GlyphPoint[last - first + 1];
            for (var i = first; i <= last; i++)
            {
                contour[i - first] = new GlyphPoint((a * xs[i]) + (c * ys[i]) + dx, (b * xs[i]) + (d * ys[i]) + dy, (flags[i] & 0x01) != 0);
            }

            contours.Add(contour);
            first = last + 1;
        }
    }

    private int ReadCoordinates(int p, byte[] flags, int[] values, byte shortFlag, byte sameOrPositiveFlag)
    {
        var value = 0;
        for (var i = 0; i < flags.Length; i++)
        {
            var flag = flags[i];
            if ((flag & shortFlag) != 0)
            {
                var delta = _data[p++];
                value += (flag & sameOrPositiveFlag) != 0 ? delta : -delta;
            }
            else if ((flag & sameOrPositiveFlag) == 0)
            {
                value += I16(p);
                p += 2;
            }

            values[i] = value;
        }

        return p;
    }

    private (int Offset, int Format) FindCharacterMap(int cmap)
    {
        // Full Unicode (format 12) first, then the BMP map (format 4), from the Windows or the Unicode platform.
        (int Offset, int Format)? best = null;
        var count = U16(cmap + 2);
        for (var i = 0; i < count; i++)
        {
            var record = cmap + 4 + (8 * i);
            var platform = U16(record);
            var encoding = U16(record + 2);
            var offset = cmap + (int)U32(record + 4);
            var format = U16(offset);
            var unicode = platform == 0 || (platform == 3 && encoding is 1 or 10);
            if (unicode && format == 12)
            {
                return (offset, 12);
            }

            if (unicode && format == 4)
            {
                best ??= (offset, 4);
            }
        }

        return best ?? throw new FormatException("the font has no Unicode character map (cmap format 4 or 12)");
    }

    private string Tag(int at) => string.Create(4, (_data, at), static (span, state) =>
    {
        for (var i = 0; i < 4; i++)
        {
            span[i] = (char)state._data[state.at + i];
        }
    });

    private int U16(int at) => BinaryPrimitives.ReadUInt16BigEndian(_data.AsSpan(at, 2));

    private short I16(int at) => BinaryPrimitives.ReadInt16BigEndian(_data.AsSpan(at, 2));

    private uint U32(int at) => BinaryPrimitives.ReadUInt32BigEndian(_data.AsSpan(at, 4));

    private double F2Dot14(int at) => I16(at) / 16384.0;
}
