using System.Collections.Concurrent;

namespace Qwen.Tools.Tests;

/// <summary>Code interpreters over a fresh temporary folder, with low limits where a test needs them; the folders go when the test run ends.</summary>
internal static class TestInterpreters
{
    private static readonly ConcurrentBag<string> Folders = [];

    static TestInterpreters() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var folder in Folders)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A worker of an undisposed interpreter may still hold it; the system's temp cleaning will.
            }
            catch (UnauthorizedAccessException)
            {
                // Likewise.
            }
        }
    };

    public static Qwen.Tools.CodeInterpreter Create(Action<CodeInterpreterOptions>? configure = null)
    {
        var options = new CodeInterpreterOptions
        {
            WorkDirectory = TemporaryFolder("qwen-ci-test-"),
            PrewarmWorker = false,
        };
        configure?.Invoke(options);
        return new Qwen.Tools.CodeInterpreter(options);
    }

    /// <summary>A new empty folder under the system's temporary folder, deleted when the test run ends.</summary>
    public static string TemporaryFolder(string prefix)
    {
        var folder = Directory.CreateTempSubdirectory(prefix).FullName;
        Folders.Add(folder);
        return folder;
    }

    /// <summary>A session id no other test uses.</summary>
    public static string NewSession() => "s-" + Guid.NewGuid().ToString("N")[..12];
}
