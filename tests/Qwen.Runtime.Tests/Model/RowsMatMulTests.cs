using System.Runtime.Intrinsics;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Qwen.Runtime.Tests.Model;

/// <summary>The managed few-rows product used by batched decode steps gives libtorch's float32 GEMM results.</summary>
public sealed class RowsMatMulTests
{
    /// <summary>bf16 weights are compared with libtorch's float32 product of the same (bf16-representable) values.</summary>
    [Theory]
    [InlineData(2, 64, 64, false, false)]
    [InlineData(3, 37, 100, true, false)]
    [InlineData(5, 160, 64, true, false)]
    [InlineData(16, 1152, 896, true, false)]
    [InlineData(64, 130, 47, false, false)]
    [InlineData(4, 96, 64, true, true)]
    [InlineData(7, 37, 100, false, true)]
    [InlineData(16, 41, 600, true, true)]
    [InlineData(6, 21, 1000, false, false)]
    [InlineData(16, 96, 4864, false, true)]
    [InlineData(5, 13, 20, true, true)]
    [InlineData(2, 7, 9, false, false)]
    public void Apply_FewRows_MatchesLibtorchFloat32Linear(int m, int rows, int cols, bool withBias, bool bf16Weights)
    {
        TorchNative.EnsureLoaded();
        using var linear = LinearOps.Create(CPU, enableKernels: true, threads: 2);
        Assert.Equal(Vector512.IsHardwareAccelerated && MatVec.IsSupported, linear.UsesRowsKernel);
        if (bf16Weights && !linear.UsesRowsKernel)
        {
            // Without AVX-512 there is no kernel: bf16 weights take libtorch's bf16 product, not float32 arithmetic.
            return;
        }

        using var generator = new TorchSharp.torch.Generator(42);
        using var x = randn([m, 1, cols], generator: generator);
        using var w = randn([rows, cols], generator: generator).to(ScalarType.BFloat16).to(ScalarType.Float32);
        using var stored = bf16Weights ? w.to(ScalarType.BFloat16) : w.alias();
        using var b = withBias ? randn([rows], generator: generator) : null;

        using var expected = F.linear(x, w, b);
        using var actual = linear.Apply(x, stored, b);

        Assert.Equal(expected.shape, actual.shape);
        var difference = (expected - actual).abs().max().item<float>();
        Assert.True(difference < 1e-5 * Math.Sqrt(cols) * 4, $"largest difference {difference} for {m}x{cols} by {rows}x{cols}");
    }
}
