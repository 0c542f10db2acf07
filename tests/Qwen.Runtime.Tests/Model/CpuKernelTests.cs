
namespace Qwen.Runtime.Tests.Model;

/// <summary>The managed mat-vec kernel used for single-token steps on the CPU gives libtorch's results.</summary>
public sealed class CpuKernelTests
{
    /// <summary>
    /// The bf16 case reads bf16 weights from a checkpoint stored in bf16: loaded as float32 they are the same values, so
    /// libtorch's float32 path is the exact reference for the kernel's bf16-weights, float32-arithmetic path.
    /// </summary>
    [Theory]
    [InlineData("qwen2_tiny", ModelDType.Float32)]
    [InlineData("qwen3_untied_hd64", ModelDType.Float32)]
    [InlineData("qwen3_bf16_sharded", ModelDType.BFloat16)]
    [InlineData("qwen3_untied_hd64", ModelDType.BFloat16)]
    public void DecodeSteps_KernelAgainstLibtorchFloat32_AgreeWithin1e5(string name, ModelDType dtype)
    {
        var dir = Fixtures.TinyModel(name);
        var ids = Fixtures.ReadGolden(dir).PromptIds;
        using var withKernel = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", DType = dtype, CpuKernels = true });
        using var withTorch = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", DType = ModelDType.Float32, CpuKernels = false });
        Assert.Equal(MatVec.IsSupported, withKernel.UsesCpuKernel);
        Assert.False(withTorch.UsesCpuKernel);
        if (dtype == ModelDType.BFloat16 && !withKernel.UsesCpuKernel)
        {
            // Without AVX2 there is no kernel: bf16 weights take libtorch's bf16 products, not float32 arithmetic.
            return;
        }

        // Token by token from the start: every product is a single-row one, which is what the kernel serves.
        using var a = withKernel.CreateCache(ids.Length);
        using var b = withTorch.CreateCache(ids.Length);
        for (var t = 0; t < ids.Length; t++)
        {
            KvCacheTests.AssertClose(withTorch.Forward([ids[t]], b), withKernel.Forward([ids[t]], a), 1e-5, $"{name} {dtype} position {t}");
        }
    }

    /// <summary>Attention over a longer cache (four positions at a time, a 64-float head sum kept in registers) gives libtorch's results at every length.</summary>
    [Fact]
    public void DecodeSteps_LongContextHeadDim64_AgreeWithLibtorchWithin1e5()
    {
        var dir = Fixtures.TinyModel("qwen3_untied_hd64");
        var prompt = Fixtures.ReadGolden(dir).PromptIds;
        var ids = Enumerable.Range(0, 70).Select(i => prompt[i % prompt.Length]).ToArray();
        using var withKernel = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", CpuKernels = true });
        using var withTorch = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", CpuKernels = false });
        using var a = withKernel.CreateCache(ids.Length);
        using var b = withTorch.CreateCache(ids.Length);
        for (var t = 0; t < ids.Length; t++)
        {
            KvCacheTests.AssertClose(withTorch.Forward([ids[t]], b), withKernel.Forward([ids[t]], a), 1e-5, $"position {t}");
        }
    }
}
