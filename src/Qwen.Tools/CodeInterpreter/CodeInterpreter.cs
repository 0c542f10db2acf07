using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Qwen.Tools;

/// <summary>
/// Runs model-written JavaScript in sandboxed, stateful sessions, each in a worker process of its own.
/// </summary>
/// <remarks>
/// <para>A session is like a notebook kernel: variables and functions persist from one call to the next; sessions
/// never see each other's state. A session is opened by its first call, dropped by <see cref="ResetSessionAsync"/>,
/// and reclaimed after <see cref="CodeInterpreterOptions.IdleTimeout"/>; its files stay.</para>
/// <para>Every call runs under the limits of <see cref="CodeInterpreterOptions"/>. A worker that crashes or is
/// killed (for running past its time or memory) is replaced on the next call, and the call that caused it is told
/// so in its result. Thread-safe; calls to one session run one at a time, sessions run in parallel.</para>
/// </remarks>
public sealed partial class CodeInterpreter : IAsyncDisposable, IDisposable
{
    private const int MaxRememberedClosures = 1_024;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly ILogger _logger;
    private readonly WorkerLauncher _launcher;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CodeSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _closedSessions = new(StringComparer.Ordinal);
    private readonly ITimer _idleTimer;
    private WorkerProcess? _spare;
    private bool _disposed;

    /// <summary>Creates a code interpreter; no process starts until the first call (or, with <see cref="CodeInterpreterOptions.PrewarmWorker"/>, one spare).</summary>
    /// <param name="options">Folder and limits; <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">Creates the logger where worker starts, crashes and session closures are logged; null for none.</param>
    /// <exception cref="ArgumentException">An option is out of its allowed range.</exception>
    public CodeInterpreter(CodeInterpreterOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        Options = options ?? new CodeInterpreterOptions();
        Options.Validate();
        _logger = (ILogger?)loggerFactory?.CreateLogger<CodeInterpreter>() ?? NullLogger.Instance;
        _launcher = new WorkerLauncher(Options);
        _time = Options.TimeProvider;
        var sweep = Options.IdleTimeout / 4 < TimeSpan.FromSeconds(30) ? Options.IdleTimeout / 4 : TimeSpan.FromSeconds(30);
        _idleTimer = _time.CreateTimer(_ => CloseIdleSessions(), null, sweep, sweep);
    }

    /// <summary>The folder and limits this interpreter runs with (validated; do not change them after construction).</summary>
    public CodeInterpreterOptions Options { get; }

    /// <summary>The sessions open now.</summary>
    public IReadOnlyCollection<string> SessionIds
    {
        get
        {
            lock (_lock)
            {
                return [.. _sessions.Keys];
            }
        }
    }

    /// <summary>Runs <paramref name="code"/> in session <paramref name="sessionId"/>, opening the session if needed.</summary>
    /// <param name="sessionId">Which session: letters, digits, <c>.</c>, <c>_</c> and <c>-</c>, 1 to 128 of them.</param>
    /// <param name="code">The JavaScript to run.</param>
    /// <param name="cancellationToken">Stops the call (the worker is killed if it does not stop in time).</param>
    /// <returns>What the code printed and returned, or its error; a failure of the code is a result, not an exception.</returns>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> or <paramref name="code"/> is not acceptable.</exception>
    /// <exception cref="InvalidOperationException">The worker could not be started, or every session slot is busy.</exception>
    /// <exception cref="FileNotFoundException">The worker executable or <c>dotnet</c> was not found.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<CodeExecutionResult> ExecuteAsync(string sessionId, string code, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckSessionId(sessionId);
        ArgumentNullException.ThrowIfNull(code);
        if (code.Length > Options.MaxCodeChars)
        {
            throw new ArgumentException($"The code has {code.Length} characters; at most {Options.MaxCodeChars} (CodeInterpreterOptions.MaxCodeChars) are accepted.", nameof(code));
        }

        while (true)
        {
            var session = OpenSession(sessionId);
            await session.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!session.Closed)
                {
                    return await RunAsync(session, code, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                session.LastUsed = _time.GetTimestamp();
                session.Gate.Release();
            }
        }
    }

    /// <summary>Drops the session's state (its worker stops); its files stay. The next call opens it afresh.</summary>
    /// <param name="sessionId">The session to reset; resetting a session that is not open does nothing.</param>
    /// <param name="cancellationToken">Stops waiting for a running call of the session to end.</param>
    /// <returns>A task that completes once the session's worker has stopped.</returns>
    public async Task ResetSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckSessionId(sessionId);
        CodeSession? session;
        lock (_lock)
        {
            _closedSessions.Remove(sessionId);
            if (!_sessions.TryGetValue(sessionId, out session))
            {
                return;
            }
        }

        await session.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CloseAsync(session, reason: null).ConfigureAwait(false);
        }
        finally
        {
            session.Gate.Release();
        }
    }

    /// <summary>The folder session <paramref name="sessionId"/> reads and writes files in (created if missing).</summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>The folder's full path.</returns>
    public string GetWorkDirectory(string sessionId)
    {
        CheckSessionId(sessionId);
        var root = Path.GetFullPath(Options.WorkDirectory);
        var folder = Options.IsolateSessionDirectories ? Path.Combine(root, sessionId) : root;
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Stops every worker process.</summary>
    /// <returns>A task that completes once they have stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        List<WorkerProcess> workers;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            workers = [.. _sessions.Values.Select(s => s.Worker).OfType<WorkerProcess>()];
            if (_spare is not null)
            {
                workers.Add(_spare);
            }

            foreach (var session in _sessions.Values)
            {
                session.Closed = true;
            }

            _sessions.Clear();
            _spare = null;
        }

        await _idleTimer.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(workers.Select(w => w.DisposeAsync().AsTask())).ConfigureAwait(false);
    }

    /// <summary>Stops every worker process.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The process id of the session's worker, for tests that play the part of a crash.</summary>
    internal int? GetWorkerProcessId(string sessionId)
    {
        lock (_lock)
        {
            return _sessions.TryGetValue(sessionId, out var session) ? session.Worker?.Id : null;
        }
    }

    private async Task<CodeExecutionResult> RunAsync(CodeSession session, string code, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var notice = session.Notice;
        session.Notice = null;
        if (session.Worker is { HasExited: true } dead)
        {
            notice = Join(notice, $"The worker process of this session stopped between calls ({dead.DescribeExit()}); variables and functions from earlier calls are gone.");
            await StopWorkerAsync(session, dead.DescribeExit(), unexpected: true).ConfigureAwait(false);
        }

        session.Worker ??= await StartWorkerAsync(session, cancellationToken).ConfigureAwait(false);
        var worker = session.Worker;
        WorkerResponse response;
        try
        {
            response = await worker.ExecuteAsync(++session.CallCount, code, Options.Timeout + KillGrace(), _launcher.MemoryCap, cancellationToken).ConfigureAwait(false);
        }
        catch (WorkerExitedException e)
        {
            await StopWorkerAsync(session, e.Message, unexpected: !cancellationToken.IsCancellationRequested).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return new CodeExecutionResult
            {
                Notice = notice,
                Elapsed = clock.Elapsed,
                Error = new CodeExecutionError
                {
                    Kind = CodeErrorKind.WorkerCrashed,
                    Name = "WorkerCrashedError",
                    Message = $"The process running this session stopped during the call: {e.Message}. Its variables and functions are lost; the next call starts a fresh session (files stay).",
                },
            };
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (response.Fatal)
        {
            await StopWorkerAsync(session, "it ran out of memory", unexpected: true).ConfigureAwait(false);
        }

        return new CodeExecutionResult
        {
            Output = response.Output,
            Value = response.Value,
            OutputTruncated = response.OutputTruncated,
            OmittedChars = response.OmittedChars,
            Error = response.Error?.ToPublic(),
            Images = await ReadImagesAsync(session, response.Images, cancellationToken).ConfigureAwait(false),
            Notice = notice,
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary>How long after <see cref="CodeInterpreterOptions.Timeout"/> the host waits for the engine's own timeout before killing the worker.</summary>
    private TimeSpan KillGrace() => TimeSpan.FromMilliseconds(Math.Clamp(Options.Timeout.TotalMilliseconds / 10, 1_000, 5_000));

    private async Task<WorkerProcess> StartWorkerAsync(CodeSession session, CancellationToken cancellationToken)
    {
        WorkerProcess? worker;
        lock (_lock)
        {
            (worker, _spare) = (_spare, null);
        }

        if (worker is { HasExited: true })
        {
            await worker.DisposeAsync().ConfigureAwait(false);
            worker = null;
        }

        worker ??= _launcher.Start(warmUp: false);
        if (Options.PrewarmWorker)
        {
            StartSpare();
        }

        try
        {
            await worker.InitializeAsync(WorkerSettings.From(Options, session.WorkDirectory), StartTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var reason = e.Message;
            await worker.DisposeAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"The code interpreter worker for session '{session.Id}' did not start: {reason}", e);
        }

        ToolsLog.WorkerStarted(_logger, worker.Id, session.Id);
        return worker;
    }

    private void StartSpare()
    {
        lock (_lock)
        {
            if (_disposed || _spare is not null)
            {
                return;
            }

            try
            {
                _spare = _launcher.Start(warmUp: true);
            }
            catch (Exception e) when (e is InvalidOperationException or FileNotFoundException)
            {
                // A spare is an optimisation: the next session starts its own worker and reports the problem then.
            }
        }
    }

    private async Task StopWorkerAsync(CodeSession session, string reason, bool unexpected = false)
    {
        if (session.Worker is not { } worker)
        {
            return;
        }

        session.Worker = null;
        if (unexpected)
        {
            ToolsLog.WorkerLost(_logger, worker.Id, session.Id, reason);
        }
        else
        {
            ToolsLog.WorkerStopped(_logger, worker.Id, session.Id, reason);
        }

        await worker.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<GeneratedImage>> ReadImagesAsync(CodeSession session, List<string> paths, CancellationToken cancellationToken)
    {
        var images = new List<GeneratedImage>();
        var guard = new WorkDirectoryGuard(session.WorkDirectory);
        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            var full = guard.Resolve(path);
            if (File.Exists(full) && new FileInfo(full).Length <= Options.MaxFileBytes)
            {
                images.Add(new GeneratedImage(full, "image/png", await File.ReadAllBytesAsync(full, cancellationToken).ConfigureAwait(false)));
            }
        }

        return images;
    }

    private CodeSession OpenSession(string sessionId)
    {
        CodeSession? evicted = null;
        CodeSession session;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_sessions.TryGetValue(sessionId, out var open))
            {
                return open;
            }

            if (_sessions.Count >= Options.MaxSessions)
            {
                evicted = _sessions.Values
                    .Where(s => s.Gate.CurrentCount > 0)
                    .OrderBy(s => s.LastUsed)
                    .FirstOrDefault(s => s.Gate.Wait(0))
                    ?? throw new InvalidOperationException($"All {Options.MaxSessions} code interpreter sessions are busy (CodeInterpreterOptions.MaxSessions); try again when one finishes.");
                Forget(evicted, $"This session was closed to make room for other sessions (at most {Options.MaxSessions} are kept); variables and functions from earlier calls are gone.");
            }

            session = new CodeSession(sessionId, GetWorkDirectory(sessionId)) { LastUsed = _time.GetTimestamp() };
            if (_closedSessions.Remove(sessionId, out var why))
            {
                session.Notice = why;
            }

            _sessions[sessionId] = session;
        }

        if (evicted is not null)
        {
            _ = CloseEvictedAsync(evicted);
        }

        return session;
    }

    private async Task CloseEvictedAsync(CodeSession session)
    {
        try
        {
            await StopWorkerAsync(session, "evicted").ConfigureAwait(false);
        }
        finally
        {
            session.Gate.Release();
        }
    }

    private void CloseIdleSessions()
    {
        var idleSince = _time.GetTimestamp() - (long)(Options.IdleTimeout.TotalSeconds * _time.TimestampFrequency);
        List<CodeSession> idle;
        lock (_lock)
        {
            idle = [.. _sessions.Values.Where(s => s.LastUsed < idleSince)];
        }

        foreach (var session in idle)
        {
            if (!session.Gate.Wait(0))
            {
                continue;
            }

            _ = CloseIdleAsync(session, idleSince);
        }
    }

    private async Task CloseIdleAsync(CodeSession session, long idleSince)
    {
        try
        {
            if (!session.Closed && session.LastUsed < idleSince)
            {
                await CloseAsync(session, $"This session was unused for more than {Options.IdleTimeout} and was closed; variables and functions from earlier calls are gone.").ConfigureAwait(false);
            }
        }
        finally
        {
            session.Gate.Release();
        }
    }

    /// <summary>Closes a session whose gate the caller holds.</summary>
    private async Task CloseAsync(CodeSession session, string? reason)
    {
        lock (_lock)
        {
            if (session.Closed)
            {
                return;
            }

            Forget(session, reason);
        }

        ToolsLog.SessionClosed(_logger, session.Id, reason ?? "reset");
        await StopWorkerAsync(session, reason ?? "reset").ConfigureAwait(false);
    }

    /// <summary>Removes a session from the open ones; the caller holds <see cref="_lock"/> and the session's gate.</summary>
    private void Forget(CodeSession session, string? reason)
    {
        session.Closed = true;
        _sessions.Remove(session.Id);
        if (reason is null)
        {
            return;
        }

        if (_closedSessions.Count >= MaxRememberedClosures)
        {
            _closedSessions.Clear();
        }

        _closedSessions[session.Id] = reason;
    }

    private static string Join(string? first, string second) => first is null ? second : first + " " + second;

    private static void CheckSessionId(string sessionId)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        if (!SessionIdPattern().IsMatch(sessionId) || sessionId is "." or "..")
        {
            throw new ArgumentException($"Session id '{sessionId}' is not valid: use 1 to 128 letters, digits, '.', '_' or '-'.", nameof(sessionId));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex SessionIdPattern();
}
