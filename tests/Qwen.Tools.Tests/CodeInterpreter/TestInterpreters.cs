namespace Qwen.Tools.Tests;

/// <summary>Code interpreters over a fresh temporary folder, with low limits where a test needs them; the folders go when the test run ends.</summary>
internal static class TestInterpreters
{
    private const string RunPrefix = "qwen-tools-tests-";

    // Every folder of this run lives under one parent named after the test process, so a later run can remove
    // what an earlier one left behind (test hosts are often ended before their exit handlers finish).
    private static readonly string RunFolder = CreateRunFolder();

    public static Qwen.Tools.CodeInterpreter Create(Action<CodeInterpreterOptions>? configure = null)
    {
        var options = new CodeInterpreterOptions
        {
            WorkDirectory = TemporaryFolder("interpreter-"),
            PrewarmWorker = false,
        };
        configure?.Invoke(options);
        return new Qwen.Tools.CodeInterpreter(options);
    }

    /// <summary>A new empty folder for this test run, removed when the run ends or, at the latest, by the next run.</summary>
    public static string TemporaryFolder(string prefix) => Directory.CreateDirectory(Path.Combine(RunFolder, prefix + Guid.NewGuid().ToString("N")[..8])).FullName;

    /// <summary>A session id no other test uses.</summary>
    public static string NewSession() => "s-" + Guid.NewGuid().ToString("N")[..12];

    private static string CreateRunFolder()
    {
        foreach (var stale in Directory.EnumerateDirectories(Path.GetTempPath(), RunPrefix + "*"))
        {
            if (int.TryParse(Path.GetFileName(stale).AsSpan(RunPrefix.Length), out var pid) && !IsRunning(pid))
            {
                TryDelete(stale);
            }
        }

        var folder = Path.Combine(Path.GetTempPath(), RunPrefix + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(folder);
        return folder;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Still in use; the next run removes it.
        }
    }
}
