using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>The address of a CPU tensor's first element, for the managed kernels that read and write tensor memory directly.</summary>
internal static unsafe class NativeTensor
{
    private static readonly delegate* unmanaged<IntPtr, void*> DataFunction = Resolve();

    /// <summary>Gets whether addresses can be taken (the export was found in TorchSharp's native library).</summary>
    public static bool Available => DataFunction != null;

    /// <summary>The address of element 0 of <paramref name="tensor"/> (storage offset included); the tensor must stay alive while it is used.</summary>
    public static void* Data(Tensor tensor) => DataFunction(tensor.Handle);

    /// <summary>
    /// Asks Linux to back a large, not yet touched CPU tensor with transparent huge pages: the weights are streamed
    /// once per decoded token, and 2 MB pages spare the page walks of 4 KB ones (and most page faults at load).
    /// Best effort: anywhere else, or when the kernel says no, nothing changes.
    /// </summary>
    public static void AdviseHugePages(Tensor tensor)
    {
        const long HugePage = 2L << 20;
        if (!OperatingSystem.IsLinux() || !Available || tensor.device_type != TorchSharp.DeviceType.CPU)
        {
            return;
        }

        var bytes = tensor.numel() * tensor.element_size();
        var start = (long)Data(tensor);
        var alignedStart = (start + HugePage - 1) & ~(HugePage - 1);
        var alignedEnd = (start + bytes) & ~(HugePage - 1);
        if (alignedEnd > alignedStart)
        {
            _ = MAdvise((IntPtr)alignedStart, (nuint)(alignedEnd - alignedStart), AdviceHugePage);
        }
    }

    private const int AdviceHugePage = 14;

    [DllImport("libc.so.6", EntryPoint = "madvise")]
    private static extern int MAdvise(IntPtr address, nuint length, int advice);

    private static delegate* unmanaged<IntPtr, void*> Resolve()
    {
        // TorchSharp has loaded its native library by now; by its soname, dlopen returns that same copy.
        using var probe = zeros(1);
        foreach (var name in new[] { "libLibTorchSharp.so", "LibTorchSharp" })
        {
            if (NativeLibrary.TryLoad(name, typeof(TorchSharp.torch).Assembly, null, out var handle)
                && NativeLibrary.TryGetExport(handle, "THSTensor_data", out var export))
            {
                return (delegate* unmanaged<IntPtr, void*>)export;
            }
        }

        return null;
    }
}
