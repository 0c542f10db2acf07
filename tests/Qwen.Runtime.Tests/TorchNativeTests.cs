using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using TorchSharp;

namespace Qwen.Runtime.Tests;

public sealed partial class TorchNativeTests
{
    [Fact]
    public void EnsureLoaded_WithoutAnOpenMpWaitPolicy_SetsPassiveInTheCEnvironment_AndKeepsOneTheUserChose()
    {
        // The policy is set on Linux only (libtorch's GNU OpenMP); elsewhere there is nothing to check.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        TorchNative.EnsureLoaded();

        // The process's starting environment, before any setenv: what the user chose, if anything.
        var initial = File.ReadAllText("/proc/self/environ").Split('\0')
            .Where(e => e.StartsWith("OMP_WAIT_POLICY=", StringComparison.Ordinal) || e.StartsWith("GOMP_SPINCOUNT=", StringComparison.Ordinal))
            .ToList();
        var policy = Marshal.PtrToStringUTF8(GetEnv("OMP_WAIT_POLICY"));
        if (initial.Count == 0)
        {
            Assert.Equal("PASSIVE", policy);
        }
        else
        {
            var chosen = initial.FirstOrDefault(e => e.StartsWith("OMP_WAIT_POLICY=", StringComparison.Ordinal));
            Assert.Equal(chosen?["OMP_WAIT_POLICY=".Length..], policy);
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);

    [Fact]
    public void EnsureLoaded_ThenMatmul_GivesTheHandComputedProduct()
    {
        TorchNative.EnsureLoaded();

        using var a = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        using var b = torch.tensor(new float[] { 7, 8, 9, 10, 11, 12 }, [3, 2]);
        using var c = torch.matmul(a, b);

        // [1 2 3; 4 5 6] x [7 8; 9 10; 11 12] = [58 64; 139 154]
        Assert.Equal(new long[] { 2, 2 }, c.shape);
        Assert.Equal(new float[] { 58, 64, 139, 154 }, c.data<float>().ToArray());
    }

    [Fact]
    public void EnsureLoaded_Bfloat16Matmul_RunsAndStaysCloseToFloat32()
    {
        TorchNative.EnsureLoaded();

        using var a = torch.rand(64, 64, generator: new torch.Generator(1));
        using var b = torch.rand(64, 64, generator: new torch.Generator(2));
        using var expected = torch.matmul(a, b);
        using var a16 = a.to(torch.bfloat16);
        using var b16 = b.to(torch.bfloat16);
        using var actual = torch.matmul(a16, b16).to(torch.float32);

        using var error = (actual - expected).abs().max();
        Assert.True(error.item<float>() < 0.5f, $"bf16 matmul differs from float32 by {error.item<float>()}");
    }

    [Fact]
    public void EnsureLoaded_CalledTwice_IsHarmless()
    {
        var logger = new FakeLogger();
        TorchNative.EnsureLoaded(logger);
        TorchNative.EnsureLoaded(logger);

        // A second call changes nothing, so it has nothing to say.
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
        using var x = torch.ones(3);
        Assert.Equal(3f, x.sum().item<float>());
    }

    [Fact]
    public void TorchLibraryEnsureLoaded_PublicEntryForHosts_MakesTensorsUsable()
    {
        using var factory = LoggerFactory.Create(_ => { });

        TorchLibrary.EnsureLoaded(factory);
        TorchLibrary.EnsureLoaded();

        using var x = torch.arange(4, dtype: torch.float32);
        Assert.Equal(6f, x.sum().item<float>());
    }
}
