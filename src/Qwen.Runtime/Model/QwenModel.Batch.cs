using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>The model's batched decode step and the scheduler that serves concurrent <see cref="GenerateAsync"/> requests with it.</summary>
public sealed partial class QwenModel
{
    private readonly Lock _schedulerGate = new();
    private readonly int _maxBatchSize;
    private BatchScheduler? _scheduler;
    private BatchAttention? _batchAttention;

    /// <summary>Gets the scheduler that batches this model's generation requests (made on first use).</summary>
    internal BatchScheduler Scheduler
    {
        get
        {
            lock (_schedulerGate)
            {
                ThrowIfDisposed();
                return _scheduler ??= new BatchScheduler(this, _maxBatchSize);
            }
        }
    }

    /// <summary>Gets whether batched decode steps of a few sequences run as the managed CPU step (the few-rows kernel, AVX-512) rather than through libtorch.</summary>
    internal bool UsesManagedBatchStep => _decodeStep?.TakesBatch(2) == true;

    /// <summary>Gets whether <see cref="Dispose"/> has been called.</summary>
    internal bool IsDisposed => _disposed;

    /// <summary>One decode step for several sequences at once: appends <paramref name="ids"/>[i] to <paramref name="caches"/>[i] and returns the logits of each, row i for sequence i.</summary>
    /// <remarks>Test entry point for <see cref="ForwardDecodeBatchCore"/>; runs on the worker thread.</remarks>
    internal float[][] ForwardDecodeBatch(IReadOnlyList<int> ids, IReadOnlyList<KvCache> caches)
    {
        ValidateIds(ids, nameof(ids));
        if (ids.Count != caches.Count)
        {
            throw new ArgumentException($"{ids.Count} ids were given for {caches.Count} caches; one id per cache is expected.", nameof(caches));
        }

        foreach (var cache in caches)
        {
            ValidateCache(cache, 1);
        }

        return _worker.Run(() =>
        {
            using var scope = NewDisposeScope();
            using var logits = ForwardDecodeBatchCore(ids, caches);
            return Enumerable.Range(0, ids.Count).Select(i => ToArray(logits[i])).ToArray();
        });
    }

    /// <summary>The batched decode step; call on the worker thread inside a dispose scope. Returns float32 logits [sequences, vocab].</summary>
    /// <remarks>
    /// On a CPU with the few-rows kernel the managed batched step runs the whole model (see <see cref="CpuDecodeStep"/>);
    /// elsewhere libtorch runs it, with the products on the managed kernels where they exist. The scheduler sends a lone
    /// sequence to <see cref="DecodeInto"/> (the CPU single-token fast path) instead.
    /// </remarks>
    internal unsafe Tensor ForwardDecodeBatchCore(IReadOnlyList<int> ids, IReadOnlyList<KvCache> caches)
    {
        var batch = ids.Count;
        if (_decodeStep is { } step && step.TakesBatch(batch))
        {
            ThrowIfDisposed();
            var result = empty([batch, Config.VocabSize], ScalarType.Float32);
            step.StepBatch(ids, caches, (float*)NativeTensor.Data(result));
            foreach (var cache in caches)
            {
                cache.Length++;
            }

            return result.MoveToOuterDisposeScope();
        }

        // With the managed kernels taking the products, libtorch runs only the small ops, single-threaded as in a
        // single-token step; without them (GPU, no AVX-512) this does nothing.
        UseTorchThreadsFor(batch <= RowsMatMul.MaxRows ? 1 : batch);
        var idArray = new long[batch];
        var starts = new int[batch];
        var cosRows = new Tensor[batch];
        var sinRows = new Tensor[batch];
        for (var i = 0; i < batch; i++)
        {
            idArray[i] = ids[i];
            starts[i] = caches[i].Length;
            (cosRows[i], sinRows[i]) = _rope.Tables(starts[i], 1, _computeType, _device);
        }

        using var idTensor = tensor(idArray, [batch]).to(_device, disposeAfter: true);
        var x = Embed(idTensor).view(batch, 1, Config.HiddenSize);
        if (x.dtype != _computeType)
        {
            x = x.to(_computeType);
        }

        var cos = cat(cosRows, 0).view(batch, 1, 1, Config.HeadDim);
        var sin = cat(sinRows, 0).view(batch, 1, 1, Config.HeadDim);
        if (_batchAttention is null && _linear.Parallel is { } parallel)
        {
            _batchAttention = new BatchAttention(Config, parallel);
        }

        foreach (var layer in _layers)
        {
            using var layerScope = NewDisposeScope();
            layer.ForwardDecodeBatch(x, caches, starts, cos, sin, _batchAttention);
        }

        foreach (var cache in caches)
        {
            cache.Length++;
        }

        var normed = RmsNorm.Apply(x, _finalNorm, Config.RmsNormEps);
        var logits = _linear.Apply(normed, _lmHead ?? _embedding).view(batch, Config.VocabSize);
        return (logits.dtype == ScalarType.Float32 ? logits : logits.to(ScalarType.Float32)).MoveToOuterDisposeScope();
    }
}
