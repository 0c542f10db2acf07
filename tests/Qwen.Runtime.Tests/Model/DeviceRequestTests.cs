using TorchSharp;

namespace Qwen.Runtime.Tests;

/// <summary>Device strings: parsed in one place, and the messages about them name <c>QwenModelOptions.Device</c>, not a CLI flag.</summary>
public sealed class DeviceRequestTests
{
    [Theory]
    [InlineData(null, "Auto", null)]
    [InlineData("  ", "Auto", null)]
    [InlineData("AUTO", "Auto", null)]
    [InlineData(" cpu ", "Cpu", null)]
    [InlineData("cuda", "Cuda", null)]
    [InlineData("Cuda:3", "Cuda", 3)]
    public void TryParse_KnownSpellings_Parse(string? text, string kind, int? index)
    {
        Assert.True(DeviceRequest.TryParse(text, out var request));

        Assert.Equal(new DeviceRequest(Enum.Parse<DeviceRequestKind>(kind), index), request);
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:+1")]
    [InlineData("cuda:1x")]
    [InlineData("cpu:0")]
    public void TryParse_OtherStrings_Fail(string text) => Assert.False(DeviceRequest.TryParse(text, out _));

    [Fact]
    public void Validate_BadSettings_NamesEachUnderTheGivenName()
    {
        var options = new QwenModelOptions { Device = "tpu", Threads = 0, MaxBatchSize = 0, DType = (ModelDType)99 };

        var errors = options.Validate("QwenHostingOptions.Model");

        Assert.Equal(4, errors.Count);
        Assert.Contains("QwenHostingOptions.Model.Device 'tpu' is not one of auto, cpu, cuda, cuda:N.", errors);
        Assert.Contains(errors, e => e.StartsWith("QwenHostingOptions.Model.Threads must be at least 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("QwenHostingOptions.Model.MaxBatchSize must be at least 1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("QwenHostingOptions.Model.DType 99", StringComparison.Ordinal));
        Assert.Empty(new QwenModelOptions().Validate());
    }

    [Fact]
    public void Load_UnknownDevice_MessageNamesTheOptionProperty()
    {
        var e = Assert.Throws<ArgumentException>(() => QwenModel.Load(Fixtures.TinyModel("qwen2_tiny"), new QwenModelOptions { Device = "tpu" }));

        Assert.StartsWith("QwenModelOptions.Device 'tpu' is not one of auto, cpu, cuda, cuda:N.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CudaWithoutCuda_NotSupportedNamingTheOptionPropertyNotAFlag()
    {
        TorchNative.EnsureLoaded();
        if (torch.cuda.is_available())
        {
            return; // Only a machine without CUDA can show the message.
        }

        var e = Assert.Throws<NotSupportedException>(() => QwenModel.Load(Fixtures.TinyModel("qwen2_tiny"), new QwenModelOptions { Device = "cuda:0" }));

        Assert.Contains("QwenModelOptions.Device is 'cuda:0', but CUDA is not available", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--", e.Message, StringComparison.Ordinal);
    }
}
