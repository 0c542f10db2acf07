using System.Runtime.InteropServices;

namespace Qwen.Runtime;

/// <summary>The batched form of the managed decode step: one token for each of several sequences, each at its own position in its own cache.</summary>
/// <remarks>
/// The products take all the batch's rows at once (the few-rows kernel for float weights, the integer kernel's lanes for
/// packed ones), so each weight is read once per step; attention runs per (sequence, head) on the kernel threads
/// (<see cref="BatchAttention"/>). Everything between the products is the single-token step's arithmetic, row by row,
/// in managed loops: a batched step used to run those as a few hundred small libtorch calls on the calling thread while
/// the kernel threads waited, and computed them differently from a lone sequence's step.
/// </remarks>
internal sealed unsafe partial class CpuDecodeStep
{
    private readonly bool _quantized;
    private BatchAttention? _batchAttention;
    private int _batchCapacity;

    // Scratch for a batch's rows, row i at i × the single step's length; grown to the largest batch seen.
    private float* _bx;
    private float* _bh;
    private float* _bdelta;
    private float* _bqkv;
    private float* _battention;
    private float* _bgateUp;
    private float* _bact;
    private float* _bcos;
    private float* _bsin;

    /// <summary>Gets whether <see cref="StepBatch"/> takes a batch of <paramref name="rows"/> sequences (it needs the few-rows kernel, AVX-512).</summary>
    public bool TakesBatch(int rows) => _rowsMatMul is not null && rows >= 1 && rows <= (_quantized ? LinearOps.Int8KernelMaxRows : RowsMatMul.MaxRows);

    /// <summary>
    /// Runs token <paramref name="ids"/>[i] of sequence i at position <paramref name="caches"/>[i].Length, writes its keys and
    /// values into that cache (without advancing its length) and its logits into row i of <paramref name="logits"/> [sequences, vocab].
    /// </summary>
    public void StepBatch(IReadOnlyList<int> ids, IReadOnlyList<KvCache> caches, float* logits)
    {
        var m = ids.Count;
        if (!TakesBatch(m) || caches.Count != m)
        {
            throw new ArgumentException($"internal: a batch of {m} ids and {caches.Count} caches is not taken here", nameof(ids));
        }

        var c = _config;
        int hidden = c.HiddenSize, hd = c.HeadDim, heads = c.NumAttentionHeads, kvHeads = c.NumKeyValueHeads, ff = c.IntermediateSize;
        EnsureBatch(m);
        _batchAttention ??= new BatchAttention(c, _parallel);
        var starts = new int[m];
        for (var i = 0; i < m; i++)
        {
            starts[i] = caches[i].Length;
            if (starts[i] >= caches[i].Capacity)
            {
                // Writing past the cache would corrupt memory: the scheduler ends full sequences before this.
                throw new InvalidOperationException($"internal: sequence {i}'s KV cache is full ({caches[i].Capacity} tokens)");
            }

            ReadEmbedding(ids[i], _bx + ((long)i * hidden));
            _rope.Fill(starts[i], 1, new Span<float>(_bcos + (i * hd), hd), new Span<float>(_bsin + (i * hd), hd));
        }

        for (var l = 0; l < _layers.Length; l++)
        {
            ref readonly var layer = ref _layers[l];
            for (var i = 0; i < m; i++)
            {
                RmsNorm(_bx + ((long)i * hidden), layer.InputNorm, _bh + ((long)i * hidden), hidden);
            }

            Multiply(_bh, m, layer.Qkv, layer.Format, layer.QkvBias, _bqkv, _qkvRows, hidden);
            for (var i = 0; i < m; i++)
            {
                NormAndRotate(layer, _bqkv + ((long)i * _qkvRows), _bcos + (i * hd), _bsin + (i * hd));
            }

            _batchAttention.Run(_bqkv, _qkvRows, _bqkv + (heads * hd), _qkvRows, _bqkv + ((heads + kvHeads) * hd), _qkvRows, caches, starts, l, layer.Sliding, _battention);

            Multiply(_battention, m, layer.O, layer.Format, layer.OBias, _bdelta, hidden, heads * hd);
            Add(_bx, _bdelta, m * hidden);
            for (var i = 0; i < m; i++)
            {
                RmsNorm(_bx + ((long)i * hidden), layer.PostNorm, _bh + ((long)i * hidden), hidden);
            }

            Multiply(_bh, m, layer.GateUp, layer.Format, null, _bgateUp, 2 * ff, hidden);
            for (var i = 0; i < m; i++)
            {
                var gateUp = _bgateUp + (2L * i * ff);
                SiluTimes(gateUp, gateUp + ff, _bact + ((long)i * ff), ff);
            }

            Multiply(_bact, m, layer.Down, layer.Format, null, _bdelta, hidden, ff);
            Add(_bx, _bdelta, m * hidden);
        }

        for (var i = 0; i < m; i++)
        {
            RmsNorm(_bx + ((long)i * hidden), _finalNorm, _bh + ((long)i * hidden), hidden);
        }

        Multiply(_bh, m, _head, _headFormat, null, logits, c.VocabSize, hidden);
    }

    private void EnsureBatch(int rows)
    {
        if (rows <= _batchCapacity)
        {
            return;
        }

        FreeBatch();
        var c = _config;
        _bx = Alloc((long)rows * c.HiddenSize);
        _bh = Alloc((long)rows * c.HiddenSize);
        _bdelta = Alloc((long)rows * c.HiddenSize);
        _bqkv = Alloc((long)rows * _qkvRows);
        _battention = Alloc((long)rows * c.NumAttentionHeads * c.HeadDim);
        _bgateUp = Alloc(2L * rows * c.IntermediateSize);
        _bact = Alloc((long)rows * c.IntermediateSize);
        _bcos = Alloc((long)rows * c.HeadDim);
        _bsin = Alloc((long)rows * c.HeadDim);
        _batchCapacity = rows;
    }

    private void FreeBatch()
    {
        foreach (var p in new[] { _bx, _bh, _bdelta, _bqkv, _battention, _bgateUp, _bact, _bcos, _bsin })
        {
            NativeMemory.AlignedFree(p);
        }

        _bx = _bh = _bdelta = _bqkv = _battention = _bgateUp = _bact = _bcos = _bsin = null;
        _batchCapacity = 0;
    }
}
