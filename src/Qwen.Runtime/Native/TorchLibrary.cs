using Microsoft.Extensions.Logging;

namespace Qwen.Runtime;

/// <summary>The native libtorch library the runtime computes with, for hosts that also call TorchSharp themselves.</summary>
public static class TorchLibrary
{
    /// <summary>
    /// Makes TorchSharp's native library usable in this process before the host's own first tensor operation: where the
    /// system's libstdc++ is older than the one TorchSharp was built against, the copy in the application's output folder
    /// is repaired, and on CPUs that report AMX without granting it oneDNN is kept off AMX. <see cref="QwenModel.Load"/>
    /// does this itself; call it only when TorchSharp is used before any model is loaded. Later calls return at once.
    /// </summary>
    /// <param name="loggerFactory">Creates the logger that receives one line for each change made; nothing is logged when nothing was needed.</param>
    /// <exception cref="InvalidOperationException">The library needs repairing and the copy cannot be rewritten.</exception>
    public static void EnsureLoaded(ILoggerFactory? loggerFactory = null) =>
        TorchNative.EnsureLoaded(loggerFactory?.CreateLogger(typeof(TorchLibrary)));
}
