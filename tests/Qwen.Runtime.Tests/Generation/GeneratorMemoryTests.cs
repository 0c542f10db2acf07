using System.Runtime.InteropServices;
using Xunit.Abstractions;

namespace Qwen.Runtime.Tests.Generation;

/// <summary>Memory stays flat over long generations. Runs alone: memory figures are process-wide and other tests load models.</summary>
[Collection(MemoryCollection.Name)]
public sealed partial class GeneratorMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task GenerateAsync_2000Tokens_NativeMemoryAndLiveTensorsStayFlat()
    {
        using var model = QwenModel.Load(Fixtures.TinyModel("qwen2_tiny"), new QwenModelOptions { Device = "cpu" });
        var options = new GenerationOptions { MaxNewTokens = 2000, IgnoreEos = true, Sampling = new SamplingOptions { Temperature = 1, TopK = 50, Seed = 9 } };
        var samples = new Dictionary<int, (long Native, long Rss, long Tensors)>();
        var count = 0;
        var tensorsBefore = model.LiveTensorCount();

        await foreach (var update in model.GenerateAsync([1, 2, 3, 4], options))
        {
            if (++count is 200 or 1000 or 2000)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                samples[count] = (NativeHeapInUse(), ResidentBytes(), model.LiveTensorCount());
            }
        }

        output.WriteLine(string.Join("; ", samples.Select(s => $"{s.Key} tokens: native heap {s.Value.Native / 1e6:F1} MB, RSS {s.Value.Rss / 1e6:F1} MB, {s.Value.Tensors} live tensors")));
        Assert.Equal(2000, count);

        // Every tensor made for a token is freed with it, and the cache with the request (the scheduler generates ahead
        // of the reader, so mid-stream counts depend on how far ahead it is; the count after the end does not)...
        Assert.Equal(tensorsBefore, model.LiveTensorCount());

        // ...and the native heap in use does not creep: a leak of one logits row per token (8 KB) would add 15 MB
        // from token 200 to 2000. (The heap's bytes in use, unlike RSS, do not move with fragmentation or GC; other
        // threads of the test host make it wobble by a few MB.)
        var growth = samples[2000].Native - samples[200].Native;
        Assert.True(growth < 8_000_000, $"native heap in use grew by {growth / 1e6:F1} MB from token 200 to 2000");
    }

    /// <summary>glibc's count of bytes handed out by malloc (all arenas, plus mmapped blocks): what libtorch's CPU allocator uses.</summary>
    private static long NativeHeapInUse()
    {
        var info = MallInfo2();
        return (long)(info.Uordblks + info.Hblkhd);
    }

    private static long ResidentBytes()
    {
        var fields = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
    }

    [LibraryImport("libc.so.6", EntryPoint = "mallinfo2")]
    private static partial MallInfo MallInfo2();

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo
    {
        public nuint Arena;
        public nuint Ordblks;
        public nuint Smblks;
        public nuint Hblks;
        public nuint Hblkhd;
        public nuint Usmblks;
        public nuint Fsmblks;
        public nuint Uordblks;
        public nuint Fordblks;
        public nuint Keepcost;
    }
}

/// <summary>Tests in this collection run after, not alongside, the others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection
{
    public const string Name = "Memory";
}
