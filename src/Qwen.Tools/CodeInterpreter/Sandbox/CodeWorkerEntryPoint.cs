namespace Qwen.Tools;

/// <summary>
/// The code interpreter worker process's entry point, called by Qwen.Tools.CodeWorker.dll (which finds it by name):
/// it serves the protocol on stdin and stdout until the host closes stdin.
/// </summary>
internal static class CodeWorkerEntryPoint
{
    /// <summary>Argument that asks a worker to warm itself up (compile the sandbox's hot paths) before its first request.</summary>
    public const string WarmUpArgument = "--warm-up";

    /// <summary>Exit code after the sandbox ran out of memory and its state could not be trusted.</summary>
    public const int OutOfMemoryExitCode = 3;

    /// <summary>Runs the worker; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        var input = Console.OpenStandardInput();
        var output = Console.OpenStandardOutput();

        // Only protocol frames may reach stdout.
        Console.SetOut(TextWriter.Null);
        return new CodeWorkerLoop(input, output).Run(args.Contains(WarmUpArgument));
    }
}
