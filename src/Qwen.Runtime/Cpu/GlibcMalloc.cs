using System.Runtime.InteropServices;

namespace Qwen.Runtime;

/// <summary>
/// Tunes glibc's allocator for a CPU model: keeps freed prefill activations in the heap instead of handing them back to
/// the kernel, so the next pass does not page-fault and zero them again.
/// </summary>
/// <remarks>
/// libtorch allocates each activation of a long prompt (megabytes) with malloc. By default glibc serves blocks above
/// its mmap threshold with a fresh mmap and trims the heap top above its trim threshold, so every layer of every prefill
/// faults in and zeroes new pages. Raising both thresholds once, at model load, keeps those pages mapped for reuse.
/// The model runs on threads of its own, whose allocations come from glibc's per-thread arenas: heaps of 64 MB that
/// glibc unmaps whole as soon as one falls empty, whatever the trim threshold (<c>heap_trim</c>), and a prefill's
/// activations of 10-40 MB empty one layer after layer. A top pad of a heap's size keeps them: glibc then never finds
/// enough room below to give a heap back. The pad is address space, not memory: pages are touched only when used.
/// Linux with glibc only (looked up at run time, so musl, macOS and Windows are left alone); best effort, process-wide,
/// and done once.
/// </remarks>
internal static unsafe class GlibcMalloc
{
    // glibc's mallopt parameters (malloc.h).
    private const int TrimThreshold = -1;
    private const int MmapThreshold = -3;
    private const int TopPad = -2;

    // The largest mmap threshold glibc accepts on 64-bit (half its 64 MB heap size); a larger value is refused.
    private const int MaxMmapThreshold = 32 << 20;

    // Freed memory at the top of the heap is kept up to this much.
    private const int KeptOnTrim = 1 << 30;

    // The size of a per-thread arena's heap on 64-bit (twice the largest mmap threshold): as a top pad, it keeps every heap.
    private const int ArenaHeapBytes = 64 << 20;

    private static int s_applied;

    /// <summary>Gets whether the thresholds were raised in this process.</summary>
    public static bool Tuned { get; private set; }

    /// <summary>Raises glibc's M_MMAP_THRESHOLD, M_TRIM_THRESHOLD and M_TOP_PAD, once per process; does nothing without glibc.</summary>
    public static void TuneForModel()
    {
        if (Interlocked.Exchange(ref s_applied, 1) == 1 || !OperatingSystem.IsLinux())
        {
            return;
        }

        // gnu_get_libc_version exists only in glibc: it tells glibc from musl, whose mallopt ignores these parameters.
        if (!NativeLibrary.TryLoad("libc.so.6", out var libc)
            || !NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _)
            || !NativeLibrary.TryGetExport(libc, "mallopt", out var export))
        {
            return;
        }

        var mallopt = (delegate* unmanaged<int, int, int>)export;

        // mallopt returns 1 on success; the mmap threshold first, since setting it also fixes glibc's dynamic one.
        Tuned = mallopt(MmapThreshold, MaxMmapThreshold) == 1 & mallopt(TrimThreshold, KeptOnTrim) == 1 & mallopt(TopPad, ArenaHeapBytes) == 1;
    }
}
