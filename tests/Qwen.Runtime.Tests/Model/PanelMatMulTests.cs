using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Qwen.Runtime.Tests.Model;

/// <summary>The managed float32 GEMM of prefills gives libtorch's float32 GEMM results, partial tiles and slices included.</summary>
public sealed class PanelMatMulTests
{
    /// <summary>
    /// Shapes past every edge of the blocking: rows not a multiple of the 12-row tile, output columns not a multiple
    /// of the 32-column tile or of the 16-row transpose, inner dimensions shorter and longer than one 256-column slice.
    /// </summary>
    [Theory]
    [InlineData(65, 32, 16, false)]
    [InlineData(100, 70, 33, true)]
    [InlineData(150, 160, 96, true)]
    [InlineData(77, 45, 600, false)]
    [InlineData(200, 96, 257, true)]
    [InlineData(96, 1152, 896, false)]
    [InlineData(130, 7, 1000, true)]
    public void Apply_ManyFloat32Rows_MatchesLibtorchLinear(int m, int rows, int cols, bool withBias)
    {
        TorchNative.EnsureLoaded();
        using var linear = LinearOps.Create(CPU, enableKernels: true, threads: 2);
        Assert.Equal(PanelMatMul.IsSupported && MatVec.IsSupported, linear.UsesPanelKernel);

        using var generator = new TorchSharp.torch.Generator(7);
        using var x = randn([1, m, cols], generator: generator);
        using var w = randn([rows, cols], generator: generator);
        using var b = withBias ? randn([rows], generator: generator) : null;

        using var expected = F.linear(x, w, b);
        using var actual = linear.Apply(x, w, b);

        Assert.Equal(expected.shape, actual.shape);
        var difference = (expected - actual).abs().max().item<float>();
        Assert.True(difference < 1e-5 * Math.Sqrt(cols) * 4, $"largest difference {difference} for {m}x{cols} by {rows}x{cols}");
    }

    /// <summary>A product is independent of the one before it, whose larger activations the kernel's buffer still holds.</summary>
    [Fact]
    public void Multiply_SmallerAfterLarger_GivesTheSmallerProduct()
    {
        if (!PanelMatMul.IsSupported)
        {
            return;
        }

        TorchNative.EnsureLoaded();
        using var parallel = new CpuParallel(2);
        using var kernel = new PanelMatMul(parallel);
        using var generator = new TorchSharp.torch.Generator(8);
        foreach (var (m, n, k) in new[] { (300, 64, 500), (13, 40, 20), (1, 33, 17) })
        {
            using var x = randn([m, k], generator: generator);
            using var w = randn([n, k], generator: generator);
            using var y = full([m, n], float.NaN);
            unsafe
            {
                kernel.Multiply((float*)NativeTensor.Data(x), m, (float*)NativeTensor.Data(w), null, (float*)NativeTensor.Data(y), n, k);
            }

            using var expected = F.linear(x, w);
            var difference = (expected - y).abs().max().item<float>();
            Assert.True(difference < 1e-5 * Math.Sqrt(k) * 4, $"largest difference {difference} for {m}x{k} by {n}x{k}");
        }
    }
}
