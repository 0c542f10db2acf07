using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Qwen.Runtime;

/// <summary>y = W·x (+ b) for one activation row: the memory-bound heart of single-token decode on the CPU.</summary>
/// <remarks>
/// W is row-major [rows, cols] in float32 or bfloat16 (widened to float32 in registers, so bf16 weights cost half the
/// memory traffic with float32 accuracy of the arithmetic); x, b and y are float32. Four rows are computed at once so
/// each load of x feeds four streams, with 512-bit vectors where the CPU has them.
/// </remarks>
internal sealed unsafe class MatVec : IChunkJob, IDisposable
{
    // About 128 KB of weights per chunk: large enough to amortise claiming, small enough to balance two threads.
    private const int ChunkBytes = 128 * 1024;

    /// <summary>
    /// How far ahead of the reads, in bytes of the chunk's weights, lines are prefetched. A group of four consecutive
    /// rows is one contiguous block, read at 256 bytes (four lines) per step of the vector loop, so a chunk is one
    /// stream; measured on the 0.5B shapes, 8 KB ahead streams bf16 at about 1.5x the speed of prefetching the next
    /// group row by row (which is only 7 KB ahead at the start of a 896-column group and nothing at its end).
    /// </summary>
    internal const int PrefetchDistance = 8 * 1024;

    private readonly CpuParallel _parallel;
    private float* _x;
    private void* _w;
    private float* _bias;
    private float* _y;
    private int _rows;
    private int _cols;
    private int _rowsPerChunk;
    private bool _bf16;

    // x split into its even and odd elements, for the bf16 path (see RowsBf16).
    private float* _xEven;
    private float* _xOdd;
    private int _splitCapacity;

    public MatVec(CpuParallel parallel) => _parallel = parallel;

    public void Dispose()
    {
        NativeMemory.AlignedFree(_xEven);
        _xEven = _xOdd = null;
        _splitCapacity = 0;
    }

    public void Multiply(float* x, void* w, bool bf16, float* bias, float* y, int rows, int cols)
    {
        _x = x;
        _w = w;
        _bf16 = bf16;
        _bias = bias;
        _y = y;
        _rows = rows;
        _cols = cols;
        _rowsPerChunk = Math.Max(4, ChunkBytes / (cols * (bf16 ? 2 : 4)) & ~3);
        if (bf16)
        {
            SplitEvenOdd(x, cols);
        }

        _parallel.Run(this, (rows + _rowsPerChunk - 1) / _rowsPerChunk);
    }

    public void Execute(int chunk)
    {
        var start = chunk * _rowsPerChunk;
        var end = Math.Min(_rows, start + _rowsPerChunk);
        if (_bf16)
        {
            RowsBf16((ushort*)_w, start, end);
        }
        else
        {
            RowsF32((float*)_w, start, end);
        }

        if (_bias is not null)
        {
            for (var r = start; r < end; r++)
            {
                _y[r] += _bias[r];
            }
        }
    }

    private void RowsF32(float* w, int start, int end)
    {
        var grouped = start + ((end - start) & ~3);
        RowsF32Vector(w, start, grouped);

        // Columns past the last full vector, and rows past the last group of four: plain loops, kept out of the
        // vector loop (see RowsBf16).
        var vectorCols = _cols & ~15;
        if (vectorCols < _cols)
        {
            for (var r = start; r < grouped; r++)
            {
                _y[r] += TailF32(w + ((long)r * _cols), vectorCols);
            }
        }

        for (var r = grouped; r < end; r++)
        {
            _y[r] = TailF32(w + ((long)r * _cols), 0);
        }
    }

    /// <summary>
    /// float32 rows in groups of four, vector columns only: each load of x feeds four rows. Each step of the loop reads
    /// four lines (one per row) and prefetches the four lines <see cref="PrefetchDistance"/> bytes further on in the
    /// chunk, which is one contiguous block, so the reads find their lines already on the way.
    /// </summary>
    private void RowsF32Vector(float* w, int start, int end)
    {
        long cols = _cols;
        var vectorCols = _cols & ~15;
        var x = _x;
        var y = _y;

        // Nothing past the chunk is prefetched: the rows after it belong to another chunk, maybe another core.
        var limit = (byte*)(w + (end * cols));
        for (var r = start; r < end; r += 4)
        {
            var w0 = w + (r * cols);
            var w1 = w0 + cols;
            var w2 = w1 + cols;
            var w3 = w2 + cols;
            var ahead = (byte*)w0 + PrefetchDistance;
            var a0 = Vector512<float>.Zero;
            var a1 = Vector512<float>.Zero;
            var a2 = Vector512<float>.Zero;
            var a3 = Vector512<float>.Zero;
            for (var i = 0; i < vectorCols; i += 16, ahead += 256)
            {
                Prefetch4(ahead, limit);
                var xv = Vector512.Load(x + i);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(w0 + i), xv, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Load(w1 + i), xv, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Load(w2 + i), xv, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Load(w3 + i), xv, a3);
            }

            Sum4(a0, a1, a2, a3).Store(y + r);
        }
    }

    /// <summary>
    /// bf16 rows: 16 uint lanes hold 32 weights; a lane's low half is an even-indexed weight and its high half an odd
    /// one, so a shift and a mask turn them into two float vectors that meet the even and odd halves of x.
    /// </summary>
    private void RowsBf16(ushort* w, int start, int end)
    {
        var grouped = start + ((end - start) & ~3);
        RowsBf16Vector(w, start, grouped);

        // Columns past the last full vector, and rows past the last group of four: plain loops, kept out of the
        // vector loop so that nothing in it lives across a call (which makes the JIT spill inside the loop).
        var vectorCols = _cols & ~31;
        if (vectorCols < _cols)
        {
            for (var r = start; r < grouped; r++)
            {
                _y[r] += TailBf16(w + ((long)r * _cols), vectorCols);
            }
        }

        for (var r = grouped; r < end; r++)
        {
            _y[r] = TailBf16(w + ((long)r * _cols), 0);
        }
    }

    /// <summary>
    /// bf16 rows in groups of four, vector columns only: 16 uint lanes hold 32 weights; a lane's low half is an
    /// even-indexed weight and its high half an odd one, so a shift and a mask turn them into two float vectors that
    /// meet the even and odd halves of x. No cross-lane shuffles, one load per 32 weights; lines are prefetched ahead
    /// in the chunk as in <see cref="RowsF32Vector"/>.
    /// </summary>
    private void RowsBf16Vector(ushort* w, int start, int end)
    {
        var cols = _cols;
        var pairs = (cols & ~31) / 2;
        var even = _xEven;
        var odd = _xOdd;
        var y = _y;
        var high = Vector512.Create(0xFFFF0000u);
        var limit = (byte*)(w + ((long)end * cols));
        for (var r = start; r < end; r += 4)
        {
            var w0 = (uint*)(w + ((long)r * cols));
            var w1 = (uint*)(w + ((long)(r + 1) * cols));
            var w2 = (uint*)(w + ((long)(r + 2) * cols));
            var w3 = (uint*)(w + ((long)(r + 3) * cols));
            var a0 = Vector512<float>.Zero;
            var a1 = Vector512<float>.Zero;
            var a2 = Vector512<float>.Zero;
            var a3 = Vector512<float>.Zero;
            var ahead = (byte*)w0 + PrefetchDistance;
            for (var pair = 0; pair < pairs; pair += 16, ahead += 256)
            {
                Prefetch4(ahead, limit);
                var xe = Vector512.Load(even + pair);
                var xo = Vector512.Load(odd + pair);
                var v0 = Vector512.Load(w0 + pair);
                var v1 = Vector512.Load(w1 + pair);
                var v2 = Vector512.Load(w2 + pair);
                var v3 = Vector512.Load(w3 + pair);
                a0 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(v0, 16).AsSingle(), xe, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(v1, 16).AsSingle(), xe, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(v2, 16).AsSingle(), xe, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(v3, 16).AsSingle(), xe, a3);
                a0 = Vector512.FusedMultiplyAdd((v0 & high).AsSingle(), xo, a0);
                a1 = Vector512.FusedMultiplyAdd((v1 & high).AsSingle(), xo, a1);
                a2 = Vector512.FusedMultiplyAdd((v2 & high).AsSingle(), xo, a2);
                a3 = Vector512.FusedMultiplyAdd((v3 & high).AsSingle(), xo, a3);
            }

            Sum4(a0, a1, a2, a3).Store(y + r);
        }
    }

    /// <summary>Prefetches the four lines from <paramref name="ahead"/> on, unless they lie past <paramref name="limit"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Prefetch4(byte* ahead, byte* limit)
    {
        if (ahead < limit)
        {
            Sse.Prefetch0(ahead);
            Sse.Prefetch0(ahead + 64);
            Sse.Prefetch0(ahead + 128);
            Sse.Prefetch0(ahead + 192);
        }
    }

    /// <summary>The four horizontal sums [Σa0, Σa1, Σa2, Σa3] in a few adds and shuffles (four separate sums cost several times more).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Sum4(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        var h01 = Avx.HorizontalAdd(a0.GetLower() + a0.GetUpper(), a1.GetLower() + a1.GetUpper());
        var h23 = Avx.HorizontalAdd(a2.GetLower() + a2.GetUpper(), a3.GetLower() + a3.GetUpper());
        var h = Avx.HorizontalAdd(h01, h23);
        return h.GetLower() + h.GetUpper();
    }

    /// <summary>The plain dot product of one float32 row with x from column <paramref name="from"/> on.</summary>
    private float TailF32(float* row, int from)
    {
        float s = 0;
        for (var i = from; i < _cols; i++)
        {
            s += row[i] * _x[i];
        }

        return s;
    }

    /// <summary>The plain dot product of one bf16 row with x from column <paramref name="from"/> on.</summary>
    private float TailBf16(ushort* row, int from)
    {
        float s = 0;
        for (var i = from; i < _cols; i++)
        {
            s += Bf16(row[i]) * _x[i];
        }

        return s;
    }

    private void SplitEvenOdd(float* x, int cols)
    {
        var half = (cols + 1) / 2;
        if (_splitCapacity < half)
        {
            NativeMemory.AlignedFree(_xEven);
            _xEven = (float*)NativeMemory.AlignedAlloc((nuint)(2 * half * sizeof(float)), 64);
            _xOdd = _xEven + half;
            _splitCapacity = half;
        }

        for (var i = 0; i < cols / 2; i++)
        {
            _xEven[i] = x[2 * i];
            _xOdd[i] = x[(2 * i) + 1];
        }
    }

    /// <summary>The dot product of two float32 vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* w, float* x, int cols)
    {
        var acc = Vector512<float>.Zero;
        var i = 0;
        for (; i + 16 <= cols; i += 16)
        {
            acc = Vector512.FusedMultiplyAdd(Vector512.Load(w + i), Vector512.Load(x + i), acc);
        }

        var s = Vector512.Sum(acc);
        for (; i < cols; i++)
        {
            s += w[i] * x[i];
        }

        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Bf16(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);
}
