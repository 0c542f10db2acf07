using System.Runtime.Intrinsics;

namespace Qwen.Runtime.Tests.Model;

/// <summary>8-bit weights: the block format (kernels: <see cref="QuantizedKernelTests"/>; whole models: <see cref="QuantizedModelTests"/>).</summary>
public sealed class Int8Tests
{
    /// <summary>Every weight is within half a step of its block's scale, and the scale is at most max|w| / 127 rounded up to bf16.</summary>
    [Theory]
    [InlineData(1, 32)]
    [InlineData(3, 50)]
    [InlineData(5, 896)]
    [InlineData(2, 1000)]
    public unsafe void QuantizeRow_RandomRows_DequantizeWithinHalfAStepPerBlock(int rows, int cols)
    {
        var random = new Random(rows * cols);
        var weights = new float[rows * cols];
        for (var i = 0; i < weights.Length; i++)
        {
            // Blocks of very different magnitudes, one all-zero block, and an outlier.
            weights[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(10, (i / 32 % 5) - 2));
        }

        Array.Clear(weights, 0, Math.Min(32, cols));
        weights[^1] = 40f;
        var rowBytes = QuantizedWeight.RowBytes(cols);
        Assert.Equal(0, rowBytes % 64);
        var packed = new sbyte[rows * rowBytes];
        var restored = new float[cols];
        fixed (float* source = weights)
        fixed (sbyte* destination = packed)
        fixed (float* back = restored)
        {
            QuantizedWeight.QuantizeRows(source, destination, rows, cols);
            for (var r = 0; r < rows; r++)
            {
                var row = destination + (r * rowBytes);
                QuantizedWeight.DequantizeRow(row, back, cols);
                var scales = QuantizedWeight.Scales(row, cols);
                for (var b = 0; b < QuantizedWeight.Blocks(cols); b++)
                {
                    var start = b * 32;
                    var end = Math.Min(cols, start + 32);
                    var max = 0f;
                    for (var i = start; i < end; i++)
                    {
                        max = Math.Max(max, Math.Abs(weights[(r * cols) + i]));
                    }

                    var scale = QuantizedWeight.Bf16(scales[b]);
                    Assert.True(scale >= max / 127f && scale <= max / 127f * (1 + (1f / 128)), $"row {r} block {b}: scale {scale} for max {max}");
                    for (var i = start; i < end; i++)
                    {
                        Assert.InRange(row[i], -127, 127);
                        var error = Math.Abs(weights[(r * cols) + i] - back[i]);
                        Assert.True(error <= (scale / 2) * 1.0001f, $"row {r} col {i}: {weights[(r * cols) + i]} came back as {back[i]} (scale {scale})");
                    }

                    // Padding past the last column is zero, so it adds nothing to a dot product.
                    for (var i = end; i < start + 32; i++)
                    {
                        Assert.Equal(0, row[i]);
                    }
                }
            }
        }
    }

    [Fact]
    public unsafe void MultiplyRows_TooManyRows_ThrowsArgumentOutOfRange()
    {
        using var parallel = new CpuParallel(1);
        using var kernel = new Int8MatVec(parallel);
        Assert.Throws<ArgumentOutOfRangeException>(() => kernel.MultiplyRows(null, Int8MatVec.MaxRows + 1, null, null, null, 4, 32));
    }
}
