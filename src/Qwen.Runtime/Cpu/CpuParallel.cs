namespace Qwen.Runtime;

/// <summary>Runs the chunks of one job on the calling thread and a few helper threads, claiming chunks dynamically.</summary>
/// <remarks>
/// The caller always works too and claims whatever the helpers have not, so a helper that the OS has not scheduled
/// (a busy, shared machine) delays the job by at most the one chunk it holds, never by its whole share. Helpers spin
/// briefly between jobs (decode issues a hundred jobs per token, microseconds apart) and then sleep.
/// </remarks>
internal sealed class CpuParallel : IDisposable
{
    // About half a millisecond of spinning: decode's jobs come microseconds apart, so helpers stay awake through a
    // token; in a prefill, where libtorch's GEMMs run between jobs, they sleep soon instead of taking a core from the
    // GEMM's threads (20,000, about 5 ms, cost int8 prefill about a sixth of its speed on 2 cores).
    private const int SpinIterations = 2_000;

    private readonly Thread[] _helpers;
    private readonly SemaphoreSlim _wake = new(0);
    private Batch? _current;
    private long _generation;
    private int _sleepers;
    private volatile bool _stopping;

    public CpuParallel(int threads)
    {
        _helpers = new Thread[Math.Max(0, threads - 1)];
        for (var i = 0; i < _helpers.Length; i++)
        {
            _helpers[i] = new Thread(HelperLoop) { IsBackground = true, Name = $"qwen-cpu-{i + 1}" };
            _helpers[i].Start();
        }
    }

    /// <summary>Gets the number of threads a job runs on, the caller included.</summary>
    public int Threads => _helpers.Length + 1;

    /// <summary>Runs <paramref name="job"/> for chunks 0 .. <paramref name="chunks"/> - 1 and returns when all are done.</summary>
    public void Run(IChunkJob job, int chunks)
    {
        if (chunks <= 1 || _helpers.Length == 0)
        {
            for (var i = 0; i < chunks; i++)
            {
                job.Execute(i);
            }

            return;
        }

        var batch = new Batch(job, chunks);
        Volatile.Write(ref _current, batch);
        Interlocked.Increment(ref _generation);
        var sleepers = Volatile.Read(ref _sleepers);
        if (sleepers > 0)
        {
            _wake.Release(sleepers);
        }

        Work(batch);
        var spin = default(SpinWait);
        while (Volatile.Read(ref batch.Remaining) > 0)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        if (_helpers.Length > 0)
        {
            _wake.Release(_helpers.Length);
        }

        foreach (var helper in _helpers)
        {
            helper.Join();
        }

        _wake.Dispose();
    }

    private static void Work(Batch batch)
    {
        int chunk;
        while ((chunk = Interlocked.Increment(ref batch.Next) - 1) < batch.Count)
        {
            batch.Job.Execute(chunk);
            Interlocked.Decrement(ref batch.Remaining);
        }
    }

    private void HelperLoop()
    {
        var seen = Volatile.Read(ref _generation);
        while (!_stopping)
        {
            if (!WaitForJob(ref seen))
            {
                continue;
            }

            if (Volatile.Read(ref _current) is { } batch)
            {
                Work(batch);
            }
        }
    }

    /// <summary>Spins, then sleeps, until a new generation is published; true when there is one.</summary>
    private bool WaitForJob(ref long seen)
    {
        for (var i = 0; i < SpinIterations; i++)
        {
            var generation = Volatile.Read(ref _generation);
            if (generation != seen)
            {
                seen = generation;
                return true;
            }

            Thread.SpinWait(8);
        }

        Interlocked.Increment(ref _sleepers);
        try
        {
            // Re-check after announcing sleep: a job published in between must not be missed.
            if (Volatile.Read(ref _generation) == seen && !_stopping)
            {
                _wake.Wait();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _sleepers);
        }

        var now = Volatile.Read(ref _generation);
        if (now == seen)
        {
            return false;
        }

        seen = now;
        return true;
    }

    /// <summary>One published job; stale helpers holding an old batch find its chunks all claimed and leave.</summary>
    private sealed class Batch(IChunkJob job, int count)
    {
        public readonly IChunkJob Job = job;
        public readonly int Count = count;
        public int Next;
        public int Remaining = count;
    }
}
