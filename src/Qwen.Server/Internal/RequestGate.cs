namespace Qwen.Server;

/// <summary>Bounds the work the server takes on: <see cref="QwenServerOptions.MaxConcurrentRequests"/> run, <see cref="QwenServerOptions.MaxQueuedRequests"/> wait, the rest get 503.</summary>
internal sealed class RequestGate : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly int _maxQueued;
    private int _waiting;

    public RequestGate(QwenServerOptions options)
    {
        _slots = new SemaphoreSlim(options.MaxConcurrentRequests, options.MaxConcurrentRequests);
        _maxQueued = options.MaxQueuedRequests;
    }

    /// <summary>Gets how many requests wait for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Takes a slot, waiting in the queue if none is free; dispose the result to give it back.</summary>
    /// <exception cref="ApiException">The queue is full (503).</exception>
    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        if (!_slots.Wait(0, CancellationToken.None))
        {
            if (Interlocked.Increment(ref _waiting) > _maxQueued)
            {
                Interlocked.Decrement(ref _waiting);
                throw new ApiException(new ApiError(503, $"The server is busy: all request slots are taken and the queue ({_maxQueued}) is full; retry later.", "server_error", Code: "queue_full"));
            }

            try
            {
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        return new Lease(_slots);
    }

    public void Dispose() => _slots.Dispose();

    private sealed class Lease(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
