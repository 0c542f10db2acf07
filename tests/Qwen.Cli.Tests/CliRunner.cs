using System.Diagnostics;

namespace Qwen.Cli.Tests;

/// <summary>Runs the built <c>qwen</c> command in a child process, as a user would.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    public static Task<Result> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs qwen with <paramref name="input"/> as its standard input (then closed), or the inherited one when null.</summary>
    public static async Task<Result> RunWithInputAsync(string? input, params string[] args)
    {
        var qwenDll = Path.Combine(AppContext.BaseDirectory, "qwen.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
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
