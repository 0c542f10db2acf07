using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Qwen.Tools.Tests;

/// <summary>A small, independent PNG reader for checking the charts: chunk CRCs (bitwise), zlib, all five row filters.</summary>
internal sealed class PngImage
{
    private PngImage(int width, int height, byte[] rgb)
    {
        Width = width;
        Height = height;
        Rgb = rgb;
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Rgb { get; }

    public (byte R, byte G, byte B) Pixel(int x, int y)
    {
        var i = ((y * Width) + x) * 3;
        return (Rgb[i], Rgb[i + 1], Rgb[i + 2]);
    }

    public int Count(Func<(byte R, byte G, byte B), bool> predicate)
    {
        var count = 0;
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                count += predicate(Pixel(x, y)) ? 1 : 0;
            }
        }

        return count;
    }

    public static PngImage Decode(ReadOnlySpan<byte> file)
    {
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.True(file[..8].SequenceEqual(signature), "PNG signature");
        int width = 0, height = 0;
        using var compressed = new MemoryStream();
        var position = 8;
        while (position < file.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(file[position..]);
            var type = Encoding.ASCII.GetString(file.Slice(position + 4, 4));
            var data = file.Slice(position + 8, length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(file[(position + 8 + length)..]);
            Assert.Equal(BitwiseCrc32(file.Slice(position + 4, length + 4)), crc);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]);
                Assert.Equal(2, data[9]);
            }
            else if (type == "IDAT")
            {
                compressed.Write(data);
            }
            else if (type == "IEND")
            {
                break;
            }

            position += 12 + length;
        }

        compressed.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionMode.Decompress))
        {
            zlib.CopyTo(inflated);
        }

        var raw = inflated.ToArray();
        var stride = width * 3;
        Assert.Equal(height * (stride + 1), raw.Length);
        var rgb = new byte[height * stride];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            for (var x = 0; x < stride; x++)
            {
                int a = x >= 3 ? rgb[(y * stride) + x - 3] : 0;
                int b = y > 0 ? rgb[((y - 1) * stride) + x] : 0;
                int c = x >= 3 && y > 0 ? rgb[((y - 1) * stride) + x - 3] : 0;
                var value = raw[(y * (stride + 1)) + 1 + x];
                rgb[(y * stride) + x] = (byte)(filter switch
                {
                    0 => value,
                    1 => value + a,
                    2 => value + b,
                    3 => value + ((a + b) / 2),
                    4 => value + Paeth(a, b, c),
                    _ => throw new InvalidDataException($"filter {filter}"),
                });
            }
        }

        return new PngImage(width, height, rgb);
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
            }
        }

        return ~crc;
    }
}
