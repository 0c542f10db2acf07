using System.Collections.Concurrent;

namespace Qwen.Tools;

/// <summary>
/// The worker process's loop: reads framed requests from its input, runs them in a <see cref="JsSandbox"/> on a
/// thread with a large stack, writes framed responses to its output.
/// </summary>
/// <remarks>
/// When the input closes (the host stopped or died) the process exits at once, even in the middle of a call.
/// </remarks>
internal sealed class CodeWorkerLoop(Stream input, Stream output)
{

    // Deep enough for real recursion; the engine's stack guard turns exhaustion into a RangeError well before the end.
    private const int SandboxStackBytes = 16 << 20;

    private readonly BlockingCollection<WorkerRequest> _requests = [];
    private readonly Lock _writeLock = new();
    private readonly Lock _runningLock = new();
    private long _runningId = -1;
    private CancellationTokenSource? _running;
    private int _exitCode;

    /// <summary>Serves requests until the input closes or the sandbox fails for good; returns the process exit code.</summary>
    public int Run(bool warmUp)
    {
        var reader = new Thread(ReadRequests) { IsBackground = true, Name = "qwen-code-worker-input" };
        reader.Start();
        var sandbox = new Thread(() => Serve(warmUp), SandboxStackBytes) { Name = "qwen-code-worker-sandbox" };
        sandbox.Start();
        sandbox.Join();
        return _exitCode;
    }

    private void ReadRequests()
    {
        while (true)
        {
            WorkerRequest? request;
            try
            {
                request = WorkerFrames.Read(input, WorkerJsonContext.Default.WorkerRequest);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"qwen-code-worker: unreadable request: {e.Message}");
                request = null;
            }

            if (request is null)
            {
                // The host is gone: nobody is left to serve, whatever the sandbox is doing.
                Environment.Exit(0);
            }

            if (request.Type == WorkerRequest.Cancel)
            {
                lock (_runningLock)
                {
                    if (_runningId == request.Id)
                    {
                        _running?.Cancel();
                    }
                }

                continue;
            }

            _requests.Add(request);
        }
    }

    private void Serve(bool warmUp)
    {
        if (warmUp)
        {
            SandboxWarmUp.Run();
        }

        JsSandbox? sandbox = null;
        foreach (var request in _requests.GetConsumingEnumerable())
        {
            if (request.Type == WorkerRequest.Init)
            {
                var ready = new WorkerResponse { Type = WorkerResponse.Ready, Id = request.Id };
                try
                {
                    sandbox = new JsSandbox(request.Settings ?? throw new InvalidDataException("init without settings"));
                }
                catch (Exception e)
                {
                    ready.Error = new WorkerError { Kind = CodeErrorKind.Exception, Name = "InternalError", Message = $"The sandbox could not start: {e.Message}" };
                }

                Send(ready);
                continue;
            }

            if (request.Type != WorkerRequest.Execute)
            {
                continue;
            }

            WorkerResponse response;
            if (sandbox is null)
            {
                response = new WorkerResponse
                {
                    Type = WorkerResponse.Result,
                    Id = request.Id,
                    Error = new WorkerError { Kind = CodeErrorKind.Exception, Name = "InternalError", Message = "The worker received code before its settings." },
                };
            }
            else
            {
                using var cancellation = new CancellationTokenSource();
                lock (_runningLock)
                {
                    (_runningId, _running) = (request.Id, cancellation);
                }

                response = sandbox.Execute(request.Id, request.Code ?? string.Empty, cancellation.Token);
                lock (_runningLock)
                {
                    (_runningId, _running) = (-1, null);
                }
            }

            Send(response);
            if (response.Fatal)
            {
                _exitCode = CodeWorkerEntryPoint.OutOfMemoryExitCode;
                return;
            }
        }
    }

    private void Send(WorkerResponse response)
    {
        var frame = WorkerFrames.Encode(response, WorkerJsonContext.Default.WorkerResponse);
        lock (_writeLock)
        {
            output.Write(frame);
            output.Flush();
        }
    }
}
