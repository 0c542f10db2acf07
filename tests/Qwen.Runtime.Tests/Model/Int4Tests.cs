using Xunit.Abstractions;

namespace Qwen.Runtime.Tests.Model;

/// <summary>4-bit weights: the block format (kernels: <see cref="QuantizedKernelTests"/>; whole models: <see cref="QuantizedModelTests"/>).</summary>
public sealed class Int4Tests(ITestOutputHelper output)
{
    /// <summary>
    /// Every weight is within half a step of its block's scale d = m / -8 (m the block's extreme, |d| rounded up to bf16),
    /// but for positive weights beyond 7.5 |d| in a block whose extreme is negative, which clip to code 15 (within one step).
    /// </summary>
    [Theory]
    [InlineData(1, 32)]
    [InlineData(3, 50)]
    [InlineData(2, 96)]
    [InlineData(5, 896)]
    [InlineData(2, 1000)]
    public unsafe void QuantizeRow_RandomRows_DequantizeWithinHalfAStepPerBlock(int rows, int cols)
    {
        var random = new Random(rows * cols);
        var weights = new float[rows * cols];
        for (var i = 0; i < weights.Length; i++)
        {
            // Blocks of very different magnitudes, one all-zero block, and an outlier of each sign.
            weights[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(10, (i / 32 % 5) - 2));
        }

        Array.Clear(weights, 0, Math.Min(32, cols));
        weights[^1] = 40f;
        weights[Math.Min(40, weights.Length - 2)] = -30f;
        var rowBytes = QuantizedWeight4.RowBytes(cols);
        Assert.Equal(0, rowBytes % 64);
        var packed = new byte[rows * rowBytes];
        var restored = new float[cols];
        var clipped = 0;
        fixed (float* source = weights)
        fixed (byte* destination = packed)
        fixed (float* back = restored)
        {
            QuantizedWeight4.QuantizeRows(source, destination, rows, cols);
            for (var r = 0; r < rows; r++)
            {
                var row = destination + (r * rowBytes);
                QuantizedWeight4.DequantizeRow(row, back, cols);
                var scales = QuantizedWeight4.Scales(row, cols);
                for (var b = 0; b < 4 * QuantizedWeight4.Quads(cols); b++)
                {
                    var start = b * 32;
                    var end = Math.Min(cols, start + 32);
                    var extreme = 0f;
                    for (var i = start; i < end; i++)
                    {
                        var w = weights[(r * cols) + i];
                        extreme = Math.Abs(w) > Math.Abs(extreme) ? w : extreme;
                    }

                    var scale = QuantizedWeight.Bf16(scales[b]);
                    var step = Math.Abs(scale);
                    Assert.True(step >= Math.Abs(extreme) / 8 && step <= Math.Abs(extreme) / 8 * (1 + (1f / 128)), $"row {r} block {b}: scale {scale} for extreme {extreme}");
                    Assert.True(extreme == 0 || Math.Sign(scale) == -Math.Sign(extreme), $"row {r} block {b}: scale {scale} has the extreme's sign ({extreme})");
                    for (var i = start; i < end; i++)
                    {
                        var w = weights[(r * cols) + i];
                        var error = Math.Abs(w - back[i]);
                        var code = QuantizedWeight4.Code(row, i);
                        if (code == 15 && w / scale > 7.5f)
                        {
                            clipped++;
                            Assert.True(error <= step * 1.0001f, $"row {r} col {i}: clipped {w} came back as {back[i]} (scale {scale})");
                        }
                        else
                        {
                            Assert.True(error <= (step / 2) * 1.0001f, $"row {r} col {i}: {w} came back as {back[i]} (scale {scale})");
                        }
                    }

                    // Padding past the last column (and an odd row's empty block) is code 8, weight 0.
                    for (var i = end; i < start + 32; i++)
                    {
                        Assert.Equal(8, QuantizedWeight4.Code(row, i));
                    }
                }
            }
        }

        output.WriteLine($"{rows}x{cols}: {clipped} weights clipped at code 15");
    }
}
