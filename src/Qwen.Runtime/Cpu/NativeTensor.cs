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
