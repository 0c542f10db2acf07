using System.Runtime.Intrinsics;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Qwen.Runtime.Tests.Model;

/// <summary>The managed few-rows product used by batched decode steps gives libtorch's float32 GEMM results.</summary>
public sealed class RowsMatMulTests
{
    [Theory]
    [InlineData(2, 64, 64, false)]
    [InlineData(3, 37, 100, true)]
    [InlineData(5, 160, 64, true)]
    [InlineData(16, 1152, 896, true)]
    [InlineData(64, 130, 47, false)]
    public void Apply_FewRows_MatchesLibtorchLinearWithin1e5(int m, int rows, int cols, bool withBias)
    {
        TorchNative.EnsureLoaded();
        using var linear = LinearOps.Create(CPU, enableKernels: true, threads: 2);
        Assert.Equal(Vector512.IsHardwareAccelerated, linear.UsesCpuKernel);
        using var generator = new TorchSharp.torch.Generator(42);
        using var x = randn([m, 1, cols], generator: generator);
        using var w = randn([rows, cols], generator: generator);
        using var b = withBias ? randn([rows], generator: generator) : null;

        using var expected = F.linear(x, w, b);
        using var actual = linear.Apply(x, w, b);

        Assert.Equal(expected.shape, actual.shape);
        var difference = (expected - actual).abs().max().item<float>();
        Assert.True(difference < 1e-5 * Math.Sqrt(cols) * 4, $"largest difference {difference} for {m}x{cols} by {rows}x{cols}");
    }
}
