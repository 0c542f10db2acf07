using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Qwen.Runtime;

/// <summary>
/// Makes TorchSharp's native library loadable before the first tensor operation, on systems that need help.
/// </summary>
/// <remarks>
/// TorchSharp's <c>libLibTorchSharp.so</c> is built with GCC 13 and so names <c>GLIBCXX_3.4.32</c> as a needed
/// version, only to pin <c>std::ios_base_library_init</c>, which nothing calls. Debian 12 and Ubuntu 22.04 ship an
/// older libstdc++ and the loader refuses the library. When (and only when) loading fails for that reason, the copy
/// in the application's own output folder gets that one version requirement marked weak, after which the loader
/// accepts it. Nothing outside the build output is touched; systems that load the library as it is are left alone.
/// <para>
/// Before anything loads libtorch, its OpenMP threads are asked to sleep between operations
/// (<c>OMP_WAIT_POLICY=PASSIVE</c>, unless the user chose a policy): by default they spin for a while after each
/// operation, on the cores the runtime's own kernel threads (<see cref="CpuParallel"/>) need next. On the project's
/// 2-core machine that spinning halved prefill speed (bf16 and int8 prefill at 512 tokens ran 1.9-2.3x faster without
/// it, see bench/BENCHMARKS.md).
/// </para>
/// <para>
/// The same place also keeps oneDNN away from AMX instructions on machines that advertise AMX but do not grant the
/// process the tile state (some virtual machines): bfloat16 kernels would otherwise die with SIGILL.
/// </para>
/// </remarks>
internal static partial class TorchNative
{
    private const string LibraryFileName = "libLibTorchSharp.so";
    private const int RtldNow = 2;

    // Symbols that a weak version requirement may safely cover: referenced to pin a minimum libstdc++, never called.
    private static readonly HashSet<string> HarmlessSymbols = ["_ZSt21ios_base_library_initv"];

    private static readonly Lock Gate = new();
    private static bool _done;

    /// <summary>Prepares the native TorchSharp library once per process; later calls return at once.</summary>
    /// <param name="logger">Receives one line for each change made; nothing is logged when nothing was needed.</param>
    /// <exception cref="InvalidOperationException">The library cannot be loaded and cannot be repaired here.</exception>
    public static void EnsureLoaded(ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        lock (Gate)
        {
            if (_done)
            {
                return;
            }

            if (OperatingSystem.IsLinux())
            {
                // First: libgomp reads its settings once, when the library is loaded (the repair check below loads it).
                PreferPassiveOpenMpThreads(logger);
                foreach (var path in CandidatePaths())
                {
                    if (File.Exists(path))
                    {
                        RepairIfNeeded(path, logger);
                        break;
                    }
                }

                AvoidUngrantedAmx(logger);
            }

            _done = true;
        }
    }

    private static IEnumerable<string> CandidatePaths()
    {
        var baseDir = AppContext.BaseDirectory;
        yield return Path.Combine(baseDir, "runtimes", "linux-x64", "native", LibraryFileName);
        yield return Path.Combine(baseDir, LibraryFileName);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void RepairIfNeeded(string path, ILogger logger)
    {
        // Each pass fixes the version the loader complained about; a library needs at most a few.
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var error = TryLoad(path);
            if (error is null)
            {
                return;
            }

            var bytes = File.ReadAllBytes(path);
            var missing = ElfVersionPatcher.ReadNeededVersions(bytes)
                .FirstOrDefault(v => !v.IsWeak && error.Contains($"`{v.Version}'", StringComparison.Ordinal));
            if (missing is null || missing.Symbols.Count == 0 || !missing.Symbols.All(HarmlessSymbols.Contains))
            {
                // Not the known, harmless case: leave the file alone and let TorchSharp report the real error.
                RuntimeLog.NativeLibraryNotLoadable(logger, path, error);
                return;
            }

            ElfVersionPatcher.MarkWeak(bytes, missing);
            WriteReplacing(path, bytes);
            RuntimeLog.NativeLibraryRepaired(logger, missing.Library, missing.Version, path, string.Join(", ", missing.Symbols));
        }
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void WriteReplacing(string path, byte[] bytes)
    {
        var temp = path + ".qwen-tmp";
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temp);
            throw new InvalidOperationException(
                $"TorchSharp's native library {path} needs a libstdc++ newer than this system's, and the copy could not be repaired in place: {e.Message}", e);
        }
    }

    private static string? TryLoad(string path)
    {
        // Binding dlerror happens on its first call and clears the pending error, so bind it (and clear) first.
        Dl.Error();
        var handle = Dl.Open(path, RtldNow);
        if (handle != IntPtr.Zero)
        {
            return null;
        }

        var message = Dl.Error();
        return message == IntPtr.Zero ? "unknown dlopen error" : Marshal.PtrToStringUTF8(message) ?? "unknown dlopen error";
    }

    private static void PreferPassiveOpenMpThreads(ILogger logger)
    {
        const string Variable = "OMP_WAIT_POLICY";
        if (Environment.GetEnvironmentVariable(Variable) is not null || Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is not null)
        {
            return;
        }

        // libgomp reads the C environment, which Environment.SetEnvironmentVariable does not change.
        Dl.SetEnv(Variable, "PASSIVE", 0);
        Environment.SetEnvironmentVariable(Variable, "PASSIVE");
        RuntimeLog.OpenMpPassive(logger, Variable);
    }

    private static void AvoidUngrantedAmx(ILogger logger)
    {
        const string Variable = "ONEDNN_MAX_CPU_ISA";
        if (Environment.GetEnvironmentVariable(Variable) is not null || !CpuHasAmx())
        {
            return;
        }

        // arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA): the kernel's permission for the AMX tile state.
        const long SysArchPrctl = 158;
        const long ArchReqXcompPerm = 0x1023;
        const long XfeatureXtileData = 18;
        if (Dl.Syscall(SysArchPrctl, ArchReqXcompPerm, XfeatureXtileData) == 0)
        {
            return;
        }

        // oneDNN reads the variable from the C environment, which Environment.SetEnvironmentVariable does not change.
        Dl.SetEnv(Variable, "AVX512_CORE_BF16", 0);
        Environment.SetEnvironmentVariable(Variable, "AVX512_CORE_BF16");
        RuntimeLog.AmxAvoided(logger, Variable);
    }

    private static bool CpuHasAmx()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("flags", StringComparison.Ordinal))
                {
                    return line.Contains(" amx_tile", StringComparison.Ordinal);
                }
            }
        }
        catch (IOException)
        {
            // No /proc: nothing to decide on.
        }

        return false;
    }

    private static partial class Dl
    {
        [LibraryImport("libc.so.6", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial IntPtr Open(string path, int flags);

        [LibraryImport("libc.so.6", EntryPoint = "dlerror")]
        internal static partial IntPtr Error();

        [LibraryImport("libc.so.6", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int SetEnv(string name, string value, int overwrite);

        [LibraryImport("libc.so.6", EntryPoint = "syscall")]
        internal static partial long Syscall(long number, long arg1, long arg2);
    }
}
