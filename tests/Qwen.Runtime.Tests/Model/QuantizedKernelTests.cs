namespace Qwen.Runtime.Tests.Model;

/// <summary>The integer kernel (<see cref="Int8MatVec"/>) on 8-bit and 4-bit weights: vector paths against the scalar one, batched rows against single ones, and the error against exact products.</summary>
public sealed class QuantizedKernelTests
{
    /// <summary>Each weight type and shape (odd block counts included: 160 and 96 columns) for the AVX-512 kernel (512) and the AVX2 one (256).</summary>
    public static TheoryData<ModelDType, int, int, int, int> KernelShapes()
    {
        var data = new TheoryData<ModelDType, int, int, int, int>();
        foreach (var dtype in new[] { ModelDType.Int8, ModelDType.Int4 })
        {
            foreach (var bits in new[] { 512, 256 })
            {
                foreach (var (m, rows, cols) in new[] { (1, 37, 896), (1, 8, 32), (1, 13, 160), (5, 64, 96), (3, 9, 1000), (16, 130, 4864) })
                {
                    data.Add(dtype, bits, m, rows, cols);
                }
            }
        }

        return data;
    }

    /// <summary>The AVX-512 and AVX2 kernels and the scalar one compute the same integer block sums; only the float summation order differs.</summary>
    [Theory]
    [MemberData(nameof(KernelShapes))]
    public unsafe void MultiplyRows_VectorKernel_EqualsScalarKernel(ModelDType dtype, int bits, int m, int rows, int cols)
    {
        var problem = RandomProblem(dtype, m, rows, cols, seed: m + rows + cols);
        var bias = Enumerable.Range(0, rows).Select(i => i * 0.01f).ToArray();
        using var parallel = new CpuParallel(2);
        using var vector = new Int8MatVec(parallel, bits);
        using var scalar = new Int8MatVec(parallel, maxVectorBits: 0);
        var expectedBits = bits == 512 && Int8MatVec.SupportsAvx512 ? 512 : Int8MatVec.SupportsAvx2 ? 256 : 0;
        Assert.Equal(expectedBits, vector.VectorBits);
        Assert.Equal(0, scalar.VectorBits);
        var a = new float[m * rows];
        var b = new float[m * rows];
        fixed (float* xp = problem.X)
        fixed (byte* wp = problem.Packed)
        fixed (float* bp = bias)
        fixed (float* ap = a)
        fixed (float* sp = b)
        {
            Multiply(vector, dtype, xp, m, wp, bp, ap, rows, cols);
            Multiply(scalar, dtype, xp, m, wp, bp, sp, rows, cols);
        }

        for (var i = 0; i < a.Length; i++)
        {
            // Float sums of a few terms per block in different orders (and the 4-bit offset taken off in two ways).
            Assert.True(Math.Abs(a[i] - b[i]) <= 2e-6f * QuantizedWeight.Blocks(cols) * (1 + Math.Abs(b[i])), $"output {i}: vector {a[i]}, scalar {b[i]}");
        }
    }

    /// <summary>Several activation rows at once, fewer than go in lanes (a small batched decode step), give exactly what each row gives alone (4-bit: the chunk unpacked once for all rows).</summary>
    [Theory]
    [InlineData(ModelDType.Int8)]
    [InlineData(ModelDType.Int4)]
    public unsafe void MultiplyRows_SeveralRows_BitIdenticalToOneRowAtATime(ModelDType dtype)
    {
        const int M = Int8MatVec.MinLaneRows4 - 1, Rows = 77, Cols = 896;
        var problem = RandomProblem(dtype, M, Rows, Cols, seed: 5);
        using var parallel = new CpuParallel(2);
        using var kernel = new Int8MatVec(parallel);
        var together = new float[M * Rows];
        var alone = new float[M * Rows];
        fixed (float* xp = problem.X)
        fixed (byte* wp = problem.Packed)
        fixed (float* tp = together)
        fixed (float* ap = alone)
        {
            Multiply(kernel, dtype, xp, M, wp, null, tp, Rows, Cols);
            for (var i = 0; i < M; i++)
            {
                Multiply(kernel, dtype, xp + (i * Cols), 1, wp, null, ap + (i * Rows), Rows, Cols);
            }
        }

        Assert.Equal(alone, together);
    }

    /// <summary>
    /// With activation rows in lanes (a batched step of <see cref="Int8MatVec.MinLaneRows8"/> rows or more for 8-bit weights, <see cref="Int8MatVec.MinLaneRows4"/> for 4-bit; AVX-512) the
    /// integer block sums are the row-by-row kernel's; each block's sum is converted whole, so only float rounding differs.
    /// Shapes cover one lane group, a partial one, several, a row count not a multiple of four and odd block counts.
    /// </summary>
    [Theory]
    [InlineData(ModelDType.Int8, 16, 130, 4864)]
    [InlineData(ModelDType.Int8, Int8MatVec.MinLaneRows8, 37, 896)]
    [InlineData(ModelDType.Int8, 40, 9, 1000)]
    [InlineData(ModelDType.Int4, 16, 130, 4864)]
    [InlineData(ModelDType.Int4, Int8MatVec.MinLaneRows4, 37, 896)]
    [InlineData(ModelDType.Int4, 33, 13, 160)]
    public unsafe void MultiplyRows_RowsInLanes_EqualRowByRowToFloatRounding(ModelDType dtype, int m, int rows, int cols)
    {
        var problem = RandomProblem(dtype, m, rows, cols, seed: m * rows);
        var bias = Enumerable.Range(0, rows).Select(i => 1 - (i * 0.02f)).ToArray();
        using var parallel = new CpuParallel(2);
        using var lanes = new Int8MatVec(parallel);
        using var rowByRow = new Int8MatVec(parallel, lanes: false);
        var a = new float[m * rows];
        var b = new float[m * rows];
        fixed (float* xp = problem.X)
        fixed (byte* wp = problem.Packed)
        fixed (float* bp = bias)
        fixed (float* ap = a)
        fixed (float* rp = b)
        {
            Multiply(lanes, dtype, xp, m, wp, bp, ap, rows, cols);
            Multiply(rowByRow, dtype, xp, m, wp, bp, rp, rows, cols);
        }

        for (var i = 0; i < a.Length; i++)
        {
            Assert.True(Math.Abs(a[i] - b[i]) <= 2e-6f * QuantizedWeight.Blocks(cols) * (1 + Math.Abs(b[i])), $"output {i}: lanes {a[i]}, row by row {b[i]}");
        }

        Assert.Contains(a, v => v != 0);
    }

    /// <summary>Against exact (float64) products of the same dequantized weights, the only error left is the activations' 8-bit rounding.</summary>
    [Theory]
    [InlineData(ModelDType.Int8, 1, 61, 896)]
    [InlineData(ModelDType.Int8, 4, 33, 200)]
    [InlineData(ModelDType.Int4, 1, 61, 896)]
    [InlineData(ModelDType.Int4, 4, 33, 200)]
    public unsafe void MultiplyRows_RandomProblem_WithinActivationRoundingOfExact(ModelDType dtype, int m, int rows, int cols)
    {
        var problem = RandomProblem(dtype, m, rows, cols, seed: 3);
        var y = new float[m * rows];
        using var parallel = new CpuParallel(2);
        using var kernel = new Int8MatVec(parallel);
        fixed (float* xp = problem.X)
        fixed (byte* wp = problem.Packed)
        fixed (float* yp = y)
        {
            Multiply(kernel, dtype, xp, m, wp, null, yp, rows, cols);
        }

        var x = problem.X;
        var dequantized = problem.Dequantized;
        for (var i = 0; i < m; i++)
        {
            for (var r = 0; r < rows; r++)
            {
                double exact = 0, bound = 0;
                for (var c = 0; c < cols; c++)
                {
                    exact += dequantized[(r * cols) + c] * (double)x[(i * cols) + c];

                    // Each activation moves by at most half its block's step (max|x| / 254).
                    var blockMax = x.Skip((i * cols) + (c / 32 * 32)).Take(Math.Min(32, cols - (c / 32 * 32))).Max(Math.Abs);
                    bound += Math.Abs(dequantized[(r * cols) + c]) * blockMax / 254;
                }

                Assert.True(Math.Abs(y[(i * rows) + r] - exact) <= (bound * 1.01) + 1e-4, $"{dtype} row {i}, output {r}: {y[(i * rows) + r]} vs {exact} (bound {bound})");
            }
        }
    }

    /// <summary>Widening packed rows to bf16 for a prefill's GEMM gives the float dequantization rounded to nearest even (the vector path on whole 4-bit quads and 8-bit blocks, the rest one by one).</summary>
    [Theory]
    [InlineData(ModelDType.Int8, 100)]
    [InlineData(ModelDType.Int4, 100)]
    [InlineData(ModelDType.Int4, 200)]
    [InlineData(ModelDType.Int4, 896)]
    public unsafe void DequantizeRowBf16_RandomRow_IsTheFloatDequantizationRoundedToBf16(ModelDType dtype, int cols)
    {
        var (_, packed, floats) = RandomProblem(dtype, 1, 1, cols, seed: cols);
        var halves = new ushort[cols];
        fixed (byte* row = packed)
        fixed (ushort* h = halves)
        {
            if (dtype == ModelDType.Int4)
            {
                QuantizedWeight4.DequantizeRowBf16(row, h, cols);
            }
            else
            {
                QuantizedWeight.DequantizeRowBf16((sbyte*)row, h, cols);
            }
        }

        for (var i = 0; i < cols; i++)
        {
            var bits = BitConverter.SingleToUInt32Bits(floats[i]);
            var rounded = (bits + 0x7FFFu + ((bits >> 16) & 1)) & 0xFFFF0000u;
            Assert.Equal(BitConverter.UInt32BitsToSingle(rounded), QuantizedWeight.Bf16(halves[i]));
        }
    }

    private static unsafe void Multiply(Int8MatVec kernel, ModelDType dtype, float* x, int m, byte* w, float* bias, float* y, int rows, int cols)
    {
        if (dtype == ModelDType.Int4)
        {
            kernel.MultiplyRows4(x, m, w, bias, y, rows, cols);
        }
        else
        {
            kernel.MultiplyRows(x, m, (sbyte*)w, bias, y, rows, cols);
        }
    }

    /// <summary>Random activations and weights, the weights packed in <paramref name="dtype"/>'s format and dequantized again.</summary>
    internal static unsafe (float[] X, byte[] Packed, float[] Dequantized) RandomProblem(ModelDType dtype, int m, int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var x = Enumerable.Range(0, m * cols).Select(_ => (float)(random.NextDouble() - 0.5) * 4).ToArray();
        var w = Enumerable.Range(0, rows * cols).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var int4 = dtype == ModelDType.Int4;
        var rowBytes = int4 ? QuantizedWeight4.RowBytes(cols) : QuantizedWeight.RowBytes(cols);
        var packed = new byte[rows * rowBytes];
        var dequantized = new float[rows * cols];
        fixed (float* wp = w)
        fixed (byte* pp = packed)
        fixed (float* dp = dequantized)
        {
            for (var r = 0; r < rows; r++)
            {
                if (int4)
                {
                    QuantizedWeight4.QuantizeRow(wp + (r * cols), pp + (r * rowBytes), cols);
                    QuantizedWeight4.DequantizeRow(pp + (r * rowBytes), dp + (r * cols), cols);
                }
                else
                {
                    QuantizedWeight.QuantizeRow(wp + (r * cols), (sbyte*)pp + (r * rowBytes), cols);
                    QuantizedWeight.DequantizeRow((sbyte*)pp + (r * rowBytes), dp + (r * cols), cols);
                }
            }
        }

        return (x, packed, dequantized);
    }
}
