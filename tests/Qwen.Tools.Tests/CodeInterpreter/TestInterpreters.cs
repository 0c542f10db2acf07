namespace Qwen.Tools.Tests;

/// <summary>Code interpreters over a fresh temporary folder, with low limits where a test needs them.</summary>
internal static class TestInterpreters
{
    public static Qwen.Tools.CodeInterpreter Create(Action<CodeInterpreterOptions>? configure = null)
    {
        var options = new CodeInterpreterOptions
        {
            WorkDirectory = Directory.CreateTempSubdirectory("qwen-ci-test-").FullName,
            PrewarmWorker = false,
        };
        configure?.Invoke(options);
        return new Qwen.Tools.CodeInterpreter(options);
    }

    /// <summary>A session id no other test uses.</summary>
    public static string NewSession() => "s-" + Guid.NewGuid().ToString("N")[..12];
}
