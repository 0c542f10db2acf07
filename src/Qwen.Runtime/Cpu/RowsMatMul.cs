using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Qwen.Runtime;

/// <summary>Y = X·Wᵀ (+ b) for a few activation rows (a batched decode step) with float32 or bfloat16 weights, reading each weight once per step.</summary>
/// <remarks>
/// <para>
/// Decode is bound by reading the weights; libtorch's GEMM packs the weight panel on every call, which for a handful of
/// rows costs about as much as the product. Here each chunk of weight rows (about 128 KB, so it stays in L2) is streamed
/// from memory once and multiplied by all activation rows, six weight rows by four activation rows at a time (24
/// accumulators: each activation load feeds six FMAs, each weight load four), the next six weight rows prefetched
/// meanwhile. Chunks are shared across threads by <see cref="CpuParallel"/>.
/// </para>
/// <para>
/// bf16 weights are used where they lie, as the mat-vec kernel does: 32 bf16 weights are one 512-bit load, and a mask or
/// a shift gives their odd or even halves as float32 (a bf16's bits are the high half of the float's). Each activation
/// row is split once per product into its even and odd columns to match. The arithmetic is float32 either way; only the
/// order of the additions differs between the two weight types.
/// </para>
/// </remarks>
internal sealed unsafe class RowsMatMul(CpuParallel parallel) : IChunkJob, IDisposable
{
    /// <summary>The most activation rows taken here; more rows (prefill) go to a GEMM (PanelMatMul for float32, libtorch's otherwise).</summary>
    public const int MaxRows = 64;

    /// <summary>Weight rows multiplied together: with four activation rows, 24 of the 32 vector registers hold sums.</summary>
    internal const int TileRows = 6;

    private const int ChunkBytes = 128 * 1024;

    private float* _x;
    private void* _w;
    private bool _bf16;
    private float* _bias;
    private float* _y;
    private int _m;
    private int _rows;
    private int _cols;
    private int _rowsPerChunk;

    // bf16 weights: each activation row's columns below the last whole 32, evens then odds (see Split).
    private float* _split;
    private long _splitCapacity;

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
        _rowsPerChunk = Math.Max(TileRows, ChunkBytes / (cols * (bf16 ? sizeof(ushort) : sizeof(float))) / TileRows * TileRows);
        if (bf16)
        {
            Split();
        }

        parallel.Run(this, (rows + _rowsPerChunk - 1) / _rowsPerChunk);
    }

    public void Execute(int chunk)
    {
        var start = chunk * _rowsPerChunk;
        var end = Math.Min(_rows, start + _rowsPerChunk);
        if (_bf16)
        {
            Rows<Bf16Weights>(start, end);
        }
        else
        {
            Rows<Float32Weights>(start, end);
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

    public void Dispose()
    {
        NativeMemory.AlignedFree(_split);
        _split = null;
        _splitCapacity = 0;
    }

    /// <summary>Columns of an activation row in the vector steps: whole steps of the weight type (the rest go one by one).</summary>
    private static int VectorColumns<T>(int cols)
        where T : IWeights => cols / T.Columns * T.Columns;

    /// <summary>Copies each activation row's vector columns as its even columns, then its odd ones (bf16 weights' order).</summary>
    private void Split()
    {
        var half = VectorColumns<Bf16Weights>(_cols) / 2;
        var length = (long)_m * 2 * half;
        if (_splitCapacity < length)
        {
            NativeMemory.AlignedFree(_split);
            _split = (float*)NativeMemory.AlignedAlloc((nuint)(Math.Max(1, length) * sizeof(float)), 64);
            _splitCapacity = length;
        }

        for (var i = 0; i < _m; i++)
        {
            var x = _x + ((long)i * _cols);
            var even = _split + ((long)i * 2 * half);
            var odd = even + half;
            for (var k = 0; k < half; k++)
            {
                even[k] = x[2 * k];
                odd[k] = x[(2 * k) + 1];
            }
        }
    }

    /// <summary>
    /// Rows start..end-1 against every activation row, <see cref="TileRows"/> weight rows at a time, each tile multiplied by
    /// every activation row while it sits in L1; the next tile is prefetched during those products (a line per step of their
    /// loop), so reading memory overlaps the arithmetic instead of stalling the first pass over each chunk. Nothing past the
    /// chunk is prefetched.
    /// </summary>
    private void Rows<T>(int start, int end)
        where T : IWeights
    {
        long cols = _cols;
        var rowBytes = cols * T.ElementSize;
        var limit = (byte*)_w + (end * rowBytes);
        var first = (byte*)_w + (start * rowBytes);
        MatVec.PrefetchLines(first, first + (TileRows * rowBytes), limit);
        for (var r = start; r < end; r += TileRows)
        {
            var count = Math.Min(TileRows, end - r);
            var next = (byte*)_w + ((r + TileRows) * rowBytes);
            var nextEnd = (byte*)Math.Min((long)(next + (TileRows * rowBytes)), (long)limit);
            var w = (byte*)_w + (r * rowBytes);
            if (count < TileRows)
            {
                // A chunk's last rows, fewer than a tile: one dot product per output.
                for (var k = 0; k < count; k++)
                {
                    for (var j = 0; j < _m; j++)
                    {
                        _y[(j * (long)_rows) + r + k] = Dot<T>(w + (k * rowBytes), j);
                    }
                }
            }
            else
            {
                for (var i = 0; i < _m; i += 4)
                {
                    next = Tile<T>(w, r, i, next, nextEnd);
                }
            }

            MatVec.PrefetchLines(next, nextEnd, limit);
        }
    }

    /// <summary>Weight row <paramref name="w"/> (of type <typeparamref name="T"/>) against activation row <paramref name="j"/>.</summary>
    private float Dot<T>(byte* w, int j)
        where T : IWeights
    {
        var vectorColumns = VectorColumns<T>(_cols);
        var x = _x + ((long)j * _cols);
        var xs = T.Split ? _split + ((long)j * vectorColumns) : x;
        var acc = Vector512<float>.Zero;
        for (int step = 0, steps = vectorColumns / 16; step < steps; step++)
        {
            acc = Vector512.FusedMultiplyAdd(T.Load(w, step), Vector512.Load(xs + T.XOffset(step, vectorColumns)), acc);
        }

        var s = Vector512.Sum(acc);
        for (var c = vectorColumns; c < _cols; c++)
        {
            s += T.Scalar(w, c) * x[c];
        }

        return s;
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
    /// Weight rows r..r+5 (from <paramref name="w0"/>) against activation rows i..i+3 (a last group of fewer repeats its
    /// first row in the missing places, computed and not stored), prefetching a line from <paramref name="ahead"/> per step
    /// while it is short of <paramref name="aheadEnd"/>; returns the next line to prefetch.
    /// </summary>
    private byte* Tile<T>(byte* w0, int r, int i, byte* ahead, byte* aheadEnd)
        where T : IWeights
    {
        long cols = _cols;
        var count = Math.Min(4, _m - i);
        var vectorColumns = VectorColumns<T>(_cols);
        var rowBytes = cols * T.ElementSize;
        var xRow = T.Split ? vectorColumns : cols;
        var x0 = (T.Split ? _split : _x) + (i * xRow);
        var x1 = count > 1 ? x0 + xRow : x0;
        var x2 = count > 2 ? x0 + (2 * xRow) : x0;
        var x3 = count > 3 ? x0 + (3 * xRow) : x0;
        var w1 = w0 + rowBytes;
        var w2 = w1 + rowBytes;
        var w3 = w2 + rowBytes;
        var w4 = w3 + rowBytes;
        var w5 = w4 + rowBytes;
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        Vector512<float> a40 = default, a41 = default, a42 = default, a43 = default;
        Vector512<float> a50 = default, a51 = default, a52 = default, a53 = default;
        for (int step = 0, steps = vectorColumns / 16; step < steps; step++)
        {
            if (ahead < aheadEnd)
            {
                Sse.Prefetch0(ahead);
                ahead += 64;
            }

            var offset = T.XOffset(step, vectorColumns);
            var v0 = Vector512.Load(x0 + offset);
            var v1 = Vector512.Load(x1 + offset);
            var v2 = Vector512.Load(x2 + offset);
            var v3 = Vector512.Load(x3 + offset);
            var w = T.Load(w0, step);
            a00 = Vector512.FusedMultiplyAdd(w, v0, a00);
            a01 = Vector512.FusedMultiplyAdd(w, v1, a01);
            a02 = Vector512.FusedMultiplyAdd(w, v2, a02);
            a03 = Vector512.FusedMultiplyAdd(w, v3, a03);
            w = T.Load(w1, step);
            a10 = Vector512.FusedMultiplyAdd(w, v0, a10);
            a11 = Vector512.FusedMultiplyAdd(w, v1, a11);
            a12 = Vector512.FusedMultiplyAdd(w, v2, a12);
            a13 = Vector512.FusedMultiplyAdd(w, v3, a13);
            w = T.Load(w2, step);
            a20 = Vector512.FusedMultiplyAdd(w, v0, a20);
            a21 = Vector512.FusedMultiplyAdd(w, v1, a21);
            a22 = Vector512.FusedMultiplyAdd(w, v2, a22);
            a23 = Vector512.FusedMultiplyAdd(w, v3, a23);
            w = T.Load(w3, step);
            a30 = Vector512.FusedMultiplyAdd(w, v0, a30);
            a31 = Vector512.FusedMultiplyAdd(w, v1, a31);
            a32 = Vector512.FusedMultiplyAdd(w, v2, a32);
            a33 = Vector512.FusedMultiplyAdd(w, v3, a33);
            w = T.Load(w4, step);
            a40 = Vector512.FusedMultiplyAdd(w, v0, a40);
            a41 = Vector512.FusedMultiplyAdd(w, v1, a41);
            a42 = Vector512.FusedMultiplyAdd(w, v2, a42);
            a43 = Vector512.FusedMultiplyAdd(w, v3, a43);
            w = T.Load(w5, step);
            a50 = Vector512.FusedMultiplyAdd(w, v0, a50);
            a51 = Vector512.FusedMultiplyAdd(w, v1, a51);
            a52 = Vector512.FusedMultiplyAdd(w, v2, a52);
            a53 = Vector512.FusedMultiplyAdd(w, v3, a53);
        }

        // The 24 horizontal sums, eight at a time in one transposed reduction; sums[4k + j] is weight row k by activation row j.
        var sums = stackalloc float[4 * TileRows];
        Sum8(a00, a01, a02, a03, a10, a11, a12, a13).Store(sums);
        Sum8(a20, a21, a22, a23, a30, a31, a32, a33).Store(sums + 8);
        Sum8(a40, a41, a42, a43, a50, a51, a52, a53).Store(sums + 16);
        if (vectorColumns < cols)
        {
            // The last columns, one by one, from the activation rows as given.
            for (var j = 0; j < count; j++)
            {
                var x = _x + ((i + j) * cols);
                for (var k = 0; k < TileRows; k++)
                {
                    var row = w0 + (k * rowBytes);
                    var s = 0f;
                    for (var c = vectorColumns; c < cols; c++)
                    {
                        s += T.Scalar(row, (int)c) * x[c];
                    }

                    sums[(4 * k) + j] += s;
                }
            }
        }

        for (var j = 0; j < count; j++)
        {
            var y = _y + ((i + j) * (long)_rows) + r;
            for (var k = 0; k < TileRows; k++)
            {
                y[k] = sums[(4 * k) + j];
            }
        }

        return ahead;
    }

    /// <summary>How a weight type's rows are read as float32 vectors.</summary>
    private interface IWeights
    {
        /// <summary>Gets the bytes of one weight.</summary>
        static abstract int ElementSize { get; }

        /// <summary>Gets the columns the vector loop takes at a time: each gives float32 vectors of 16 weights.</summary>
        static abstract int Columns { get; }

        /// <summary>Gets whether the activations are read from their even/odd split (see <see cref="Split"/>).</summary>
        static abstract bool Split { get; }

        /// <summary>The 16 weights of a row that vector step <paramref name="step"/> multiplies, as float32.</summary>
        static abstract Vector512<float> Load(byte* row, int step);

        /// <summary>Where the 16 activations of step <paramref name="step"/> start, from the start of an activation row (split rows hold <paramref name="vectorColumns"/> values).</summary>
        static abstract int XOffset(int step, int vectorColumns);

        /// <summary>Weight <paramref name="c"/> of a row as float32.</summary>
        static abstract float Scalar(byte* row, int c);
    }

    private readonly struct Float32Weights : IWeights
    {
        public static int ElementSize => sizeof(float);

        public static int Columns => 16;

        public static bool Split => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(byte* row, int step) => Vector512.Load((float*)row + (16 * step));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int XOffset(int step, int vectorColumns) => 16 * step;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Scalar(byte* row, int c) => ((float*)row)[c];
    }

    /// <summary>32 bf16 weights (one load) for two steps: an even step takes their even columns (the low halves shifted up), an odd step their odd columns (the high halves, the low ones masked off).</summary>
    private readonly struct Bf16Weights : IWeights
    {
        public static int ElementSize => sizeof(ushort);

        public static int Columns => 32;

        public static bool Split => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(byte* row, int step)
        {
            // A shift by 16 (even step) or 0 (odd), then the mask: no branch in the loop.
            var v = Vector512.Load((uint*)row + (16 * (step >> 1)));
            return (Vector512.ShiftLeft(v, 16 - (16 * (step & 1))) & Vector512.Create(0xFFFF0000u)).AsSingle();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int XOffset(int step, int vectorColumns) => ((step & 1) * (vectorColumns / 2)) + (16 * (step >> 1));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Scalar(byte* row, int c) => BitConverter.UInt32BitsToSingle((uint)((ushort*)row)[c] << 16);
    }
}
