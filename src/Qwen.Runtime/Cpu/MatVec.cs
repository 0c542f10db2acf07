using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Qwen.Runtime;

/// <summary>y = W·x (+ b) for one activation row: the memory-bound heart of single-token decode on the CPU.</summary>
/// <remarks>
/// W is row-major [rows, cols] in float32 or bfloat16 (widened to float32 in registers, so bf16 weights cost half the
/// memory traffic with float32 accuracy of the arithmetic); x, b and y are float32. With AVX-512 each row is read on its
/// own as one sequential stream, 512 bits at a time (<see cref="RowsF32Wide"/>, <see cref="RowsBf16Wide"/>). With AVX2
/// only, four rows are computed at once with 256-bit vectors, so each load of x feeds four streams: on a Zen 4 with about
/// 30 GB/s for two cores this streamed as fast as 512-bit (18.5-22.6 against 16.3-20.0 GB/s on one core), but on a Zen 5
/// with about 68 GB/s the one-row 512-bit form read a decode step's products 1.12-1.23x (float32) and 1.14-1.28x (bf16)
/// faster. The 512-bit form also reads each matrix in a few large chunks (see <see cref="WideChunkBytes"/>) and leaves the
/// streams to the hardware prefetcher: on the Zen 5 that read a step's products at 58-63 GB/s against 46-50 with 128 KB
/// chunks and software prefetch (float32; bf16 47-52 against 44-45).
/// </remarks>
internal sealed unsafe class MatVec : IChunkJob, IDisposable
{
    // Four-row form: about 128 KB of weights per chunk, large enough to amortise claiming, small enough to balance two threads.
    private const int ChunkBytes = 128 * 1024;

    /// <summary>
    /// One-row 512-bit form: the most weight bytes of a chunk. Each matrix is cut into equal chunks, two or more per thread
    /// and a multiple of the thread count, none above this size: a thread then streams long runs of consecutive lines, which
    /// the hardware prefetcher follows, where 128 KB chunks taken in turn by the threads restarted its streams every 128 KB.
    /// </summary>
    internal const int WideChunkBytes = 2 * 1024 * 1024;

    /// <summary>
    /// How far ahead of the reads, in bytes of the chunk's weights, lines are prefetched. A group of four consecutive
    /// rows is one contiguous block, read at 256 bytes (four lines) per two steps of the vector loop, so a chunk is one
    /// stream; measured on the 0.5B shapes, 8 KB ahead streams bf16 at about 1.5x the speed of prefetching the next
    /// group row by row (which is only 7 KB ahead at the start of a 896-column group and nothing at its end).
    /// </summary>
    internal const int PrefetchDistance = 8 * 1024;

    private readonly CpuParallel _parallel;
    private readonly bool _wide;
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

    /// <summary>Creates the kernel; <paramref name="wide"/> false keeps the four-row 256-bit form on AVX-512 CPUs too (tests compare both).</summary>
    public MatVec(CpuParallel parallel, bool wide = true)
    {
        _parallel = parallel;
        _wide = wide && Vector512.IsHardwareAccelerated;
    }

    /// <summary>Gets whether this CPU runs the kernel (AVX2 with FMA).</summary>
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

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
        _rowsPerChunk = _wide ? WideRowsPerChunk(rows, (long)cols * (bf16 ? 2 : 4), _parallel.Threads) : Math.Max(4, ChunkBytes / (cols * (bf16 ? 2 : 4)) & ~3);
        if (bf16)
        {
            SplitEvenOdd(x, cols);
        }

        _parallel.Run(this, (rows + _rowsPerChunk - 1) / _rowsPerChunk);
    }

    /// <summary>Rows per chunk of the one-row form: equal chunks of at most <see cref="WideChunkBytes"/>, a multiple of <paramref name="threads"/>, at least two per thread (rounded up to whole groups of four rows).</summary>
    internal static int WideRowsPerChunk(int rows, long rowBytes, int threads)
    {
        var bytes = rows * rowBytes;
        var perThread = Math.Max(2L, (bytes + (threads * (long)WideChunkBytes) - 1) / (threads * (long)WideChunkBytes));
        var chunks = threads * perThread;
        return (int)Math.Max(4, ((rows + chunks - 1) / chunks) + 3 & ~3L);
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
        if (_wide)
        {
            RowsF32Wide(w, start, end);
            return;
        }

        var grouped = start + ((end - start) & ~3);
        RowsF32Vector(w, start, grouped);

        // Columns past the last full vector, and rows past the last group of four: plain loops, kept out of the
        // vector loop (see RowsBf16).
        var vectorCols = _cols & ~7;
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
    /// float32 rows in groups of four, vector columns only: each load of x feeds four rows. Every other step of the
    /// loop (two steps read 256 bytes, four lines) prefetches the four lines
    /// <see cref="PrefetchDistance"/> bytes further on in the chunk, which is one contiguous block, so the reads find
    /// their lines already on the way.
    /// </summary>
    private void RowsF32Vector(float* w, int start, int end)
    {
        long cols = _cols;
        var vectorCols = _cols & ~7;
        var x = _x;
        var y = _y;

        // Nothing past the chunk is prefetched: the rows after it belong to another chunk, maybe another core.
        var limit = (byte*)(w + (end * cols));
        var first = (byte*)(w + (start * cols));
        PrefetchLines(first, first + PrefetchDistance, limit);
        for (var r = start; r < end; r += 4)
        {
            var w0 = w + (r * cols);
            var w1 = w0 + cols;
            var w2 = w1 + cols;
            var w3 = w2 + cols;
            var ahead = (byte*)w0 + PrefetchDistance;
            var a0 = Vector256<float>.Zero;
            var a1 = Vector256<float>.Zero;
            var a2 = Vector256<float>.Zero;
            var a3 = Vector256<float>.Zero;
            for (var i = 0; i < vectorCols; i += 8)
            {
                if ((i & 8) == 0)
                {
                    Prefetch4(ahead, limit);
                    ahead += 256;
                }

                var xv = Vector256.Load(x + i);
                a0 = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + i), xv, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + i), xv, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.Load(w2 + i), xv, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.Load(w3 + i), xv, a3);
            }

            Sum4(a0, a1, a2, a3).Store(y + r);
        }
    }

    /// <summary>
    /// bf16 rows: 8 uint lanes hold 16 weights; a lane's low half is an even-indexed weight and its high half an odd
    /// one, so a shift and a mask turn them into two float vectors that meet the even and odd halves of x.
    /// </summary>
    private void RowsBf16(ushort* w, int start, int end)
    {
        if (_wide)
        {
            RowsBf16Wide(w, start, end);
            return;
        }

        var grouped = start + ((end - start) & ~3);
        RowsBf16Vector(w, start, grouped);

        // Columns past the last full vector, and rows past the last group of four: plain loops, kept out of the
        // vector loop so that nothing in it lives across a call (which makes the JIT spill inside the loop).
        var vectorCols = _cols & ~15;
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
    /// bf16 rows in groups of four, vector columns only: 8 uint lanes hold 16 weights; a lane's low half is an
    /// even-indexed weight and its high half an odd one, so a shift and a mask turn them into two float vectors that
    /// meet the even and odd halves of x (separate accumulators, so the two FMAs of a row do not wait on each other).
    /// No cross-lane shuffles, one load per 16 weights; lines are prefetched ahead in the chunk as in
    /// <see cref="RowsF32Vector"/>.
    /// </summary>
    private void RowsBf16Vector(ushort* w, int start, int end)
    {
        var cols = _cols;
        var pairs = (cols & ~15) / 2;
        var even = _xEven;
        var odd = _xOdd;
        var y = _y;
        var high = Vector256.Create(0xFFFF0000u);
        var limit = (byte*)(w + ((long)end * cols));
        var first = (byte*)(w + ((long)start * cols));
        PrefetchLines(first, first + PrefetchDistance, limit);
        for (var r = start; r < end; r += 4)
        {
            var w0 = (uint*)(w + ((long)r * cols));
            var w1 = (uint*)(w + ((long)(r + 1) * cols));
            var w2 = (uint*)(w + ((long)(r + 2) * cols));
            var w3 = (uint*)(w + ((long)(r + 3) * cols));
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default;
            var ahead = (byte*)w0 + PrefetchDistance;
            for (var pair = 0; pair < pairs; pair += 8)
            {
                if ((pair & 8) == 0)
                {
                    Prefetch4(ahead, limit);
                    ahead += 256;
                }

                var xe = Vector256.Load(even + pair);
                var xo = Vector256.Load(odd + pair);
                var v0 = Vector256.Load(w0 + pair);
                var v1 = Vector256.Load(w1 + pair);
                var v2 = Vector256.Load(w2 + pair);
                var v3 = Vector256.Load(w3 + pair);
                a0 = Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(v0, 16).AsSingle(), xe, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(v1, 16).AsSingle(), xe, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(v2, 16).AsSingle(), xe, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.ShiftLeft(v3, 16).AsSingle(), xe, a3);
                b0 = Vector256.FusedMultiplyAdd((v0 & high).AsSingle(), xo, b0);
                b1 = Vector256.FusedMultiplyAdd((v1 & high).AsSingle(), xo, b1);
                b2 = Vector256.FusedMultiplyAdd((v2 & high).AsSingle(), xo, b2);
                b3 = Vector256.FusedMultiplyAdd((v3 & high).AsSingle(), xo, b3);
            }

            Sum4(a0 + b0, a1 + b1, a2 + b2, a3 + b3).Store(y + r);
        }
    }

    /// <summary>
    /// float32 rows one at a time with AVX-512: four accumulators over 64 columns a step (four lines of the row a step),
    /// then 16 columns a step, then the tail. The chunk is one sequential stream, left to the hardware prefetcher (see the
    /// class remarks and bench/BENCHMARKS.md for what it gains over four interleaved rows and over software prefetch).
    /// </summary>
    private void RowsF32Wide(float* w, int start, int end)
    {
        long cols = _cols;
        var x = _x;
        for (var r = start; r < end; r++)
        {
            var row = w + (r * cols);
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            var i = 0;
            for (; i + 64 <= cols; i += 64)
            {
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(row + i), Vector512.Load(x + i), a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Load(row + i + 16), Vector512.Load(x + i + 16), a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Load(row + i + 32), Vector512.Load(x + i + 32), a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Load(row + i + 48), Vector512.Load(x + i + 48), a3);
            }

            for (; i + 16 <= cols; i += 16)
            {
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(row + i), Vector512.Load(x + i), a0);
            }

            _y[r] = Vector512.Sum((a0 + a1) + (a2 + a3)) + (i < cols ? TailF32(row, i) : 0);
        }
    }

    /// <summary>
    /// bf16 rows one at a time with AVX-512, as <see cref="RowsF32Wide"/>: 16 uint lanes hold 32 weights, widened as in
    /// <see cref="RowsBf16Vector"/> (a shift for the even-indexed weights, a mask for the odd ones); 64 weights (two loads,
    /// two lines) a step into four accumulators.
    /// </summary>
    private void RowsBf16Wide(ushort* w, int start, int end)
    {
        long cols = _cols;
        var pairs = (int)(cols / 2);
        var even = _xEven;
        var odd = _xOdd;
        var high = Vector512.Create(0xFFFF0000u);
        for (var r = start; r < end; r++)
        {
            var row = (uint*)(w + (r * cols));
            Vector512<float> a0 = default, a1 = default, b0 = default, b1 = default;
            var pair = 0;
            for (; pair + 32 <= pairs; pair += 32)
            {
                var v0 = Vector512.Load(row + pair);
                var v1 = Vector512.Load(row + pair + 16);
                a0 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(v0, 16).AsSingle(), Vector512.Load(even + pair), a0);
                b0 = Vector512.FusedMultiplyAdd((v0 & high).AsSingle(), Vector512.Load(odd + pair), b0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(v1, 16).AsSingle(), Vector512.Load(even + pair + 16), a1);
                b1 = Vector512.FusedMultiplyAdd((v1 & high).AsSingle(), Vector512.Load(odd + pair + 16), b1);
            }

            for (; pair + 16 <= pairs; pair += 16)
            {
                var v0 = Vector512.Load(row + pair);
                a0 = Vector512.FusedMultiplyAdd(Vector512.ShiftLeft(v0, 16).AsSingle(), Vector512.Load(even + pair), a0);
                b0 = Vector512.FusedMultiplyAdd((v0 & high).AsSingle(), Vector512.Load(odd + pair), b0);
            }

            var done = 2 * pair;
            _y[r] = Vector512.Sum((a0 + b0) + (a1 + b1)) + (done < cols ? TailBf16((ushort*)row, done) : 0);
        }
    }

    /// <summary>Prefetches every line from <paramref name="from"/> up to <paramref name="to"/> or <paramref name="limit"/>, whichever comes first.</summary>
    /// <remarks>A chunk's first <see cref="PrefetchDistance"/> bytes, which the loops' running prefetch never covers (here and in <see cref="Int8MatVec"/>), and the int8 kernels' group tails.</remarks>
    internal static void PrefetchLines(byte* from, byte* to, byte* limit)
    {
        for (var line = from; line < to && line < limit; line += 64)
        {
            Sse.Prefetch0(line);
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
    private static Vector128<float> Sum4(Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3)
    {
        var h = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
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
        var acc = Vector256<float>.Zero;
        var i = 0;
        for (; i + 8 <= cols; i += 8)
        {
            acc = Vector256.FusedMultiplyAdd(Vector256.Load(w + i), Vector256.Load(x + i), acc);
        }

        var s = Vector256.Sum(acc);
        for (; i < cols; i++)
        {
            s += w[i] * x[i];
        }

        return s;
    }

    /// <summary>The dot products of <paramref name="w"/> with four vectors into <paramref name="dots"/>[0..3], each summed in the same order as <see cref="Dot"/>.</summary>
    public static void Dot4(float* w, float* x0, float* x1, float* x2, float* x3, int cols, float* dots)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        var i = 0;
        for (; i + 8 <= cols; i += 8)
        {
            var v = Vector256.Load(w + i);
            a0 = Vector256.FusedMultiplyAdd(v, Vector256.Load(x0 + i), a0);
            a1 = Vector256.FusedMultiplyAdd(v, Vector256.Load(x1 + i), a1);
            a2 = Vector256.FusedMultiplyAdd(v, Vector256.Load(x2 + i), a2);
            a3 = Vector256.FusedMultiplyAdd(v, Vector256.Load(x3 + i), a3);
        }

        float s0 = Vector256.Sum(a0), s1 = Vector256.Sum(a1), s2 = Vector256.Sum(a2), s3 = Vector256.Sum(a3);
        for (; i < cols; i++)
        {
            s0 += w[i] * x0[i];
            s1 += w[i] * x1[i];
            s2 += w[i] * x2[i];
            s3 += w[i] * x3[i];
        }

        dots[0] = s0;
        dots[1] = s1;
        dots[2] = s2;
        dots[3] = s3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Bf16(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);
}
