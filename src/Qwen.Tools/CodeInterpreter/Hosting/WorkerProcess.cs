using System.Diagnostics;
using System.Globalization;

namespace Qwen.Tools;

/// <summary>
/// The host's handle on one worker process: sends it framed requests, waits for its answers, watches its memory
/// and time, and kills it when it overruns them or does not stop when asked.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(2);

    private readonly Process _process;
    private readonly int _maxResponseBytes;
    private readonly Stream _input;
    private readonly Lock _lock = new();
    private readonly Queue<string> _errorHead = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reading;
    private TaskCompletionSource<WorkerResponse>? _pending;
    private string? _killReason;

    private WorkerProcess(Process process, int maxResponseBytes)
    {
        _process = process;
        _maxResponseBytes = maxResponseBytes;
        _input = process.StandardInput.BaseStream;
        Id = process.Id;
        _reading = Task.Run(ReadResponsesAsync);
        _ = Task.Run(ReadErrorsAsync);
    }

    public int Id { get; }

    public bool HasExited => _exited.Task.IsCompleted || ProcessHasExited();

    /// <summary>Starts a worker process; it waits for its <c>init</c> request.</summary>
    /// <param name="startInfo">How to start it, with its standard streams redirected.</param>
    /// <param name="maxResponseBytes">The largest answer the host reads from it: a larger one means a broken (or subverted) worker, which is killed.</param>
    /// <exception cref="InvalidOperationException">The process could not be started.</exception>
    public static WorkerProcess Start(ProcessStartInfo startInfo, int maxResponseBytes = WorkerFrames.MaxFrameBytes)
    {
        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException("the operating system started no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new InvalidOperationException($"Could not start the code interpreter worker ('{startInfo.FileName} {string.Join(' ', startInfo.ArgumentList)}'): {e.Message}", e);
        }

        try
        {
            // Runaway sandboxed code should not starve the application that hosts it.
            process.PriorityClass = ProcessPriorityClass.BelowNormal;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            // Priority is a courtesy; the limits do not depend on it.
        }

        return new WorkerProcess(process, maxResponseBytes);
    }

    /// <summary>Sends the session's settings and waits until the sandbox is set up.</summary>
    /// <exception cref="WorkerExitedException">The worker ended first.</exception>
    /// <exception cref="InvalidOperationException">The sandbox could not start.</exception>
    public async Task InitializeAsync(WorkerSettings settings, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var ready = SendAndWaitAsync(new WorkerRequest { Type = WorkerRequest.Init, Settings = settings });
        try
        {
            var response = await ready.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            if (response.Error is { } error)
            {
                throw new InvalidOperationException(error.Message);
            }
        }
        catch (TimeoutException)
        {
            Kill(string.Create(CultureInfo.InvariantCulture, $"it did not start within {timeout.TotalSeconds:0} s"));
            throw new WorkerExitedException(DescribeExit());
        }
    }

    /// <summary>Runs code in the worker and waits for its result, enforcing the wall time, the memory cap and cancellation from outside.</summary>
    /// <exception cref="WorkerExitedException">The worker ended (crashed, or was killed here) before answering.</exception>
    public async Task<WorkerResponse> ExecuteAsync(long id, string code, TimeSpan hardTimeout, long memoryCap, CancellationToken cancellationToken)
    {
        var result = SendAndWaitAsync(new WorkerRequest { Type = WorkerRequest.Execute, Id = id, Code = code });
        var clock = Stopwatch.StartNew();
        TimeSpan? cancelledAt = null;
        while (true)
        {
            if (await Task.WhenAny(result, Task.Delay(PollInterval, CancellationToken.None)).ConfigureAwait(false) == result)
            {
                return await result.ConfigureAwait(false);
            }

            if (ResidentBytes() is { } resident && resident > memoryCap)
            {
                Kill($"it used {Mebibytes(resident)} of memory, more than the {Mebibytes(memoryCap)} a worker may use");
            }
            else if (clock.Elapsed > hardTimeout)
            {
                Kill($"the call ran past its time limit and did not stop by itself within {hardTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s");
            }
            else if (cancellationToken.IsCancellationRequested && cancelledAt is null)
            {
                cancelledAt = clock.Elapsed;
                await SendAsync(new WorkerRequest { Type = WorkerRequest.Cancel, Id = id }).ConfigureAwait(false);
            }
            else if (cancelledAt is { } at && clock.Elapsed - at > CancelGrace)
            {
                Kill("the call was cancelled and did not stop");
            }
        }
    }

    /// <summary>Ends the worker at once; <paramref name="reason"/> is what the session will be told.</summary>
    public void Kill(string reason)
    {
        lock (_lock)
        {
            _killReason ??= reason;
        }

        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    /// <summary>Why the worker ended, in words: the host's reason for killing it, or its exit code and last error line.</summary>
    public string DescribeExit()
    {
        lock (_lock)
        {
            if (_killReason is not null)
            {
                return "the host stopped it: " + _killReason;
            }

            var exitCode = _process.HasExited ? _process.ExitCode : (int?)null;
            var detail = string.Join(" ", _errorHead).Trim();
            var text = exitCode switch
            {
                CodeWorkerEntryPoint.OutOfMemoryExitCode => "it ran out of memory",
                null => "it closed its output",
                _ => string.Create(CultureInfo.InvariantCulture, $"it exited with code {exitCode}"),
            };
            return detail.Length == 0 ? text : $"{text} ({(detail.Length > 300 ? detail[..300] + "..." : detail)})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Closing its input is how a worker is asked to leave; it exits at once, even mid-call.
            _input.Close();
        }
        catch (IOException)
        {
            // It is gone already.
        }

        if (!HasExited)
        {
            try
            {
                await _exited.Task.WaitAsync(ExitGrace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Kill("it was closed");
            }
        }

        await _reading.ConfigureAwait(false);
        _process.Dispose();
    }

    private bool ProcessHasExited()
    {
        try
        {
            return _process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private long? ResidentBytes()
    {
        try
        {
            _process.Refresh();
            return _process.HasExited ? null : _process.WorkingSet64;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private Task<WorkerResponse> SendAndWaitAsync(WorkerRequest request)
    {
        var pending = new TaskCompletionSource<WorkerResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (HasExited)
            {
                throw new WorkerExitedException(DescribeExit());
            }

            _pending = pending;
        }

        return SendThenWaitAsync(request, pending.Task);
    }

    private async Task<WorkerResponse> SendThenWaitAsync(WorkerRequest request, Task<WorkerResponse> answer)
    {
        await SendAsync(request).ConfigureAwait(false);
        return await answer.ConfigureAwait(false);
    }

    private async Task SendAsync(WorkerRequest request)
    {
        var frame = WorkerFrames.Encode(request, WorkerJsonContext.Default.WorkerRequest);
        try
        {
            await _input.WriteAsync(frame).ConfigureAwait(false);
            await _input.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The worker is gone; the reader reports how.
            await _exited.Task.ConfigureAwait(false);
        }
    }

    private async Task ReadResponsesAsync()
    {
        var output = _process.StandardOutput.BaseStream;
        try
        {
            while (await WorkerFrames.ReadAsync(output, WorkerJsonContext.Default.WorkerResponse, _maxResponseBytes, CancellationToken.None).ConfigureAwait(false) is { } response)
            {
                TaskCompletionSource<WorkerResponse>? pending;
                lock (_lock)
                {
                    (pending, _pending) = (_pending, null);
                }

                pending?.TrySetResult(response);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException)
        {
            Kill("it sent a message the host could not read: " + e.Message);
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(ExitGrace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Kill("it closed its output but kept running");
        }

        TaskCompletionSource<WorkerResponse>? orphan;
        lock (_lock)
        {
            _exited.TrySetResult();
            (orphan, _pending) = (_pending, null);
        }

        orphan?.TrySetException(new WorkerExitedException(DescribeExit()));
    }

    private async Task ReadErrorsAsync()
    {
        try
        {
            while (await _process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                lock (_lock)
                {
                    // The first lines say what happened ("Stack overflow.", "Out of memory."); the frames after them do not.
                    if (_errorHead.Count < 5)
                    {
                        _errorHead.Enqueue(line);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The process is gone.
        }
    }

    private static string Mebibytes(long bytes) => (bytes / 1048576.0).ToString("0", CultureInfo.InvariantCulture) + " MiB";
}
