using System.Diagnostics;

namespace Qwen.Examples.Tests;

/// <summary>Runs a built example (<c>examples/NAME/bin/CONFIG/net10.0/NAME.dll</c>) in a child process, in a working directory of the test's.</summary>
internal static class ExampleRunner
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static async Task<Result> RunAsync(string example, string workingDirectory, params string[] args)
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (!File.Exists(Path.Combine(root.FullName, "Qwen.Agents.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException($"Qwen.Agents.sln is not above {AppContext.BaseDirectory}.");
        }

        var dll = Path.Combine(root.FullName, "examples", example, "bin", configuration, testBin.Name, example + ".dll");
        Assert.True(File.Exists(dll), $"{dll} was not built");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{example} {string.Join(' ', args)} did not finish within 2 minutes");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
