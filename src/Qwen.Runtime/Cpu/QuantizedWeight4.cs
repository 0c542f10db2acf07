using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>
/// The 4-bit weight format of <see cref="ModelDType.Int4"/>: blocks of 32 weights, each weight a 4-bit code n in [0, 15]
/// standing for (n - 8) · d with one bfloat16 scale d per block, as llama.cpp's Q4_0 does (which keeps an f16 scale).
/// </summary>
/// <remarks>
/// <para>
/// A matrix [rows, cols] is a torch <c>uint8</c> tensor [rows, <see cref="RowBytes"/>(cols)]. Blocks go in fours (a quad,
/// 128 weights): the 64 bytes of quad q hold weight j of its first 64 weights (blocks 4q and 4q + 1) in the low nibble of
/// byte j and weight 64 + j (blocks 4q + 2 and 4q + 3) in the high nibble, so one 64-byte load, a mask and a shift give
/// 128 consecutive codes (a row whose blocks are not a multiple of four ends with all-zero blocks). The quads' bytes come
/// first, then every block's bf16 scale, then zero padding up to a multiple of 64 bytes.
/// </para>
/// <para>
/// The scale of a block is d = m / -8, where m is its weight of largest magnitude (so m itself is code 0), with |d|
/// rounded <em>up</em> to bfloat16; codes are round(w / d) + 8, clamped to [0, 15]. Every weight is within half a step
/// of its value but for the largest positive ones of a block whose extreme is negative, which clip at 7 · |d|, as in
/// Q4_0. That is 0.5625 bytes a weight.
/// </para>
/// </remarks>
internal static unsafe class QuantizedWeight4
{
    /// <summary>Weights per block (one scale each).</summary>
    public const int BlockSize = QuantizedWeight.BlockSize;

    /// <summary>The torch dtype that marks a packed 4-bit matrix.</summary>
    public const ScalarType StorageType = ScalarType.Byte;

    /// <summary>Weights per quad (four blocks, 64 bytes of codes).</summary>
    public const int QuadSize = 4 * BlockSize;

    /// <summary>The number of quads of a row of <paramref name="cols"/> weights.</summary>
    public static int Quads(long cols) => (QuantizedWeight.Blocks(cols) + 3) / 4;

    /// <summary>The bytes of one packed row of <paramref name="cols"/> weights: codes, scales (one per block of every quad), padding to 64.</summary>
    public static long RowBytes(long cols)
    {
        var quads = Quads(cols);
        return ((quads * (64L + 8L)) + 63) & ~63L;
    }

    /// <summary>The bf16 scales of a packed row (4 × <see cref="Quads"/> of them; those of the padding blocks are 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort* Scales(byte* row, int cols) => (ushort*)(row + ((long)Quads(cols) * 64));

    /// <summary>Quantizes <paramref name="rows"/> float rows of <paramref name="cols"/> (contiguous) into packed rows starting at <paramref name="destination"/>.</summary>
    public static void QuantizeRows(float* source, byte* destination, long rows, int cols)
    {
        var rowBytes = RowBytes(cols);
        for (long r = 0; r < rows; r++)
        {
            QuantizeRow(source + (r * cols), destination + (r * rowBytes), cols);
        }
    }

    /// <summary>Quantizes one row into its packed form (codes, bf16 scales, zero padding).</summary>
    public static void QuantizeRow(float* source, byte* row, int cols)
    {
        var blocks = QuantizedWeight.Blocks(cols);
        var quads = Quads(cols);
        var scales = Scales(row, cols);
        var block = stackalloc float[BlockSize];
        var codes = stackalloc byte[QuadSize];
        for (var q = 0; q < quads; q++)
        {
            for (var k = 0; k < 4; k++)
            {
                scales[(4 * q) + k] = QuantizeBlock(BlockOf(source, cols, (4 * q) + k, blocks, block), codes + (k * BlockSize));
            }

            var packed = row + (q * 64L);
            for (var j = 0; j < 64; j++)
            {
                packed[j] = (byte)(codes[j] | (codes[64 + j] << 4));
            }
        }

        var used = quads * 72L;
        new Span<byte>(row + used, (int)(RowBytes(cols) - used)).Clear();
    }

    /// <summary>Dequantizes one packed row into <paramref name="cols"/> floats.</summary>
    public static void DequantizeRow(byte* row, float* destination, int cols)
    {
        var scales = Scales(row, cols);
        for (var i = 0; i < cols; i++)
        {
            destination[i] = Weight(row, scales, i);
        }
    }

    /// <summary>Dequantizes one packed row into <paramref name="cols"/> bfloat16 values (rounded to nearest even).</summary>
    public static void DequantizeRowBf16(byte* row, ushort* destination, int cols)
    {
        var scales = Scales(row, cols);
        var i = 0;
        if (Avx512BW.IsSupported)
        {
            // A quad's 64 bytes: low nibbles are weights 0-63, high nibbles 64-127; 16 weights to float per step.
            var mask = Vector128.Create((byte)0x0F);
            var eight = Vector512.Create(8);
            for (var q = 0; (q * QuadSize) + QuadSize <= cols; q++, i += QuadSize)
            {
                for (var part = 0; part < 4; part++)
                {
                    var bytes = Vector128.Load(row + (q * 64) + (part * 16));
                    var lo = Avx512F.ConvertToVector512Int32(bytes & mask) - eight;
                    var hi = Avx512F.ConvertToVector512Int32((bytes.AsUInt16() >> 4).AsByte() & mask) - eight;
                    var dLow = Vector512.Create(QuantizedWeight.Bf16(scales[(4 * q) + (part / 2)]));
                    var dHigh = Vector512.Create(QuantizedWeight.Bf16(scales[(4 * q) + 2 + (part / 2)]));
                    Avx512F.ConvertToVector256UInt16(QuantizedWeight.RoundToBf16(Avx512F.ConvertToVector512Single(lo) * dLow)).Store(destination + i + (part * 16));
                    Avx512F.ConvertToVector256UInt16(QuantizedWeight.RoundToBf16(Avx512F.ConvertToVector512Single(hi) * dHigh)).Store(destination + i + 64 + (part * 16));
                }
            }
        }

        for (; i < cols; i++)
        {
            var bits = BitConverter.SingleToUInt32Bits(Weight(row, scales, i));
            destination[i] = (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1)) >> 16);
        }
    }

    /// <summary>The code (0-15) of weight <paramref name="i"/> of a packed row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Code(byte* row, int i)
    {
        var inQuad = i % QuadSize;
        var b = row[((i / QuadSize) * 64) + (inQuad % 64)];
        return inQuad < 64 ? b & 0x0F : b >> 4;
    }

    private static float Weight(byte* row, ushort* scales, int i) => (Code(row, i) - 8) * QuantizedWeight.Bf16(scales[i / BlockSize]);

    /// <summary>Block <paramref name="b"/> of a row as 32 floats (zero-padded past the row's end), in <paramref name="buffer"/>.</summary>
    private static float* BlockOf(float* source, int cols, int b, int blocks, float* buffer)
    {
        var start = b * BlockSize;
        if (b < blocks && start + BlockSize <= cols)
        {
            return source + start;
        }

        new Span<float>(buffer, BlockSize).Clear();
        if (start < cols)
        {
            new ReadOnlySpan<float>(source + start, cols - start).CopyTo(new Span<float>(buffer, BlockSize));
        }

        return buffer;
    }

    /// <summary>Quantizes 32 values to codes in [0, 15]; returns the bf16 bits of the scale (0 for an all-zero or non-finite block, all codes 8).</summary>
    private static ushort QuantizeBlock(float* block, byte* codes)
    {
        var extreme = 0f;
        for (var j = 0; j < BlockSize; j++)
        {
            if (Math.Abs(block[j]) > Math.Abs(extreme))
            {
                extreme = block[j];
            }
        }

        // |d| rounded up to bf16, the sign kept: the extreme weight is then code 0 or just inside it.
        var raw = BitConverter.SingleToUInt32Bits(extreme / -8f);
        var up = (raw & 0xFFFFu) == 0 ? raw : (raw & 0xFFFF0000u) + 0x10000u;
        var bits = (ushort)(up >> 16);
        var scale = QuantizedWeight.Bf16(bits);
        if (scale == 0 || !float.IsFinite(scale))
        {
            new Span<byte>(codes, BlockSize).Fill(8);
            return 0;
        }

        var inverse = 1f / scale;
        for (var j = 0; j < BlockSize; j++)
        {
            codes[j] = (byte)Math.Clamp((int)MathF.Round(block[j] * inverse) + 8, 0, 15);
        }

        return bits;
    }
}
