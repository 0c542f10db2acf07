using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>
/// The 8-bit weight format of <see cref="ModelDType.Int8"/>: each matrix row is cut into blocks of 32 weights, each block
/// stored as 32 signed bytes in [-127, 127] and one bfloat16 scale, as llama.cpp's Q8_0 does (which keeps an f16 scale).
/// </summary>
/// <remarks>
/// <para>
/// A matrix [rows, cols] is a torch <c>int8</c> tensor [rows, <see cref="RowBytes"/>(cols)]: every row holds its
/// <see cref="Blocks"/>(cols) × 32 quants (the last block zero-padded when cols is not a multiple of 32), then the
/// blocks' bf16 scales, then zero padding up to a multiple of 64 bytes, so every row starts on a cache line. Slicing
/// rows (the fused q/k/v and gate/up matrices are filled a projection at a time) therefore works as for a float matrix.
/// </para>
/// <para>
/// The scale of a block is max|w| / 127 rounded <em>up</em> to bfloat16, and the quants are computed with that stored
/// scale, so they never clip and each weight is off by at most half a step: |w - q·d| ≤ d / 2 with
/// d ≤ (max|w| / 127)(1 + 2⁻⁷). That is 1.0625 bytes a weight, the same as Q8_0.
/// </para>
/// </remarks>
internal static unsafe class QuantizedWeight
{
    /// <summary>Weights per block (one scale each).</summary>
    public const int BlockSize = 32;

    /// <summary>The torch dtype that marks a packed 8-bit matrix.</summary>
    public const ScalarType StorageType = ScalarType.Int8;

    /// <summary>The number of 32-weight blocks of a row of <paramref name="cols"/> weights.</summary>
    public static int Blocks(long cols) => (int)((cols + BlockSize - 1) / BlockSize);

    /// <summary>The bytes of one packed row of <paramref name="cols"/> weights: quants, scales, padding to 64.</summary>
    public static long RowBytes(long cols)
    {
        var blocks = Blocks(cols);
        return ((blocks * (BlockSize + 2L)) + 63) & ~63L;
    }

    /// <summary>Allocates a matrix: packed int8 when <paramref name="weightType"/> is <see cref="StorageType"/>, packed 4-bit when it is <see cref="QuantizedWeight4.StorageType"/>, else a plain [rows, cols] tensor.</summary>
    public static Tensor Allocate(long rows, long cols, ScalarType weightType, Device device) => weightType switch
    {
        StorageType => empty([rows, RowBytes(cols)], StorageType, device),
        QuantizedWeight4.StorageType => empty([rows, QuantizedWeight4.RowBytes(cols)], QuantizedWeight4.StorageType, device),
        _ => empty([rows, cols], weightType, device),
    };

    /// <summary>The bf16 scales of a packed row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort* Scales(sbyte* row, int cols) => (ushort*)(row + ((long)Blocks(cols) * BlockSize));

    /// <summary>A bfloat16 value's float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Bf16(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>Quantizes <paramref name="rows"/> float rows of <paramref name="cols"/> (contiguous) into packed rows starting at <paramref name="destination"/>.</summary>
    public static void QuantizeRows(float* source, sbyte* destination, long rows, int cols)
    {
        var rowBytes = RowBytes(cols);
        for (long r = 0; r < rows; r++)
        {
            QuantizeRow(source + (r * cols), destination + (r * rowBytes), cols);
        }
    }

    /// <summary>Quantizes one row into its packed form (quants, bf16 scales, zero padding).</summary>
    public static void QuantizeRow(float* source, sbyte* row, int cols)
    {
        var blocks = Blocks(cols);
        var scales = Scales(row, cols);
        var full = cols / BlockSize;
        for (var b = 0; b < full; b++)
        {
            scales[b] = QuantizeBlock(source + (b * BlockSize), row + (b * BlockSize), roundScaleToBf16: true, out _);
        }

        if (full < blocks)
        {
            var last = stackalloc float[BlockSize];
            new Span<float>(last, BlockSize).Clear();
            new ReadOnlySpan<float>(source + (full * BlockSize), cols - (full * BlockSize)).CopyTo(new Span<float>(last, BlockSize));
            scales[full] = QuantizeBlock(last, row + (full * BlockSize), roundScaleToBf16: true, out _);
        }

        var used = (long)blocks * (BlockSize + 2);
        new Span<byte>((byte*)row + used, (int)(RowBytes(cols) - used)).Clear();
    }

    /// <summary>
    /// Quantizes 32 values: the scale is max|v| / 127 (rounded up to bfloat16 when asked, and then also returned as
    /// its bits), and each quant is round-to-even(v / scale), clamped to [-127, 127] (a no-op but for the last ulp).
    /// </summary>
    public static ushort QuantizeBlock(float* block, sbyte* quants, bool roundScaleToBf16, out float scale)
    {
        var v0 = Vector256.Load(block);
        var v1 = Vector256.Load(block + 8);
        var v2 = Vector256.Load(block + 16);
        var v3 = Vector256.Load(block + 24);
        var maxes = Vector256.Max(Vector256.Max(Vector256.Abs(v0), Vector256.Abs(v1)), Vector256.Max(Vector256.Abs(v2), Vector256.Abs(v3)));
        var max = 0f;
        for (var i = 0; i < Vector256<float>.Count; i++)
        {
            max = Math.Max(max, maxes[i]);
        }

        ushort bits = 0;
        scale = max / 127f;
        if (roundScaleToBf16)
        {
            var raw = BitConverter.SingleToUInt32Bits(scale);
            var up = (raw & 0xFFFFu) == 0 ? raw : (raw & 0xFFFF0000u) + 0x10000u;
            bits = (ushort)(up >> 16);
            scale = Bf16(bits);
        }

        if (scale == 0 || !float.IsFinite(scale))
        {
            new Span<sbyte>(quants, BlockSize).Clear();
            scale = 0;
            return 0;
        }

        // v * (1 / d) may land a hair beyond 127 where v / d would not; the clamp makes that harmless.
        var inverse = Vector256.Create(1f / scale);
        var low = Vector256.Create(-127);
        var high = Vector256.Create(127);
        var q0 = Vector256.Clamp(Vector256.ConvertToInt32(Vector256.Round(v0 * inverse)), low, high);
        var q1 = Vector256.Clamp(Vector256.ConvertToInt32(Vector256.Round(v1 * inverse)), low, high);
        var q2 = Vector256.Clamp(Vector256.ConvertToInt32(Vector256.Round(v2 * inverse)), low, high);
        var q3 = Vector256.Clamp(Vector256.ConvertToInt32(Vector256.Round(v3 * inverse)), low, high);
        var words0 = Vector256.Narrow(q0, q1);
        var words1 = Vector256.Narrow(q2, q3);
        Vector256.Narrow(words0, words1).Store(quants);
        return bits;
    }

    /// <summary>Dequantizes one packed row into <paramref name="cols"/> floats.</summary>
    public static void DequantizeRow(sbyte* row, float* destination, int cols)
    {
        var scales = Scales(row, cols);
        for (var b = 0; b < Blocks(cols); b++)
        {
            var scale = Bf16(scales[b]);
            var start = b * BlockSize;
            var end = Math.Min(cols, start + BlockSize);
            for (var i = start; i < end; i++)
            {
                destination[i] = row[i] * scale;
            }
        }
    }

    /// <summary>Dequantizes one packed row into <paramref name="cols"/> bfloat16 values (rounded to nearest even).</summary>
    public static void DequantizeRowBf16(sbyte* row, ushort* destination, int cols)
    {
        var scales = Scales(row, cols);
        var blocks = Blocks(cols);
        var b = 0;
        if (Avx512BW.IsSupported)
        {
            // Sign-extend 16 quants to int32, to float, scale, round to bf16, keep the high halves: 16 lanes at a time.
            for (; b < cols / BlockSize; b++)
            {
                var scale = Vector512.Create(Bf16(scales[b]));
                var q = row + (b * BlockSize);
                var lo = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(q))) * scale;
                var hi = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Vector128.Load(q + 16))) * scale;
                Avx512F.ConvertToVector256UInt16(RoundToBf16(lo)).Store(destination + (b * BlockSize));
                Avx512F.ConvertToVector256UInt16(RoundToBf16(hi)).Store(destination + (b * BlockSize) + 16);
            }
        }

        for (; b < blocks; b++)
        {
            var scale = Bf16(scales[b]);
            var end = Math.Min(cols, (b + 1) * BlockSize);
            for (var i = b * BlockSize; i < end; i++)
            {
                var bits = BitConverter.SingleToUInt32Bits(row[i] * scale);
                destination[i] = (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1)) >> 16);
            }
        }
    }

    /// <summary>The bfloat16 bits (in the low half of each lane) of finite floats, rounded to nearest even.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<uint> RoundToBf16(Vector512<float> v)
    {
        var bits = v.AsUInt32();
        return (bits + Vector512.Create(0x7FFFu) + ((bits >> 16) & Vector512<uint>.One)) >> 16;
    }
}
