using System.Diagnostics;

namespace Qwen.Cli.Tests;

/// <summary>Runs the built <c>qwen</c> command in a child process, as a user would.</summary>
internal static class CliRunner
{
    /// <summary>qwen as its own build wrote it (src/Qwen.Cli/bin/CONFIG/TFM): the copy in this test's output would run with
    /// the test's assembly set, which the loopback server's ASP.NET Core framework reference trims of packages qwen needs.</summary>
    private static readonly Lazy<string> QwenDllPath = new(() =>
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        for (var root = testBin; root is not null; root = root.Parent)
        {
            if (File.Exists(Path.Combine(root.FullName, "Qwen.Agents.sln")))
            {
                return Path.Combine(root.FullName, "src", "Qwen.Cli", "bin", testBin.Parent!.Name, testBin.Name, "qwen.dll");
            }
        }

        throw new InvalidOperationException($"Qwen.Agents.sln is not above {AppContext.BaseDirectory}.");
    });

    /// <summary>Gets the path of qwen.dll to run.</summary>
    public static string QwenDll => QwenDllPath.Value;

    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static Task<Result> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs qwen with <paramref name="input"/> as its standard input (then closed), or the inherited one when null.</summary>
    public static Task<Result> RunWithInputAsync(string? input, params string[] args) => RunCoreAsync(input, null, args);

    /// <summary>Runs qwen with environment variables set (a null value removes the variable), for the Hugging Face settings.</summary>
    public static Task<Result> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string?> environment, params string[] args) => RunCoreAsync(null, environment, args);

    private static async Task<Result> RunCoreAsync(string? input, IReadOnlyDictionary<string, string?>? environment, string[] args)
    {
        var qwenDll = QwenDll;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        // No test may reach the real Hugging Face Hub: offline unless a test points HF_ENDPOINT at its own loopback server.
        start.Environment["HF_HUB_OFFLINE"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(qwenDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"qwen {string.Join(' ', args)} did not finish within 2 minutes");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
