using System.Runtime.InteropServices;

namespace Qwen.Runtime.Tests.Model;

/// <summary>Loading a CPU model tunes glibc's allocator where there is one, and leaves other C libraries alone.</summary>
public sealed class GlibcMallocTests
{
    [Fact]
    public void Load_OnCpu_TunesGlibcMallocOnlyWhereGlibcIs()
    {
        using var model = QwenModel.Load(Fixtures.TinyModel("qwen2_tiny"), new QwenModelOptions { Device = "cpu" });

        var glibc = OperatingSystem.IsLinux()
            && NativeLibrary.TryLoad("libc.so.6", out var libc)
            && NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _);
        Assert.Equal(glibc, GlibcMalloc.Tuned);
    }
}
