using System.Runtime.InteropServices;

namespace Qwen.Runtime.Tests.Model;

/// <summary>The single-row decode kernel against a scalar double-precision reference, on shapes that exercise every edge of its blocking.</summary>
public sealed unsafe class MatVecTests
{
    /// <summary>
    /// Rows not a multiple of four (the per-row tail), columns not a multiple of 16 or 32 (the column tail), chunks of
    /// many rows and of the minimum four, with and without a bias, on one thread and on three.
    /// </summary>
    [Theory]
    [InlineData(1, 1, false, 1)]
    [InlineData(3, 7, true, 2)]
    [InlineData(4, 16, false, 2)]
    [InlineData(5, 31, true, 2)]
    [InlineData(37, 100, true, 3)]
    [InlineData(130, 47, false, 2)]
    [InlineData(257, 896, true, 2)]
    [InlineData(9, 4864, false, 1)]
    [InlineData(1031, 33, true, 3)]
    [InlineData(96000, 2, false, 2)]
    [InlineData(2310, 1024, true, 2)]
    public void Multiply_OddShapes_MatchesScalarReference(int rows, int cols, bool withBias, int threads)
    {
        if (!MatVec.IsSupported)
        {
            // The runtime uses this kernel only where AVX2 with FMA is available (LinearOps.Create).
            return;
        }

        // With AVX-512 the wide one-row form runs unless turned off; the four-row 256-bit form (AVX2-only CPUs) is checked too.
        foreach (var (bf16, wide) in new[] { (false, true), (true, true), (false, false), (true, false) })
        {
            var random = new Random((rows * 31) + cols);
            var x = Enumerable.Range(0, cols).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
            var bias = withBias ? Enumerable.Range(0, rows).Select(_ => (float)random.NextDouble()).ToArray() : null;
            var weights = Enumerable.Range(0, rows * cols).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
            var bits = weights.Select(v => (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16)).ToArray();
            if (bf16)
            {
                // The reference sees exactly the values the kernel reads.
                weights = [.. bits.Select(b => BitConverter.UInt32BitsToSingle((uint)b << 16))];
            }

            var y = new float[rows];
            using (var parallel = new CpuParallel(threads))
            using (var kernel = new MatVec(parallel, wide))
            {
                fixed (float* xp = x, wp = weights, bp = bias, yp = y)
                fixed (ushort* wb = bits)
                {
                    kernel.Multiply(xp, bf16 ? wb : wp, bf16, bp, yp, rows, cols);
                }
            }

            for (var r = 0; r < rows; r++)
            {
                double expected = bias?[r] ?? 0;
                double magnitude = Math.Abs(expected);
                for (var c = 0; c < cols; c++)
                {
                    expected += (double)weights[(r * cols) + c] * x[c];
                    magnitude += Math.Abs((double)weights[(r * cols) + c] * x[c]);
                }

                // float32 accumulation in any order: a rounding error that grows about as √cols times the magnitudes.
                Assert.True(Math.Abs(y[r] - expected) <= 1e-6 * Math.Sqrt(cols) * (magnitude + 1), $"{(bf16 ? "bf16" : "float32")}{(wide ? " wide" : string.Empty)} {rows}x{cols} row {r}: {y[r]} vs {expected}");
            }
        }
    }

    [Theory]
    [InlineData(1, 4, 2, 4)]
    [InlineData(7, 3584, 2, 4)]
    [InlineData(896, 3584, 2, 224)]
    [InlineData(9728, 3584, 2, 544)]
    [InlineData(151936, 3584, 3, 584)]
    [InlineData(151936, 1792, 1, 1172)]
    public void WideRowsPerChunk_CutsEachMatrixIntoEqualChunksOfAtMostTheChunkSize(int rows, long rowBytes, int threads, int expected)
    {
        // The 0.5B shapes in float32: o (896 rows, 3.2 MB) in four chunks, gate/up (34.9 MB) in 18, the logits head (545 MB)
        // in 261 on three threads; each a whole number of groups of four rows and within a group of the 2 MB limit.
        var perChunk = MatVec.WideRowsPerChunk(rows, rowBytes, threads);

        Assert.Equal(expected, perChunk);
        Assert.True(perChunk * rowBytes <= MatVec.WideChunkBytes + (4 * rowBytes));
    }

    [Fact]
    public void Multiply_SameInputTwice_GivesIdenticalResults()
    {
        if (!MatVec.IsSupported)
        {
            return;
        }

        // Chunks may run on any thread in any order; each output row is still computed one way only.
        const int Rows = 4099, Cols = 896;
        var random = new Random(7);
        var x = (float*)NativeMemory.AlignedAlloc(Cols * sizeof(float), 64);
        var w = (float*)NativeMemory.AlignedAlloc(Rows * Cols * sizeof(float), 64);
        try
        {
            for (var i = 0; i < Cols; i++)
            {
                x[i] = random.NextSingle();
            }

            for (var i = 0; i < Rows * Cols; i++)
            {
                w[i] = random.NextSingle() - 0.5f;
            }

            var first = new float[Rows];
            var second = new float[Rows];
            using var parallel = new CpuParallel(2);
            using var kernel = new MatVec(parallel);
            fixed (float* a = first, b = second)
            {
                kernel.Multiply(x, w, false, null, a, Rows, Cols);
                kernel.Multiply(x, w, false, null, b, Rows, Cols);
            }

            Assert.Equal(first, second);
        }
        finally
        {
            NativeMemory.AlignedFree(x);
            NativeMemory.AlignedFree(w);
        }
    }
}
