using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Qwen.Runtime;

/// <summary>The batched form of the integer kernel: a batched decode step's activation rows side by side in the lanes of one vector.</summary>
/// <remarks>
/// <para>
/// Row by row, every activation row pays the whole integer arithmetic of a product (the sign trick, <c>vpmaddubsw</c>,
/// <c>vpmaddwd</c>, a conversion and a scaled FMA per 64 weights), so 16 rows cost 16 times one. Here up to 16 rows
/// share each instruction instead: lane l of a vector belongs to activation row l, and a weight's few bytes are
/// broadcast to every lane. Each group of eight weight rows is widened once for all activation rows.
/// </para>
/// <para>
/// 8-bit weights are widened to int16 and the activations stored as int16 pairs of consecutive columns, [pair][row]:
/// one <c>vpmaddwd</c> adds two products to each of the 16 rows (<c>vpmaddubsw</c> would saturate: 2 · 127 · 255 with
/// unsigned activations). 4-bit codes stay bytes (0-15) and the activations are stored as int8 quads, [quad][row]: one
/// <c>vpmaddubsw</c> adds four products, and a block's eight of them are summed in int16 without saturation
/// (8 · 2 · 15 · 127 &lt; 2¹⁵) before one <c>vpmaddwd</c> against ones; each block's 8 · Σq comes off in int32.
/// A block's integer sum is exact either way, then converted once and scaled by the two scales, the activation's per lane.
/// </para>
/// <para>
/// The integer sums are the row-by-row kernel's; only the order of the float additions differs (a block's integer
/// sum is converted whole here, in parts there), so results agree to float rounding, not bit for bit.
/// </para>
/// </remarks>
internal sealed unsafe partial class Int8MatVec
{
    /// <summary>Activation rows in one vector of lanes.</summary>
    internal const int LaneRows = 16;

    /// <summary>From this many activation rows on (AVX-512), 8-bit weights go through the lanes kernel; below it the row-by-row kernel costs less (measured on the 0.5B shapes: 6 rows took 54 ms row by row, 75 ms in lanes).</summary>
    internal const int MinLaneRows8 = 9;

    /// <summary>From this many activation rows on, 4-bit weights go through the lanes kernel (6 rows: 65 ms row by row, 55 ms in lanes).</summary>
    internal const int MinLaneRows4 = 5;

    // Weight rows widened and multiplied together (the products keep eight accumulators).
    private const int WeightRowsPerStep = 8;

    // Eight weight rows widened (int16 weights, or 4-bit codes one a byte), one after another (see Widen).
    [ThreadStatic]
    private static short[]? t_wide;

    // The activations in lanes, per group of 16 rows: [column pair][lane][2] int16 quants (8-bit weights) or
    // [column quad][lane][4] int8 quants (4-bit), [block][lane] scales and, for 4-bit weights, [block][lane] 8 · Σq
    // (lanes past the last row hold zeros).
    private byte* _laneQuants;
    private float* _laneScales;
    private int* _laneOffsets;
    private long _laneQuantsCapacity;
    private long _laneScalesCapacity;
    private bool _lanes;

    /// <summary>The number of 16-row lane groups of the current product.</summary>
    private int LaneGroups => (_m + LaneRows - 1) / LaneRows;

    /// <summary>The bytes of one lane group's activation quants.</summary>
    private long LaneGroupBytes => (long)_paddedCols * LaneRows * (_int4 ? sizeof(sbyte) : sizeof(short));

    /// <summary>Makes room for the activations in lanes and clears the last group (rows past the last one must read as zero).</summary>
    private void PrepareLanes()
    {
        var quants = LaneGroups * LaneGroupBytes;
        var scales = (long)LaneGroups * _blocks * LaneRows;
        if (_laneQuantsCapacity < quants)
        {
            NativeMemory.AlignedFree(_laneQuants);
            _laneQuants = (byte*)NativeMemory.AlignedAlloc((nuint)quants, 64);
            _laneQuantsCapacity = quants;
        }

        if (_laneScalesCapacity < scales)
        {
            NativeMemory.AlignedFree(_laneScales);
            NativeMemory.AlignedFree(_laneOffsets);
            _laneScales = (float*)NativeMemory.AlignedAlloc((nuint)(scales * sizeof(float)), 64);
            _laneOffsets = (int*)NativeMemory.AlignedAlloc((nuint)(scales * sizeof(int)), 64);
            _laneScalesCapacity = scales;
        }

        if (_m % LaneRows != 0)
        {
            new Span<byte>(_laneQuants + ((LaneGroups - 1) * LaneGroupBytes), (int)LaneGroupBytes).Clear();
            new Span<float>(_laneScales + ((long)(LaneGroups - 1) * _blocks * LaneRows), _blocks * LaneRows).Clear();
            new Span<int>(_laneOffsets + ((long)(LaneGroups - 1) * _blocks * LaneRows), _blocks * LaneRows).Clear();
        }
    }

    /// <summary>Stores one activation row's block (32 quants, their scale and, for 4-bit weights, 8 · Σq) in its lane.</summary>
    private void StoreLane(int row, int block, sbyte* quants, float scale)
    {
        var group = row / LaneRows;
        var lane = row % LaneRows;
        var blockStart = _laneQuants + (group * LaneGroupBytes);
        if (_int4)
        {
            // Quad p of the block (columns 4p..4p+3) at [quad][lane][4].
            var target = (sbyte*)blockStart + ((long)block * QuantizedWeight.BlockSize * LaneRows) + (4 * lane);
            var sum = 0;
            for (var p = 0; p < QuantizedWeight.BlockSize / 4; p++)
            {
                *(int*)(target + (p * 4 * LaneRows)) = *(int*)(quants + (4 * p));
            }

            for (var j = 0; j < QuantizedWeight.BlockSize; j++)
            {
                sum += quants[j];
            }

            _laneOffsets[((long)group * _blocks * LaneRows) + (block * LaneRows) + lane] = 8 * sum;
        }
        else
        {
            // Pair p of the block (columns 2p, 2p+1) at [pair][lane][2].
            var target = (short*)blockStart + ((long)block * QuantizedWeight.BlockSize * LaneRows) + (2 * lane);
            for (var p = 0; p < QuantizedWeight.BlockSize / 2; p++)
            {
                target[p * 2 * LaneRows] = quants[2 * p];
                target[(p * 2 * LaneRows) + 1] = quants[(2 * p) + 1];
            }
        }

        _laneScales[((long)group * _blocks * LaneRows) + (block * LaneRows) + lane] = scale;
    }

    /// <summary>
    /// Rows start..end-1 for every activation row in lanes, eight weight rows at a time: the next eight rows' packed bytes are
    /// prefetched, these eight are widened to int16 and multiplied with every 16-row group while the prefetch is in flight.
    /// </summary>
    private void ExecuteLanes(int start, int end)
    {
        var length = (long)WeightRowsPerStep * _paddedCols;
        if (t_wide is null || t_wide.Length < length)
        {
            t_wide = GC.AllocateUninitializedArray<short>((int)length, pinned: true);
        }

        // Each step prefetches the next step's rows while it computes: a few lines per block of its products.
        var stepBytes = WeightRowsPerStep * _rowBytes;
        var linesPerBlock = (int)(((stepBytes / 64) + _blocks - 1) / _blocks);
        var limit = (byte*)_w + (end * _rowBytes);
        var first = (byte*)_w + (start * _rowBytes);
        MatVec.PrefetchLines(first, first + stepBytes, limit);
        fixed (short* wide = t_wide)
        {
            for (var r = start; r < end; r += WeightRowsPerStep)
            {
                var next = (byte*)_w + ((r + WeightRowsPerStep) * _rowBytes);
                var nextEnd = next + stepBytes < limit ? next + stepBytes : limit;
                var last = Math.Min(end, r + WeightRowsPerStep);
                Widen(wide, r, last);
                for (var group = 0; group < LaneGroups; group++)
                {
                    // The first group's products carry the prefetch.
                    var ahead = group == 0 ? next : nextEnd;
                    if (_int4)
                    {
                        LaneProducts4((byte*)wide, group, r, last, ahead, nextEnd, linesPerBlock);
                    }
                    else
                    {
                        LaneProducts(wide, group, r, last, ahead, nextEnd, linesPerBlock);
                    }
                }
            }
        }
    }

    /// <summary>Widens rows start..end-1: 8-bit weights to int16, 4-bit codes to one a byte (row r at (r - start) × padded columns of its kind).</summary>
    private void Widen(short* wide, int start, int end)
    {
        var mask = Vector512.Create((byte)0x0F);
        for (var r = start; r < end; r++)
        {
            var row = (byte*)_w + (r * _rowBytes);
            if (_int4)
            {
                var target = (byte*)wide + ((long)(r - start) * _paddedCols);
                for (var quad = 0; quad < _blocks / 4; quad++)
                {
                    PackedCodes.Low(row, quad, mask).Store(target + (quad * QuantizedWeight4.QuadSize));
                    PackedCodes.High(row, quad, mask).Store(target + (quad * QuantizedWeight4.QuadSize) + 64);
                }
            }
            else
            {
                var target = wide + ((long)(r - start) * _paddedCols);
                for (var b = 0; b < _blocks; b++)
                {
                    Avx512BW.ConvertToVector512Int16(Vector256.Load((sbyte*)row + (b * QuantizedWeight.BlockSize))).Store(target + (b * QuantizedWeight.BlockSize));
                }
            }
        }
    }

    /// <summary>Rows start..end-1 (at most <see cref="WeightRowsPerStep"/>, widened in <paramref name="wide"/>) of one 16-row group's outputs: each activation load serves eight weight rows.</summary>
    private void LaneProducts(short* wide, int group, int start, int end, byte* ahead, byte* aheadEnd, int linesPerBlock)
    {
        var blocks = _blocks;
        var lanes = Math.Min(LaneRows, _m - (group * LaneRows));
        var quants = (short*)(_laneQuants + (group * LaneGroupBytes));
        var xScales = _laneScales + ((long)group * blocks * LaneRows);
        var y = _y + ((long)group * LaneRows * _rows);
        var sums = stackalloc float[8 * LaneRows];
        var w = stackalloc int*[8];
        var s = stackalloc ushort*[8];

        // Fewer than eight rows (a chunk's end) repeat the last one (computed, not stored).
        for (var j = 0; j < 8; j++)
        {
            var row = Math.Min(start + j, end - 1);
            w[j] = (int*)(wide + ((long)(row - start) * _paddedCols));
            s[j] = WeightScales(row);
        }

        int* w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4], w5 = w[5], w6 = w[6], w7 = w[7];
        Vector512<float> y0 = default, y1 = default, y2 = default, y3 = default, y4 = default, y5 = default, y6 = default, y7 = default;
        for (var b = 0; b < blocks; b++)
        {
            if (ahead < aheadEnd)
            {
                for (var line = 0; line < linesPerBlock; line++, ahead += 64)
                {
                    Sse.Prefetch0(ahead);
                }
            }

            var x = quants + (b * QuantizedWeight.BlockSize * LaneRows);
            Vector512<int> i0 = default, i1 = default, i2 = default, i3 = default, i4 = default, i5 = default, i6 = default, i7 = default;
            for (int k = b * (QuantizedWeight.BlockSize / 2), last = k + (QuantizedWeight.BlockSize / 2); k < last; k++, x += 2 * LaneRows)
            {
                var xv = Vector512.Load(x);
                i0 += Avx512BW.MultiplyAddAdjacent(xv, Vector512.Create(w0[k]).AsInt16());
                i1 += Avx512BW.MultiplyAddAdjacent(xv, Vector512.Create(w1[k]).AsInt16());
                i2 += Avx512BW.MultiplyAddAdjacent(xv, Vector512.Create(w2[k]).AsInt16());
                i3 += Avx512BW.MultiplyAddAdjacent(xv, Vector512.Create(w3[k]).AsInt16());
                i4 += Avx512BW.MultiplyAddAdjacent(xv, Vector512.Create(w4[k]).AsInt16());
                i5 += Avx512BW.MultiplyAddAdjacent(xv, Vector512.Create(w5[k]).AsInt16());
                i6 += Avx512BW.MultiplyAddAdjacent(xv, Vector512.Create(w6[k]).AsInt16());
                i7 += Avx512BW.MultiplyAddAdjacent(xv, Vector512.Create(w7[k]).AsInt16());
            }

            var xs = Vector512.Load(xScales + (b * LaneRows));
            y0 = Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(i0), xs * QuantizedWeight.Bf16(s[0][b]), y0);
            y1 = Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(i1), xs * QuantizedWeight.Bf16(s[1][b]), y1);
            y2 = Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(i2), xs * QuantizedWeight.Bf16(s[2][b]), y2);
            y3 = Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(i3), xs * QuantizedWeight.Bf16(s[3][b]), y3);
            y4 = Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(i4), xs * QuantizedWeight.Bf16(s[4][b]), y4);
            y5 = Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(i5), xs * QuantizedWeight.Bf16(s[5][b]), y5);
            y6 = Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(i6), xs * QuantizedWeight.Bf16(s[6][b]), y6);
            y7 = Vector512.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(i7), xs * QuantizedWeight.Bf16(s[7][b]), y7);
        }

        StoreLaneSums(sums, y, lanes, start, end, y0, y1, y2, y3, y4, y5, y6, y7);
    }

    /// <summary>
    /// 4-bit rows start..end-1 (at most <see cref="WeightRowsPerStep"/>, their codes in <paramref name="codes"/>) of one
    /// 16-row group's outputs: per block, eight <c>vpmaddubsw</c> of four codes broadcast against the quads of every row,
    /// summed in int16, then pairs summed to int32 and the offset taken off.
    /// </summary>
    private void LaneProducts4(byte* codes, int group, int start, int end, byte* ahead, byte* aheadEnd, int linesPerBlock)
    {
        var blocks = _blocks;
        var lanes = Math.Min(LaneRows, _m - (group * LaneRows));
        var quants = (sbyte*)(_laneQuants + (group * LaneGroupBytes));
        var xScales = _laneScales + ((long)group * blocks * LaneRows);
        var offsets = _laneOffsets + ((long)group * blocks * LaneRows);
        var y = _y + ((long)group * LaneRows * _rows);
        var ones = Vector512.Create((short)1);
        var sums = stackalloc float[8 * LaneRows];
        var w = stackalloc int*[8];
        var s = stackalloc ushort*[8];

        // Fewer than eight rows (a chunk's end) repeat the last one (computed, not stored).
        for (var j = 0; j < 8; j++)
        {
            var row = Math.Min(start + j, end - 1);
            w[j] = (int*)(codes + ((long)(row - start) * _paddedCols));
            s[j] = WeightScales(row);
        }

        int* w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4], w5 = w[5], w6 = w[6], w7 = w[7];
        Vector512<float> y0 = default, y1 = default, y2 = default, y3 = default, y4 = default, y5 = default, y6 = default, y7 = default;
        for (var b = 0; b < blocks; b++)
        {
            if (ahead < aheadEnd)
            {
                for (var line = 0; line < linesPerBlock; line++, ahead += 64)
                {
                    Sse.Prefetch0(ahead);
                }
            }

            var x = quants + (b * QuantizedWeight.BlockSize * LaneRows);
            Vector512<short> i0 = default, i1 = default, i2 = default, i3 = default, i4 = default, i5 = default, i6 = default, i7 = default;
            for (int k = b * (QuantizedWeight.BlockSize / 4), last = k + (QuantizedWeight.BlockSize / 4); k < last; k++, x += 4 * LaneRows)
            {
                var xv = Vector512.Load(x);
                i0 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(w0[k]).AsByte(), xv);
                i1 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(w1[k]).AsByte(), xv);
                i2 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(w2[k]).AsByte(), xv);
                i3 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(w3[k]).AsByte(), xv);
                i4 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(w4[k]).AsByte(), xv);
                i5 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(w5[k]).AsByte(), xv);
                i6 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(w6[k]).AsByte(), xv);
                i7 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(w7[k]).AsByte(), xv);
            }

            var xs = Vector512.Load(xScales + (b * LaneRows));
            var offset = Vector512.Load(offsets + (b * LaneRows));
            y0 = Vector512.FusedMultiplyAdd(BlockSum(i0, ones, offset), xs * QuantizedWeight.Bf16(s[0][b]), y0);
            y1 = Vector512.FusedMultiplyAdd(BlockSum(i1, ones, offset), xs * QuantizedWeight.Bf16(s[1][b]), y1);
            y2 = Vector512.FusedMultiplyAdd(BlockSum(i2, ones, offset), xs * QuantizedWeight.Bf16(s[2][b]), y2);
            y3 = Vector512.FusedMultiplyAdd(BlockSum(i3, ones, offset), xs * QuantizedWeight.Bf16(s[3][b]), y3);
            y4 = Vector512.FusedMultiplyAdd(BlockSum(i4, ones, offset), xs * QuantizedWeight.Bf16(s[4][b]), y4);
            y5 = Vector512.FusedMultiplyAdd(BlockSum(i5, ones, offset), xs * QuantizedWeight.Bf16(s[5][b]), y5);
            y6 = Vector512.FusedMultiplyAdd(BlockSum(i6, ones, offset), xs * QuantizedWeight.Bf16(s[6][b]), y6);
            y7 = Vector512.FusedMultiplyAdd(BlockSum(i7, ones, offset), xs * QuantizedWeight.Bf16(s[7][b]), y7);
        }

        StoreLaneSums(sums, y, lanes, start, end, y0, y1, y2, y3, y4, y5, y6, y7);
    }

    /// <summary>A block's int16 pair sums of every lane as one float per lane, less the block's offset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> BlockSum(Vector512<short> pairs, Vector512<short> ones, Vector512<int> offset) =>
        Avx512F.ConvertToVector512Single(Avx512BW.MultiplyAddAdjacent(pairs, ones) - offset);

    /// <summary>Writes eight weight rows' outputs (one vector each, lane l = activation row l) to rows start..end-1 of every lane's output row.</summary>
    private void StoreLaneSums(float* sums, float* y, int lanes, int start, int end, Vector512<float> y0, Vector512<float> y1, Vector512<float> y2, Vector512<float> y3, Vector512<float> y4, Vector512<float> y5, Vector512<float> y6, Vector512<float> y7)
    {
        if (end - start == WeightRowsPerStep)
        {
            StoreLaneSums8(y, lanes, start, y0, y1, y2, y3, y4, y5, y6, y7);
            return;
        }

        y0.Store(sums);
        y1.Store(sums + LaneRows);
        y2.Store(sums + (2 * LaneRows));
        y3.Store(sums + (3 * LaneRows));
        y4.Store(sums + (4 * LaneRows));
        y5.Store(sums + (5 * LaneRows));
        y6.Store(sums + (6 * LaneRows));
        y7.Store(sums + (7 * LaneRows));
        var count = end - start;
        for (var lane = 0; lane < lanes; lane++)
        {
            var output = y + ((long)lane * _rows) + start;
            for (var j = 0; j < count; j++)
            {
                output[j] = sums[(j * LaneRows) + lane];
            }
        }
    }

    /// <summary>
    /// Eight weight rows' outputs stored by transposing the 8 × 16 sums in registers: lane l's eight values go to
    /// y[l, start..start+7] in one 256-bit store (instead of 128 scalar moves through the stack).
    /// </summary>
    private void StoreLaneSums8(float* y, int lanes, int start, Vector512<float> y0, Vector512<float> y1, Vector512<float> y2, Vector512<float> y3, Vector512<float> y4, Vector512<float> y5, Vector512<float> y6, Vector512<float> y7)
    {
        // Within each 128-bit block of four lanes: pairs of rows interleaved, then quads, so that vector q (0-3) holds
        // rows 0-3 of lane 4b + q in block b, and vector q + 4 rows 4-7 of the same lanes.
        var t0 = Avx512F.UnpackLow(y0, y1).AsDouble();
        var t1 = Avx512F.UnpackHigh(y0, y1).AsDouble();
        var t2 = Avx512F.UnpackLow(y2, y3).AsDouble();
        var t3 = Avx512F.UnpackHigh(y2, y3).AsDouble();
        var t4 = Avx512F.UnpackLow(y4, y5).AsDouble();
        var t5 = Avx512F.UnpackHigh(y4, y5).AsDouble();
        var t6 = Avx512F.UnpackLow(y6, y7).AsDouble();
        var t7 = Avx512F.UnpackHigh(y6, y7).AsDouble();
        StoreLaneQuads(y, lanes, start, 0, Avx512F.UnpackLow(t0, t2).AsSingle(), Avx512F.UnpackLow(t4, t6).AsSingle());
        StoreLaneQuads(y, lanes, start, 1, Avx512F.UnpackHigh(t0, t2).AsSingle(), Avx512F.UnpackHigh(t4, t6).AsSingle());
        StoreLaneQuads(y, lanes, start, 2, Avx512F.UnpackLow(t1, t3).AsSingle(), Avx512F.UnpackLow(t5, t7).AsSingle());
        StoreLaneQuads(y, lanes, start, 3, Avx512F.UnpackHigh(t1, t3).AsSingle(), Avx512F.UnpackHigh(t5, t7).AsSingle());
    }

    /// <summary>Lanes q, q + 4, q + 8, q + 12: rows 0-3 in block b of <paramref name="low"/>, rows 4-7 in block b of <paramref name="high"/> (lane 4b + q).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StoreLaneQuads(float* y, int lanes, int start, int q, Vector512<float> low, Vector512<float> high)
    {
        var first = Avx512F.PermuteVar16x32x2(low, Vector512.Create(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23), high);
        var second = Avx512F.PermuteVar16x32x2(low, Vector512.Create(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31), high);
        StoreLane(y, lanes, start, q, first.GetLower());
        StoreLane(y, lanes, start, q + 4, first.GetUpper());
        StoreLane(y, lanes, start, q + 8, second.GetLower());
        StoreLane(y, lanes, start, q + 12, second.GetUpper());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StoreLane(float* y, int lanes, int start, int lane, Vector256<float> values)
    {
        if (lane < lanes)
        {
            values.Store(y + ((long)lane * _rows) + start);
        }
    }

    /// <summary>The bf16 scales of packed weight row <paramref name="r"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ushort* WeightScales(int r) => _int4
        ? QuantizedWeight4.Scales((byte*)_w + (r * _rowBytes), _cols)
        : QuantizedWeight.Scales(_w + (r * _rowBytes), _cols);

    private void FreeLanes()
    {
        NativeMemory.AlignedFree(_laneQuants);
        NativeMemory.AlignedFree(_laneScales);
        NativeMemory.AlignedFree(_laneOffsets);
        _laneQuants = null;
        _laneScales = null;
        _laneOffsets = null;
        _laneQuantsCapacity = _laneScalesCapacity = 0;
    }
}
