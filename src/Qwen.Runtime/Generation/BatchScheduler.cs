using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>Serves all generation requests of one model together: each iteration on the worker admits waiting requests (prefill), then runs one decode step for every active sequence at once.</summary>
/// <remarks>
/// Decode at batch 1 is bound by reading the weights; a batched step reads them once for all active sequences, which is
/// where concurrent requests gain their throughput. Prefill is compute-bound and runs one request at a time through the
/// ordinary path, so a request's prompt is processed exactly as if it ran alone. Sequences join at the next iteration
/// after they arrive and leave (their cache freed) as soon as they finish, are cancelled or are abandoned by their reader.
/// Each iteration is a separate job on the worker queue, so other work on the model interleaves between steps.
/// </remarks>
internal sealed class BatchScheduler
{
    private readonly QwenModel _model;
    private readonly int _maxBatch;
    private readonly Lock _gate = new();
    private readonly Queue<BatchSequence> _waiting = new();
    private readonly List<BatchSequence> _active = [];
    private bool _scheduled;

    public BatchScheduler(QwenModel model, int maxBatch)
    {
        _model = model;
        _maxBatch = maxBatch;
    }

    /// <summary>Gets the most sequences decoded together in one step so far (tests check that batching happened).</summary>
    public int LargestBatch { get; private set; }

    /// <summary>Queues a request; its ids arrive on <see cref="BatchSequence.Tokens"/>.</summary>
    public BatchSequence Submit(int[] promptIds, int maxNewTokens, int capacity, Sampler sampler, HashSet<int> stopIds, CancellationToken cancellationToken)
    {
        var sequence = new BatchSequence(promptIds, maxNewTokens, capacity, sampler, stopIds, _model.Config.VocabSize, cancellationToken);
        bool post;
        lock (_gate)
        {
            _waiting.Enqueue(sequence);
            post = !_scheduled;
            _scheduled = true;
        }

        if (post)
        {
            Post();
        }

        return sequence;
    }

    private void Post()
    {
        try
        {
            _ = _model.RunAsync(Iterate, CancellationToken.None);
        }
        catch (ObjectDisposedException e)
        {
            // The worker has stopped: nothing will ever run these sequences.
            FailAll(e);
        }
    }

    private int Iterate()
    {
        if (_model.IsDisposed)
        {
            FailAll(new ObjectDisposedException(nameof(QwenModel)));
            return 0;
        }

        try
        {
            Retire();
            Admit();
            if (_active.Count > 0)
            {
                Step();
            }
        }
        catch (Exception e)
        {
            // Nothing above should throw past its own handlers; if it does, no request may be left waiting forever.
            FailAll(e);
            return 0;
        }

        lock (_gate)
        {
            if (_active.Count == 0 && _waiting.Count == 0)
            {
                _scheduled = false;
                return 0;
            }
        }

        Post();
        return 0;
    }

    /// <summary>Drops sequences whose reader is gone or whose token was cancelled, freeing their caches now.</summary>
    private void Retire()
    {
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            if (_active[i].IsAbandoned)
            {
                _active[i].Complete(null);
                _active.RemoveAt(i);
            }
        }
    }

    /// <summary>Prefills waiting requests, one at a time, while there are free batch slots.</summary>
    private void Admit()
    {
        while (true)
        {
            BatchSequence? sequence;
            lock (_gate)
            {
                if (_active.Count >= _maxBatch || !_waiting.TryDequeue(out sequence))
                {
                    return;
                }
            }

            if (sequence.IsAbandoned)
            {
                sequence.Complete(null);
                continue;
            }

            try
            {
                sequence.Cache = _model.CreateCache(sequence.Capacity);
                using var scope = NewDisposeScope();
                using var logits = _model.ForwardCore(sequence.PromptIds, sequence.Cache, allPositions: false);
                CopyRows(logits, [sequence]);
                if (!sequence.Emit(sequence.Sampler.Next(sequence.Logits)))
                {
                    _active.Add(sequence);
                }
            }
            catch (Exception e)
            {
                sequence.Complete(e);
            }
        }
    }

    /// <summary>One decode step for every active sequence together, then each samples with its own rules; returns the batch size.</summary>
    private int Step()
    {
        var batch = _active.ToArray();
        LargestBatch = Math.Max(LargestBatch, batch.Length);
        try
        {
            if (batch.Length == 1)
            {
                // A lone sequence keeps the single-token fast path: it runs exactly as a request alone always has.
                _model.DecodeInto(batch[0].LastToken, batch[0].Cache!, batch[0].Logits);
                return SampleAll(batch);
            }

            var ids = batch.Select(s => s.LastToken).ToArray();
            var caches = batch.Select(s => s.Cache!).ToArray();
            using var scope = NewDisposeScope();
            using var logits = _model.ForwardDecodeBatchCore(ids, caches);
            CopyRows(logits, batch);
        }
        catch (Exception e)
        {
            // A failed step leaves every cache of the batch in an unknown state: all of them end with the error.
            foreach (var sequence in batch)
            {
                sequence.Complete(e);
            }

            _active.Clear();
            return 0;
        }

        return SampleAll(batch);
    }

    /// <summary>Each sequence picks its next id from its logits with its own sampler; finished ones leave the batch.</summary>
    private int SampleAll(BatchSequence[] batch)
    {
        foreach (var sequence in batch)
        {
            try
            {
                if (sequence.Emit(sequence.Sampler.Next(sequence.Logits)))
                {
                    _active.Remove(sequence);
                }
            }
            catch (Exception e)
            {
                // One sequence's sampling rules (a grammar) failing ends that sequence only, not the batch.
                sequence.Complete(e);
                _active.Remove(sequence);
            }
        }

        return batch.Length;
    }

    /// <summary>Copies row i of float32 logits [rows, vocab] (or [1, 1, vocab]) into sequence i's host buffer.</summary>
    private static void CopyRows(Tensor logits, BatchSequence[] sequences)
    {
        using var host = logits.device_type == TorchSharp.DeviceType.CPU ? logits.contiguous() : logits.cpu();
        var all = MemoryMarshal.Cast<byte, float>(host.bytes);
        for (var i = 0; i < sequences.Length; i++)
        {
            var row = sequences[i].Logits;
            all.Slice(i * row.Length, row.Length).CopyTo(row);
        }
    }

    private void FailAll(Exception error)
    {
        List<BatchSequence> failed;
        lock (_gate)
        {
            failed = [.. _active, .. _waiting];
            _active.Clear();
            _waiting.Clear();
            _scheduled = false;
        }

        foreach (var sequence in failed)
        {
            sequence.Complete(error);
        }
    }
}
