using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Qwen.Runtime;

/// <summary>Y = X·Wᵀ (+ b) in float32 for many activation rows (a prefill), with AVX-512: a packed, cache-blocked GEMM.</summary>
/// <remarks>
/// <para>
/// libtorch's float32 GEMM is MKL's sgemm, which on AMD processors runs its generic 256-bit code (about 157 GFLOP/s on
/// two Zen 5 cores against about 440 at peak), while its bf16 GEMM (oneDNN) uses AVX-512; this kernel is used instead
/// where AVX-512 is available. It is the usual blocked layout (Goto and van de Geijn, as in BLIS): the activations are
/// packed once per call as panels of <see cref="Mr"/> rows interleaved by column; each job chunk takes
/// <see cref="Nc"/> weight rows, packs them a <see cref="Kc"/>-column slice at a time as panels of <see cref="Nr"/> rows
/// (so the slice stays in L2 and one panel in L1), and multiplies every activation panel by each weight panel with a
/// 12×32 register tile: per column, two weight vectors, twelve broadcast activations, 24 FMAs into 24 accumulators.
/// </para>
/// <para>
/// Sums are taken column by column in order within each <see cref="Kc"/> slice and the slices added in order, so results
/// differ from another GEMM's only in float rounding.
/// </para>
/// </remarks>
internal sealed unsafe class PanelMatMul(CpuParallel parallel) : IChunkJob, IDisposable
{
    /// <summary>Activation rows of the register tile.</summary>
    internal const int Mr = 12;

    /// <summary>Weight rows (output columns) of the register tile: two 512-bit vectors.</summary>
    internal const int Nr = 32;

    /// <summary>Columns (the inner dimension) of one packed slice: a 32×256 weight panel is 32 KB, within L1.</summary>
    internal const int Kc = 256;

    /// <summary>Weight rows of one job chunk: small enough that two threads share even a 896-row product evenly.</summary>
    internal const int Nc = 64;

    /// <summary>Activation panels multiplied by one weight panel before the next: 240 rows × 256 columns (240 KB) stay in L2.</summary>
    private const int McPanels = 20;

    [ThreadStatic]
    private static float[]? t_weights;

    private float* _x;
    private float* _packedX;
    private long _packedCapacity;
    private float* _w;
    private float* _bias;
    private float* _y;
    private int _m;
    private int _n;
    private int _k;
    private bool _packing;

    /// <summary>Gets whether this CPU runs the kernel (AVX-512 with its vectors accelerated).</summary>
    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    /// <summary>y [m, n] = x [m, k] · w [n, k]ᵀ + bias [n] (bias may be null), all float32 and contiguous.</summary>
    public void Multiply(float* x, int m, float* w, float* bias, float* y, int n, int k)
    {
        // The packed activations are kept for the next call (the same few shapes recur layer after layer) and grow
        // to the largest product's: at most a prefill slice's activations, a few MB.
        var panels = (m + Mr - 1) / Mr;
        var floats = (long)panels * Mr * k;
        if (floats > _packedCapacity)
        {
            NativeMemory.AlignedFree(_packedX);
            _packedX = null;
            _packedCapacity = 0;
            _packedX = (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
            _packedCapacity = floats;
        }

        _x = x;
        _w = w;
        _bias = bias;
        _y = y;
        _m = m;
        _n = n;
        _k = k;
        _packing = true;
        parallel.Run(this, panels);
        _packing = false;
        parallel.Run(this, (n + Nc - 1) / Nc);
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_packedX);
        _packedX = null;
        _packedCapacity = 0;
    }

    public void Execute(int chunk)
    {
        if (_packing)
        {
            PackActivations(chunk);
        }
        else
        {
            MultiplyChunk(chunk);
        }
    }

    /// <summary>Activation panel <paramref name="panel"/> as [k][Mr]: column by column, the panel's rows side by side (missing rows zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackActivations(int panel)
    {
        long k = _k;
        var destination = _packedX + (panel * Mr * k);
        for (var i = 0; i < Mr; i++)
        {
            var row = (panel * Mr) + i;
            if (row >= _m)
            {
                for (var c = 0L; c < k; c++)
                {
                    destination[(c * Mr) + i] = 0;
                }

                continue;
            }

            var source = _x + (row * k);
            for (var c = 0L; c < k; c++)
            {
                destination[(c * Mr) + i] = source[c];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MultiplyChunk(int chunk)
    {
        var n0 = chunk * Nc;
        var nc = Math.Min(Nc, _n - n0);
        var weightPanels = (nc + Nr - 1) / Nr;
        var activationPanels = (_m + Mr - 1) / Mr;
        var packedW = ThreadWeights();
        long k = _k;
        for (var k0 = 0; k0 < _k; k0 += Kc)
        {
            var kc = Math.Min(Kc, _k - k0);
            PackWeights(n0, nc, k0, kc, packedW);
            var first = k0 == 0;
            for (var p0 = 0; p0 < activationPanels; p0 += McPanels)
            {
                var p1 = Math.Min(activationPanels, p0 + McPanels);
                for (var j = 0; j < weightPanels; j++)
                {
                    var column = n0 + (j * Nr);
                    var cols = Math.Min(Nr, _n - column);
                    var panel = packedW + (j * kc * Nr);
                    var bias = first && _bias is not null ? _bias + column : null;
                    for (var p = p0; p < p1; p++)
                    {
                        var row = p * Mr;
                        Kernel(_packedX + (p * Mr * k) + (k0 * Mr), panel, kc, _y + (row * (long)_n) + column, _n, bias, !first, Math.Min(Mr, _m - row), cols);
                    }
                }
            }
        }
    }

    /// <summary>Weight rows n0..n0+nc-1, columns k0..k0+kc-1, as panels of [kc][Nr] (rows past the end zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackWeights(int n0, int nc, int k0, int kc, float* destination)
    {
        long k = _k;
        var panels = (nc + Nr - 1) / Nr;
        for (var j = 0; j < panels; j++)
        {
            var panel = destination + (j * kc * Nr);
            for (var half = 0; half < Nr; half += 16)
            {
                // Sixteen rows by sixteen columns at a time through a register transpose; a partial block (the last
                // rows of the weight, or columns short of sixteen) element by element.
                var row = (j * Nr) + half;
                var source = _w + ((n0 + row) * k) + k0;
                var c = 0;
                if (row + 16 <= nc)
                {
                    for (; c + 16 <= kc; c += 16)
                    {
                        Transpose16(source + c, k, panel + (c * Nr) + half, Nr);
                    }
                }

                for (var r = 0; r < 16; r++)
                {
                    var valid = row + r < nc;
                    for (var i = c; i < kc; i++)
                    {
                        panel[(i * Nr) + half + r] = valid ? source[(r * k) + i] : 0;
                    }
                }
            }
        }
    }

    /// <summary>Writes the 16×16 block at <paramref name="source"/> (row stride <paramref name="stride"/>) transposed to <paramref name="destination"/> (row stride <paramref name="destinationStride"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Transpose16(float* source, long stride, float* destination, long destinationStride)
    {
        // Pairs of rows interleaved by element, then by pairs of elements, then 128-bit lanes exchanged twice.
        var r0 = Vector512.Load(source);
        var r1 = Vector512.Load(source + stride);
        var r2 = Vector512.Load(source + (2 * stride));
        var r3 = Vector512.Load(source + (3 * stride));
        var r4 = Vector512.Load(source + (4 * stride));
        var r5 = Vector512.Load(source + (5 * stride));
        var r6 = Vector512.Load(source + (6 * stride));
        var r7 = Vector512.Load(source + (7 * stride));
        var r8 = Vector512.Load(source + (8 * stride));
        var r9 = Vector512.Load(source + (9 * stride));
        var r10 = Vector512.Load(source + (10 * stride));
        var r11 = Vector512.Load(source + (11 * stride));
        var r12 = Vector512.Load(source + (12 * stride));
        var r13 = Vector512.Load(source + (13 * stride));
        var r14 = Vector512.Load(source + (14 * stride));
        var r15 = Vector512.Load(source + (15 * stride));

        var t0 = Avx512F.UnpackLow(r0, r1);
        var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3);
        var t3 = Avx512F.UnpackHigh(r2, r3);
        var t4 = Avx512F.UnpackLow(r4, r5);
        var t5 = Avx512F.UnpackHigh(r4, r5);
        var t6 = Avx512F.UnpackLow(r6, r7);
        var t7 = Avx512F.UnpackHigh(r6, r7);
        var t8 = Avx512F.UnpackLow(r8, r9);
        var t9 = Avx512F.UnpackHigh(r8, r9);
        var t10 = Avx512F.UnpackLow(r10, r11);
        var t11 = Avx512F.UnpackHigh(r10, r11);
        var t12 = Avx512F.UnpackLow(r12, r13);
        var t13 = Avx512F.UnpackHigh(r12, r13);
        var t14 = Avx512F.UnpackLow(r14, r15);
        var t15 = Avx512F.UnpackHigh(r14, r15);

        r0 = PairsLow(t0, t2);
        r1 = PairsHigh(t0, t2);
        r2 = PairsLow(t1, t3);
        r3 = PairsHigh(t1, t3);
        r4 = PairsLow(t4, t6);
        r5 = PairsHigh(t4, t6);
        r6 = PairsLow(t5, t7);
        r7 = PairsHigh(t5, t7);
        r8 = PairsLow(t8, t10);
        r9 = PairsHigh(t8, t10);
        r10 = PairsLow(t9, t11);
        r11 = PairsHigh(t9, t11);
        r12 = PairsLow(t12, t14);
        r13 = PairsHigh(t12, t14);
        r14 = PairsLow(t13, t15);
        r15 = PairsHigh(t13, t15);

        t0 = Avx512F.Shuffle4x128(r0, r4, 0x88);
        t1 = Avx512F.Shuffle4x128(r1, r5, 0x88);
        t2 = Avx512F.Shuffle4x128(r2, r6, 0x88);
        t3 = Avx512F.Shuffle4x128(r3, r7, 0x88);
        t4 = Avx512F.Shuffle4x128(r0, r4, 0xDD);
        t5 = Avx512F.Shuffle4x128(r1, r5, 0xDD);
        t6 = Avx512F.Shuffle4x128(r2, r6, 0xDD);
        t7 = Avx512F.Shuffle4x128(r3, r7, 0xDD);
        t8 = Avx512F.Shuffle4x128(r8, r12, 0x88);
        t9 = Avx512F.Shuffle4x128(r9, r13, 0x88);
        t10 = Avx512F.Shuffle4x128(r10, r14, 0x88);
        t11 = Avx512F.Shuffle4x128(r11, r15, 0x88);
        t12 = Avx512F.Shuffle4x128(r8, r12, 0xDD);
        t13 = Avx512F.Shuffle4x128(r9, r13, 0xDD);
        t14 = Avx512F.Shuffle4x128(r10, r14, 0xDD);
        t15 = Avx512F.Shuffle4x128(r11, r15, 0xDD);

        Avx512F.Shuffle4x128(t0, t8, 0x88).Store(destination);
        Avx512F.Shuffle4x128(t1, t9, 0x88).Store(destination + destinationStride);
        Avx512F.Shuffle4x128(t2, t10, 0x88).Store(destination + (2 * destinationStride));
        Avx512F.Shuffle4x128(t3, t11, 0x88).Store(destination + (3 * destinationStride));
        Avx512F.Shuffle4x128(t4, t12, 0x88).Store(destination + (4 * destinationStride));
        Avx512F.Shuffle4x128(t5, t13, 0x88).Store(destination + (5 * destinationStride));
        Avx512F.Shuffle4x128(t6, t14, 0x88).Store(destination + (6 * destinationStride));
        Avx512F.Shuffle4x128(t7, t15, 0x88).Store(destination + (7 * destinationStride));
        Avx512F.Shuffle4x128(t0, t8, 0xDD).Store(destination + (8 * destinationStride));
        Avx512F.Shuffle4x128(t1, t9, 0xDD).Store(destination + (9 * destinationStride));
        Avx512F.Shuffle4x128(t2, t10, 0xDD).Store(destination + (10 * destinationStride));
        Avx512F.Shuffle4x128(t3, t11, 0xDD).Store(destination + (11 * destinationStride));
        Avx512F.Shuffle4x128(t4, t12, 0xDD).Store(destination + (12 * destinationStride));
        Avx512F.Shuffle4x128(t5, t13, 0xDD).Store(destination + (13 * destinationStride));
        Avx512F.Shuffle4x128(t6, t14, 0xDD).Store(destination + (14 * destinationStride));
        Avx512F.Shuffle4x128(t7, t15, 0xDD).Store(destination + (15 * destinationStride));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PairsLow(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PairsHigh(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle();

    /// <summary>This thread's buffer for one chunk's packed weights, 64-byte aligned.</summary>
    private static float* ThreadWeights()
    {
        const int Floats = (Nc * Kc) + 16;
        t_weights ??= GC.AllocateUninitializedArray<float>(Floats, pinned: true);
        var address = (nint)Unsafe.AsPointer(ref t_weights[0]);
        return (float*)((address + 63) & ~(nint)63);
    }

    /// <summary>
    /// The 12×32 tile at <paramref name="c"/> (row stride <paramref name="ldc"/>) from a packed activation panel
    /// <paramref name="a"/> ([kc][Mr]) and weight panel <paramref name="b"/> ([kc][Nr]): stored as the product plus
    /// <paramref name="bias"/> (when not null), or added to the tile when <paramref name="accumulate"/>; only the first
    /// <paramref name="rows"/> × <paramref name="cols"/> are written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel(float* a, float* b, int kc, float* c, long ldc, float* bias, bool accumulate, int rows, int cols)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (var i = 0; i < kc; i++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var v = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(v, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(v, b1, c01);
            v = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(v, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(v, b1, c11);
            v = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(v, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(v, b1, c21);
            v = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(v, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(v, b1, c31);
            v = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(v, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(v, b1, c41);
            v = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(v, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(v, b1, c51);
            v = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(v, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(v, b1, c61);
            v = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(v, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(v, b1, c71);
            v = Vector512.Create(a[8]);
            c80 = Vector512.FusedMultiplyAdd(v, b0, c80);
            c81 = Vector512.FusedMultiplyAdd(v, b1, c81);
            v = Vector512.Create(a[9]);
            c90 = Vector512.FusedMultiplyAdd(v, b0, c90);
            c91 = Vector512.FusedMultiplyAdd(v, b1, c91);
            v = Vector512.Create(a[10]);
            ca0 = Vector512.FusedMultiplyAdd(v, b0, ca0);
            ca1 = Vector512.FusedMultiplyAdd(v, b1, ca1);
            v = Vector512.Create(a[11]);
            cb0 = Vector512.FusedMultiplyAdd(v, b0, cb0);
            cb1 = Vector512.FusedMultiplyAdd(v, b1, cb1);
            a += Mr;
            b += Nr;
        }

        // A whole tile goes straight to the product; a partial one (the last rows or columns) through a buffer, then
        // element by element.
        var whole = rows == Mr && cols == Nr;
        var tile = stackalloc float[whole ? 0 : Mr * Nr];
        var target = whole ? c : tile;
        var stride = whole ? ldc : Nr;
        var targetBias = whole ? bias : null;
        var add = whole && accumulate;
        StoreRow(target, c00, c01, targetBias, add);
        StoreRow(target + stride, c10, c11, targetBias, add);
        StoreRow(target + (2 * stride), c20, c21, targetBias, add);
        StoreRow(target + (3 * stride), c30, c31, targetBias, add);
        StoreRow(target + (4 * stride), c40, c41, targetBias, add);
        StoreRow(target + (5 * stride), c50, c51, targetBias, add);
        StoreRow(target + (6 * stride), c60, c61, targetBias, add);
        StoreRow(target + (7 * stride), c70, c71, targetBias, add);
        StoreRow(target + (8 * stride), c80, c81, targetBias, add);
        StoreRow(target + (9 * stride), c90, c91, targetBias, add);
        StoreRow(target + (10 * stride), ca0, ca1, targetBias, add);
        StoreRow(target + (11 * stride), cb0, cb1, targetBias, add);
        if (whole)
        {
            return;
        }

        for (var i = 0; i < rows; i++)
        {
            var row = c + (i * ldc);
            for (var j = 0; j < cols; j++)
            {
                var value = tile[(i * Nr) + j];
                row[j] = accumulate ? row[j] + value : bias is null ? value : value + bias[j];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector512<float> v0, Vector512<float> v1, float* bias, bool accumulate)
    {
        if (accumulate)
        {
            v0 += Vector512.Load(c);
            v1 += Vector512.Load(c + 16);
        }
        else if (bias is not null)
        {
            v0 += Vector512.Load(bias);
            v1 += Vector512.Load(bias + 16);
        }

        v0.Store(c);
        v1.Store(c + 16);
    }
}
