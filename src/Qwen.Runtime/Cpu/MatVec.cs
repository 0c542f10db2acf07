using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Qwen.Runtime;

/// <summary>y = W·x (+ b) for one activation row: the memory-bound heart of single-token decode on the CPU.</summary>
/// <remarks>
/// W is row-major [rows, cols] in float32 or bfloat16 (widened to float32 in registers, so bf16 weights cost half the
/// memory traffic with float32 accuracy of the arithmetic); x, b and y are float32. Four rows are computed at once so
/// each load of x feeds four streams, with 512-bit vectors where the CPU has them.
/// </remarks>
internal sealed unsafe class MatVec : IChunkJob
{
    // About 128 KB of weights per chunk: large enough to amortise claiming, small enough to balance two threads.
    private const int ChunkBytes = 128 * 1024;

    private readonly CpuParallel _parallel;
    private float* _x;
    private void* _w;
    private float* _bias;
    private float* _y;
    private int _rows;
    private int _cols;
    private int _rowsPerChunk;
    private bool _bf16;

    public MatVec(CpuParallel parallel) => _parallel = parallel;

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
        var cols = _cols;
        var x = _x;
        var r = start;
        for (; r + 4 <= end; r += 4)
        {
            float* w0 = w + ((long)r * cols), w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols;
            var a0 = Vector512<float>.Zero;
            var a1 = Vector512<float>.Zero;
            var a2 = Vector512<float>.Zero;
            var a3 = Vector512<float>.Zero;
            var i = 0;
            for (; i + 16 <= cols; i += 16)
            {
                var xv = Vector512.Load(x + i);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(w0 + i), xv, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Load(w1 + i), xv, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Load(w2 + i), xv, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Load(w3 + i), xv, a3);
            }

            float s0 = Vector512.Sum(a0), s1 = Vector512.Sum(a1), s2 = Vector512.Sum(a2), s3 = Vector512.Sum(a3);
            for (; i < cols; i++)
            {
                s0 += w0[i] * x[i];
                s1 += w1[i] * x[i];
                s2 += w2[i] * x[i];
                s3 += w3[i] * x[i];
            }

            _y[r] = s0;
            _y[r + 1] = s1;
            _y[r + 2] = s2;
            _y[r + 3] = s3;
        }

        for (; r < end; r++)
        {
            _y[r] = DotF32(w + ((long)r * cols), x, cols);
        }
    }

    private void RowsBf16(ushort* w, int start, int end)
    {
        var cols = _cols;
        var x = _x;
        var r = start;
        for (; r + 4 <= end; r += 4)
        {
            ushort* w0 = w + ((long)r * cols), w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols;
            var a0 = Vector512<float>.Zero;
            var a1 = Vector512<float>.Zero;
            var a2 = Vector512<float>.Zero;
            var a3 = Vector512<float>.Zero;
            var i = 0;
            for (; i + 16 <= cols; i += 16)
            {
                var xv = Vector512.Load(x + i);
                a0 = Vector512.FusedMultiplyAdd(Widen(w0 + i), xv, a0);
                a1 = Vector512.FusedMultiplyAdd(Widen(w1 + i), xv, a1);
                a2 = Vector512.FusedMultiplyAdd(Widen(w2 + i), xv, a2);
                a3 = Vector512.FusedMultiplyAdd(Widen(w3 + i), xv, a3);
            }

            float s0 = Vector512.Sum(a0), s1 = Vector512.Sum(a1), s2 = Vector512.Sum(a2), s3 = Vector512.Sum(a3);
            for (; i < cols; i++)
            {
                s0 += Bf16(w0[i]) * x[i];
                s1 += Bf16(w1[i]) * x[i];
                s2 += Bf16(w2[i]) * x[i];
                s3 += Bf16(w3[i]) * x[i];
            }

            _y[r] = s0;
            _y[r + 1] = s1;
            _y[r + 2] = s2;
            _y[r + 3] = s3;
        }

        for (; r < end; r++)
        {
            var row = w + ((long)r * cols);
            float s = 0;
            for (var i = 0; i < cols; i++)
            {
                s += Bf16(row[i]) * x[i];
            }

            _y[r] = s;
        }
    }

    private static float DotF32(float* w, float* x, int cols)
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

    /// <summary>16 bfloat16 values to float32: the bf16 bits are the high half of the float's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Widen(ushort* p) =>
        Vector512.ShiftLeft(Vector512.WidenLower(Vector256.Load(p).ToVector512Unsafe()), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Bf16(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);
}
