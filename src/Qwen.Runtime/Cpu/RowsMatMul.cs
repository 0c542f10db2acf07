using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Qwen.Runtime;

/// <summary>Y = X·Wᵀ (+ b) for a few activation rows (a batched decode step) with float32 or bfloat16 weights, reading each weight once per step.</summary>
/// <remarks>
/// Decode is bound by reading the weights; libtorch's GEMM packs the weight panel on every call, which for a handful of
/// rows costs about as much as the product. Here each chunk of weight rows (about 128 KB, so it stays in L2) is streamed
/// from memory once and multiplied by all activation rows, four weight rows by four activation rows at a time (sixteen
/// accumulators: each load feeds four FMAs), the next four weight rows prefetched meanwhile. Chunks are shared across
/// threads by <see cref="CpuParallel"/>. bf16 weights are widened four rows at a time into a per-thread float32 buffer
/// first, so the arithmetic is float32 as in the mat-vec kernel.
/// </remarks>
internal sealed unsafe class RowsMatMul(CpuParallel parallel) : IChunkJob
{
    /// <summary>The most activation rows taken here; more rows (prefill) go to a GEMM (PanelMatMul for float32, libtorch's otherwise).</summary>
    public const int MaxRows = 64;

    private const int ChunkBytes = 128 * 1024;

    [ThreadStatic]
    private static float[]? t_widened;

    private float* _x;
    private void* _w;
    private bool _bf16;
    private float* _bias;
    private float* _y;
    private int _m;
    private int _rows;
    private int _cols;
    private int _rowsPerChunk;

    /// <summary>y [m, rows] = x [m, cols] · w [rows, cols]ᵀ + bias [rows] (bias may be null); w is float32, or bfloat16 when <paramref name="bf16"/>.</summary>
    public void Multiply(float* x, int m, void* w, bool bf16, float* bias, float* y, int rows, int cols)
    {
        _x = x;
        _m = m;
        _w = w;
        _bf16 = bf16;
        _bias = bias;
        _y = y;
        _rows = rows;
        _cols = cols;
        _rowsPerChunk = Math.Max(4, ChunkBytes / (cols * sizeof(float)) & ~3);
        parallel.Run(this, (rows + _rowsPerChunk - 1) / _rowsPerChunk);
    }

    public void Execute(int chunk)
    {
        var start = chunk * _rowsPerChunk;
        var end = Math.Min(_rows, start + _rowsPerChunk);
        long cols = _cols;
        var rowBytes = cols * (_bf16 ? sizeof(ushort) : sizeof(float));

        // Four weight rows at a time, each slice multiplied by every activation row while it sits in L1; the next slice
        // is prefetched during those products (a line per step of their loop), so reading memory overlaps the arithmetic
        // instead of stalling the first pass over each chunk. Nothing past the chunk is prefetched.
        var limit = (byte*)_w + (end * rowBytes);
        var first = (byte*)_w + (start * rowBytes);
        MatVec.PrefetchLines(first, first + (4 * rowBytes), limit);
        if (_bf16 && (t_widened is null || t_widened.Length < 4 * cols))
        {
            t_widened = new float[4 * cols];
        }

        fixed (float* widened = t_widened)
        {
            for (var r = start; r < end; r += 4)
            {
                var count = Math.Min(4, end - r);
                var next = (byte*)_w + ((r + 4) * rowBytes);
                var nextEnd = Math.Min((long)(next + (4 * rowBytes)), (long)limit);
                float* w;
                if (_bf16)
                {
                    Widen((ushort*)_w + (r * cols), widened, (int)(count * cols));
                    w = widened;
                }
                else
                {
                    w = (float*)_w + (r * cols);
                }

                next = Slice(w, r, count, next, (byte*)nextEnd);
                MatVec.PrefetchLines(next, (byte*)nextEnd, limit);
            }
        }

        if (_bias is not null)
        {
            for (var i = 0; i < _m; i++)
            {
                var y = _y + (i * (long)_rows);
                for (var r = start; r < end; r++)
                {
                    y[r] += _bias[r];
                }
            }
        }
    }

    /// <summary>bf16 to float32: the bf16 bits are the high half of the float's.</summary>
    private static void Widen(ushort* source, float* destination, int count)
    {
        var i = 0;
        for (; i + 32 <= count; i += 32)
        {
            var v = Vector512.Load(source + i);
            Vector512.ShiftLeft(Vector512.WidenLower(v), 16).AsSingle().Store(destination + i);
            Vector512.ShiftLeft(Vector512.WidenUpper(v), 16).AsSingle().Store(destination + i + 16);
        }

        for (; i < count; i++)
        {
            destination[i] = BitConverter.UInt32BitsToSingle((uint)source[i] << 16);
        }
    }

    /// <summary>Element k = the sum of the 16 lanes of v<sub>k</sub>: halves added, then pairwise adds across the eight vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Sum8(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3, Vector512<float> v4, Vector512<float> v5, Vector512<float> v6, Vector512<float> v7)
    {
        var h01 = Avx.HorizontalAdd(v0.GetLower() + v0.GetUpper(), v1.GetLower() + v1.GetUpper());
        var h23 = Avx.HorizontalAdd(v2.GetLower() + v2.GetUpper(), v3.GetLower() + v3.GetUpper());
        var h45 = Avx.HorizontalAdd(v4.GetLower() + v4.GetUpper(), v5.GetLower() + v5.GetUpper());
        var h67 = Avx.HorizontalAdd(v6.GetLower() + v6.GetUpper(), v7.GetLower() + v7.GetUpper());

        // Each 128-bit half now holds the four sums of its half of v0-v3 (g0) and v4-v7 (g1): add the halves.
        var g0 = Avx.HorizontalAdd(h01, h23);
        var g1 = Avx.HorizontalAdd(h45, h67);
        return Avx.Permute2x128(g0, g1, 0x20) + Avx.Permute2x128(g0, g1, 0x31);
    }

    /// <summary>
    /// Output rows r..r+count-1 (count at most four), whose float32 weights begin at <paramref name="w"/>, for every
    /// activation row; prefetches from <paramref name="ahead"/> towards <paramref name="aheadEnd"/> on the way and returns how far it got.
    /// </summary>
    private byte* Slice(float* w, int r, int count, byte* ahead, byte* aheadEnd)
    {
        long cols = _cols;
        for (var i = 0; i < _m; i += 4)
        {
            // A last group of fewer than four rows repeats its first row in the missing places; those results are not stored.
            var rows = Math.Min(4, _m - i);
            var x0 = _x + (i * cols);
            var x1 = rows > 1 ? x0 + cols : x0;
            var x2 = rows > 2 ? x0 + (2 * cols) : x0;
            var x3 = rows > 3 ? x0 + (3 * cols) : x0;
            if (count == 4)
            {
                ahead = Block(w, r, x0, x1, x2, x3, i, rows, ahead, aheadEnd);
                continue;
            }

            for (var k = 0; k < count; k++)
            {
                for (var j = 0; j < rows; j++)
                {
                    _y[((i + j) * (long)_rows) + r + k] = MatVec.Dot(w + (k * cols), x0 + (j * cols), _cols);
                }
            }
        }

        return ahead;
    }

    /// <summary>
    /// Weight rows r..r+3 (starting at <paramref name="w0"/>) against activation rows x0..x3 (of which the first
    /// <paramref name="count"/> are stored from row <paramref name="i"/>), prefetching a line from <paramref name="ahead"/>
    /// per step while it is short of <paramref name="aheadEnd"/>; returns the next line to prefetch.
    /// </summary>
    private byte* Block(float* w0, int r, float* x0, float* x1, float* x2, float* x3, int i, int count, byte* ahead, byte* aheadEnd)
    {
        var cols = _cols;
        var w1 = w0 + cols;
        var w2 = w1 + cols;
        var w3 = w2 + cols;
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        var c = 0;
        for (; c + 16 <= cols; c += 16)
        {
            if (ahead < aheadEnd)
            {
                Sse.Prefetch0(ahead);
                ahead += 64;
            }

            var v0 = Vector512.Load(x0 + c);
            var v1 = Vector512.Load(x1 + c);
            var v2 = Vector512.Load(x2 + c);
            var v3 = Vector512.Load(x3 + c);
            var w = Vector512.Load(w0 + c);
            a00 = Vector512.FusedMultiplyAdd(w, v0, a00);
            a01 = Vector512.FusedMultiplyAdd(w, v1, a01);
            a02 = Vector512.FusedMultiplyAdd(w, v2, a02);
            a03 = Vector512.FusedMultiplyAdd(w, v3, a03);
            w = Vector512.Load(w1 + c);
            a10 = Vector512.FusedMultiplyAdd(w, v0, a10);
            a11 = Vector512.FusedMultiplyAdd(w, v1, a11);
            a12 = Vector512.FusedMultiplyAdd(w, v2, a12);
            a13 = Vector512.FusedMultiplyAdd(w, v3, a13);
            w = Vector512.Load(w2 + c);
            a20 = Vector512.FusedMultiplyAdd(w, v0, a20);
            a21 = Vector512.FusedMultiplyAdd(w, v1, a21);
            a22 = Vector512.FusedMultiplyAdd(w, v2, a22);
            a23 = Vector512.FusedMultiplyAdd(w, v3, a23);
            w = Vector512.Load(w3 + c);
            a30 = Vector512.FusedMultiplyAdd(w, v0, a30);
            a31 = Vector512.FusedMultiplyAdd(w, v1, a31);
            a32 = Vector512.FusedMultiplyAdd(w, v2, a32);
            a33 = Vector512.FusedMultiplyAdd(w, v3, a33);
        }

        // The 16 horizontal sums, eight at a time in one transposed reduction (about half the shuffles and adds of 16 Sums).
        var sums = stackalloc float[16];
        Sum8(a00, a01, a02, a03, a10, a11, a12, a13).Store(sums);
        Sum8(a20, a21, a22, a23, a30, a31, a32, a33).Store(sums + 8);
        for (; c < cols; c++)
        {
            float u0 = w0[c], u1 = w1[c], u2 = w2[c], u3 = w3[c];
            float y0 = x0[c], y1 = x1[c], y2 = x2[c], y3 = x3[c];
            sums[0] += u0 * y0;
            sums[1] += u0 * y1;
            sums[2] += u0 * y2;
            sums[3] += u0 * y3;
            sums[4] += u1 * y0;
            sums[5] += u1 * y1;
            sums[6] += u1 * y2;
            sums[7] += u1 * y3;
            sums[8] += u2 * y0;
            sums[9] += u2 * y1;
            sums[10] += u2 * y2;
            sums[11] += u2 * y3;
            sums[12] += u3 * y0;
            sums[13] += u3 * y1;
            sums[14] += u3 * y2;
            sums[15] += u3 * y3;
        }

        for (var j = 0; j < count; j++)
        {
            var y = _y + ((i + j) * (long)_rows) + r;
            y[0] = sums[j];
            y[1] = sums[4 + j];
            y[2] = sums[8 + j];
            y[3] = sums[12 + j];
        }

        return ahead;
    }
}
