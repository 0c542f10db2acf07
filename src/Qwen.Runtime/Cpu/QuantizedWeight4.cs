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
/// A matrix [rows, cols] is a torch <c>uint8</c> tensor [rows, <see cref="RowBytes"/>(cols)]. Blocks go in pairs: the
/// 32 bytes of pair p hold weight j of block 2p in the low nibble of byte j and weight j of block 2p + 1 in its high
/// nibble, so one 32-byte load gives 64 consecutive weights (an odd last block is paired with an all-zero one). The
/// pairs' bytes come first, then every block's bf16 scale, then zero padding up to a multiple of 64 bytes.
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

    /// <summary>The number of block pairs (32 bytes each) of a row of <paramref name="cols"/> weights.</summary>
    public static int Pairs(long cols) => (QuantizedWeight.Blocks(cols) + 1) / 2;

    /// <summary>The bytes of one packed row of <paramref name="cols"/> weights: codes, scales (one per block of every pair), padding to 64.</summary>
    public static long RowBytes(long cols)
    {
        var pairs = Pairs(cols);
        return ((pairs * (32L + 4L)) + 63) & ~63L;
    }

    /// <summary>The bf16 scales of a packed row (2 × <see cref="Pairs"/> of them; an odd row's last one is 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort* Scales(byte* row, int cols) => (ushort*)(row + ((long)Pairs(cols) * 32));

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
        var pairs = Pairs(cols);
        var scales = Scales(row, cols);
        var block = stackalloc float[BlockSize];
        var low = stackalloc byte[BlockSize];
        var high = stackalloc byte[BlockSize];
        for (var p = 0; p < pairs; p++)
        {
            scales[2 * p] = QuantizeBlock(BlockOf(source, cols, 2 * p, blocks, block), low);
            scales[(2 * p) + 1] = QuantizeBlock(BlockOf(source, cols, (2 * p) + 1, blocks, block), high);
            var codes = row + (p * 32L);
            for (var j = 0; j < BlockSize; j++)
            {
                codes[j] = (byte)(low[j] | (high[j] << 4));
            }
        }

        var used = pairs * 36L;
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
            // A pair's 32 bytes: low nibbles are block 2p, high nibbles block 2p + 1; 16 weights to float per step.
            var mask = Vector128.Create((byte)0x0F);
            var eight = Vector512.Create(8);
            for (var p = 0; (p * 64) + 64 <= cols; p++, i += 64)
            {
                var bytes = Vector256.Load(row + (p * 32));
                var d0 = Vector512.Create(QuantizedWeight.Bf16(scales[2 * p]));
                var d1 = Vector512.Create(QuantizedWeight.Bf16(scales[(2 * p) + 1]));
                for (var half = 0; half < 2; half++)
                {
                    var part = half == 0 ? bytes.GetLower() : bytes.GetUpper();
                    var lo = Avx512F.ConvertToVector512Int32(part & mask) - eight;
                    var hi = Avx512F.ConvertToVector512Int32((part.AsUInt16() >> 4).AsByte() & mask) - eight;
                    Avx512F.ConvertToVector256UInt16(QuantizedWeight.RoundToBf16(Avx512F.ConvertToVector512Single(lo) * d0)).Store(destination + i + (half * 16));
                    Avx512F.ConvertToVector256UInt16(QuantizedWeight.RoundToBf16(Avx512F.ConvertToVector512Single(hi) * d1)).Store(destination + i + 32 + (half * 16));
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
        var block = i / BlockSize;
        var b = row[((block / 2) * 32) + (i % BlockSize)];
        return (block & 1) == 0 ? b & 0x0F : b >> 4;
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
