using System.Collections.Concurrent;
using TorchSharp;

namespace Qwen.Runtime;

/// <summary>The one thread that runs a model's tensor work, in order.</summary>
/// <remarks>
/// libtorch keeps its OpenMP thread team and grad mode per calling thread; running every step of a model on the same
/// thread keeps one team (no oversubscription of the cores by teams created for whichever pool thread happened to
/// resume an await) and lets grad mode be switched off once. It also serialises use of the model, which is what a
/// later batching scheduler needs anyway.
/// </remarks>
internal sealed class TorchWorker : IDisposable
{
    private readonly BlockingCollection<Action> _queue = [];
    private readonly Thread _thread;

    public TorchWorker(string name, int? threads)
    {
        _thread = new Thread(() => Loop(threads)) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public T Run<T>(Func<T> work)
    {
        if (Thread.CurrentThread == _thread)
        {
            return work();
        }

        return RunAsync(work, CancellationToken.None).GetAwaiter().GetResult();
    }

    public Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (cancellationToken.IsCancellationRequested)
        {
            completion.SetCanceled(cancellationToken);
            return completion.Task;
        }

        try
        {
            _queue.Add(() =>
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    completion.TrySetCanceled(cancellationToken);
                    return;
                }

                try
                {
                    completion.TrySetResult(work());
                }
                catch (Exception e)
                {
                    completion.TrySetException(e);
                }
            });
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(nameof(QwenModel));
        }

        return completion.Task;
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        if (Thread.CurrentThread != _thread)
        {
            // The loop ends once the queue drains; only then may the queue itself go.
            _thread.Join();
            _queue.Dispose();
        }
    }

    private void Loop(int? threads)
    {
        if (threads is { } n)
        {
            torch.set_num_threads(n);
        }

        using var noGrad = torch.no_grad();
        foreach (var work in _queue.GetConsumingEnumerable())
        {
            work();
        }
    }
}
