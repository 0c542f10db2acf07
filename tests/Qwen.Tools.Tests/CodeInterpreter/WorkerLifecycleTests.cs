using System.Diagnostics;

namespace Qwen.Tools.Tests;

public sealed class WorkerLifecycleTests
{
    [Fact]
    public async Task WorkerKilledBetweenCalls_IsReplacedAndTheSessionIsTold()
    {
        await using var interpreter = TestInterpreters.Create();
        await interpreter.ExecuteAsync("a", "var x = 1");
        await KillAsync(interpreter.GetWorkerProcessId("a")!.Value);

        var result = await interpreter.ExecuteAsync("a", "typeof x");

        Assert.True(result.Succeeded, result.ToText());
        Assert.Equal("'undefined'", result.Value);
        Assert.Contains("The worker process of this session stopped between calls", result.Notice, StringComparison.Ordinal);
        Assert.StartsWith("Note: The worker process", result.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerKilledDuringACall_ReportsWorkerCrashedWhileOtherSessionsKeepWorking()
    {
        await using var interpreter = TestInterpreters.Create(o => o.Timeout = TimeSpan.FromMinutes(1));
        await interpreter.ExecuteAsync("victim", "var x = 1");
        await interpreter.ExecuteAsync("bystander", "var y = 2");
        var pid = interpreter.GetWorkerProcessId("victim")!.Value;

        var running = interpreter.ExecuteAsync("victim", "while (true) {}");
        await Task.Delay(300);
        await KillAsync(pid);
        var result = await running.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(CodeErrorKind.WorkerCrashed, result.Error?.Kind);
        Assert.Contains("stopped during the call", result.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("next call starts a fresh session", result.ToText(), StringComparison.Ordinal);
        Assert.Equal("2", (await interpreter.ExecuteAsync("bystander", "y")).Value);
        var next = await interpreter.ExecuteAsync("victim", "typeof x");
        Assert.Equal("'undefined'", next.Value);
        Assert.NotEqual(pid, interpreter.GetWorkerProcessId("victim"));
    }

    [Fact]
    public async Task Cancellation_StopsTheCallAndKeepsTheSession()
    {
        await using var interpreter = TestInterpreters.Create(o => o.Timeout = TimeSpan.FromMinutes(1));
        await interpreter.ExecuteAsync("a", "var kept = 'yes'");
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => interpreter.ExecuteAsync("a", "while (true) {}", cancellation.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), clock.Elapsed.ToString());
        Assert.Equal("'yes'", (await interpreter.ExecuteAsync("a", "kept")).Value);
    }

    [Fact]
    public async Task IdleSession_IsReclaimedAndTheNextCallIsTold()
    {
        await using var interpreter = TestInterpreters.Create(o => o.IdleTimeout = TimeSpan.FromMilliseconds(200));
        await interpreter.ExecuteAsync("a", "var x = 1");
        var pid = interpreter.GetWorkerProcessId("a")!.Value;

        var deadline = Stopwatch.StartNew();
        while (interpreter.SessionIds.Contains("a") && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
        }

        Assert.DoesNotContain("a", interpreter.SessionIds);
        await WaitForExitAsync(pid);
        var result = await interpreter.ExecuteAsync("a", "typeof x");
        Assert.Equal("'undefined'", result.Value);
        Assert.Contains("was unused for more than", result.Notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionsBeyondTheMaximum_CloseTheLeastRecentlyUsed()
    {
        await using var interpreter = TestInterpreters.Create(o => o.MaxSessions = 2);
        await interpreter.ExecuteAsync("first", "var x = 1");
        await interpreter.ExecuteAsync("second", "var x = 2");

        await interpreter.ExecuteAsync("third", "var x = 3");
        var reopened = await interpreter.ExecuteAsync("first", "typeof x");

        Assert.Equal("'undefined'", reopened.Value);
        Assert.Contains("closed to make room for other sessions", reopened.Notice, StringComparison.Ordinal);
        Assert.Equal(2, interpreter.SessionIds.Count);
    }

    [Fact]
    public async Task DisposeAsync_StopsEveryWorker()
    {
        var interpreter = TestInterpreters.Create(o => o.PrewarmWorker = true);
        await interpreter.ExecuteAsync("a", "1");
        await interpreter.ExecuteAsync("b", "1");
        var pids = new[] { interpreter.GetWorkerProcessId("a")!.Value, interpreter.GetWorkerProcessId("b")!.Value };

        await interpreter.DisposeAsync();

        foreach (var pid in pids)
        {
            await WaitForExitAsync(pid);
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => interpreter.ExecuteAsync("a", "1"));
    }

    [Fact]
    public async Task PrewarmedWorker_ServesTheNextSession()
    {
        await using var interpreter = TestInterpreters.Create(o => o.PrewarmWorker = true);

        var first = await interpreter.ExecuteAsync("a", "1 + 1");
        var second = await interpreter.ExecuteAsync("b", "2 + 2");

        Assert.Equal(("2", "4"), (first.Value, second.Value));
    }

    [Fact]
    public async Task MissingWorker_ThrowsFileNotFoundNamingIt()
    {
        await using var interpreter = TestInterpreters.Create(o => o.WorkerPath = "/nonexistent/Qwen.Tools.CodeWorker.dll");

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => interpreter.ExecuteAsync("a", "1"));

        Assert.Contains("/nonexistent/Qwen.Tools.CodeWorker.dll", error.Message, StringComparison.Ordinal);
        Assert.Contains("CodeInterpreterOptions.WorkerPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerProcess_ThatNeverAnswers_IsKilledAtTheHardTimeout()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var silent = StartSilentProcess();
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<WorkerExitedException>(() => silent.ExecuteAsync(1, "1", TimeSpan.FromMilliseconds(500), long.MaxValue, CancellationToken.None));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), clock.Elapsed.ToString());
        Assert.StartsWith("the host stopped it: the call ran past its time limit", error.Message, StringComparison.Ordinal);
        Assert.True(silent.HasExited);
    }

    [Fact]
    public async Task WorkerProcess_AboveItsMemoryCap_IsKilled()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var silent = StartSilentProcess();

        var error = await Assert.ThrowsAsync<WorkerExitedException>(() => silent.ExecuteAsync(1, "1", TimeSpan.FromMinutes(1), memoryCap: 1, CancellationToken.None));

        Assert.Contains("of memory, more than the 0 MiB a worker may use", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerFrames_FrameLargerThanAllowed_IsRefusedBeforeItIsRead()
    {
        using var stream = new MemoryStream([0x00, 0x00, 0x00, 0x40, (byte)'{']);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => WorkerFrames.ReadAsync(stream, WorkerJsonContext.Default.WorkerResponse, 1 << 20, CancellationToken.None));

        Assert.Contains("announced 1073741824 bytes; at most 1048576 are allowed", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A process that reads its input and never answers: the host must give up on it and kill it.</summary>
    private static WorkerProcess StartSilentProcess() => WorkerProcess.Start(new ProcessStartInfo("/bin/sh", ["-c", "cat > /dev/null"])
    {
        RedirectStandardInput = true,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    });

    private static async Task KillAsync(int pid)
    {
        using var process = Process.GetProcessById(pid);
        process.Kill();
        await process.WaitForExitAsync();
    }

    private static async Task WaitForExitAsync(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (ArgumentException)
        {
            // Already gone and reaped.
        }
    }
}
