using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Qwen.Tools;

/// <summary>
/// Finds the worker executable and the <c>dotnet</c> host, and starts worker processes with a capped heap and an
/// environment stripped of everything the host process knows (API keys and other secrets stay out of reach).
/// </summary>
internal sealed class WorkerLauncher(CodeInterpreterOptions options)
{
    public const string WorkerFileName = "Qwen.Tools.CodeWorker.dll";

    /// <summary>What the .NET runtime itself needs beyond the managed heap (code, stacks, native buffers).</summary>
    public const long RuntimeOverheadBytes = 256L << 20;

    // The few variables a process needs to run; nothing else of the host's environment is passed on.
    private static readonly string[] KeptVariables = ["SystemRoot", "windir", "TEMP", "TMP", "TMPDIR", "LANG", "LC_ALL"];

    private readonly Lazy<(string Dotnet, string Worker)> _paths = new(() => (FindDotnet(options.DotnetPath), FindWorker(options.WorkerPath)));

    /// <summary>The resident memory above which the host kills a worker.</summary>
    public long MemoryCap => options.WorkerMemoryLimit + RuntimeOverheadBytes;

    /// <summary>Starts a worker; <paramref name="warmUp"/> asks it to prepare its hot paths before it is given a session.</summary>
    /// <exception cref="FileNotFoundException">The worker or <c>dotnet</c> was not found.</exception>
    /// <exception cref="InvalidOperationException">The process could not be started.</exception>
    public WorkerProcess Start(bool warmUp)
    {
        var (dotnet, worker) = _paths.Value;
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            WorkingDirectory = Path.GetDirectoryName(worker)!,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(worker);
        if (warmUp)
        {
            start.ArgumentList.Add(CodeWorkerEntryPoint.WarmUpArgument);
        }

        var inherited = KeptVariables
            .Select(name => (Name: name, Value: Environment.GetEnvironmentVariable(name)))
            .Where(v => v.Value is not null)
            .ToList();
        start.Environment.Clear();
        foreach (var (name, value) in inherited)
        {
            start.Environment[name] = value;
        }

        start.Environment["DOTNET_GCHeapHardLimit"] = "0x" + options.WorkerMemoryLimit.ToString("X", CultureInfo.InvariantCulture);
        start.Environment["DOTNET_gcServer"] = "0";

        // No debugger, profiler or diagnostics endpoint into the sandbox's process.
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // Output and value together stay within MaxOutputChars; JSON escapes at most 6 bytes a character.
        var maxResponse = (int)Math.Min(WorkerFrames.MaxFrameBytes, (options.MaxOutputChars * 6L) + (1 << 20));
        return WorkerProcess.Start(start, maxResponse);
    }

    /// <summary>The <c>dotnet</c> host of the runtime this process runs on, so workers run on the very same runtime.</summary>
    private static string FindDotnet(string? configured)
    {
        var name = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";
        if (configured is not null)
        {
            return File.Exists(configured)
                ? Path.GetFullPath(configured)
                : throw new FileNotFoundException($"CodeInterpreterOptions.DotnetPath '{configured}' does not exist.", configured);
        }

        // .../dotnet/shared/Microsoft.NETCore.App/<version>/ holds the running runtime; its root holds the host.
        // (A single-file app has no assembly locations; a self-contained one has no host there: the other places follow.)
        var candidates = new List<string>();
        if (Path.GetDirectoryName(typeof(object).Assembly.Location) is { Length: > 0 } runtimeDirectory)
        {
            candidates.Add(Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", "..", name)));
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath)
        {
            candidates.Add(hostPath);
        }

        if (Environment.ProcessPath is { } processPath && Path.GetFileName(processPath) == name)
        {
            candidates.Add(processPath);
        }

        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root)
        {
            candidates.Add(Path.Combine(root, name));
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            candidates.Add(Path.Combine(folder, name));
        }

        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"The 'dotnet' host that starts code interpreter workers was not found (looked at: {string.Join(", ", candidates)}); set CodeInterpreterOptions.DotnetPath.");
    }

    /// <summary>The worker executable, shipped next to Qwen.Tools.dll in every application that references it.</summary>
    private static string FindWorker(string? configured)
    {
        var candidates = configured is not null
            ? [Path.GetFullPath(configured)]
            : new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(WorkerLauncher).Assembly.Location) ?? string.Empty }
                .Where(folder => folder.Length > 0)
                .Select(folder => Path.Combine(folder, WorkerFileName))
                .Distinct()
                .ToArray();
        return candidates.FirstOrDefault(path => File.Exists(path) && File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json")))
            ?? throw new FileNotFoundException(
                $"The code interpreter worker was not found: {string.Join(" or ", candidates)} (with its .runtimeconfig.json). " +
                "It is built with Qwen.Tools and copied next to the application; set CodeInterpreterOptions.WorkerPath if it lives elsewhere.",
                candidates[0]);
    }
}
