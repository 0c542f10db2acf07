using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>
/// The attention of a batched decode step on the CPU: each sequence's new key and value written into its own cache, then
/// every (sequence, query head) pair attended in managed code, spread over the kernel threads.
/// </summary>
/// <remarks>
/// A batched step used to run attention as a handful of small libtorch calls per sequence and layer (views, two cache
/// copies, scaled dot-product attention): 16 sequences × 24 layers made some 4,000 calls a step, all on one thread
/// while the kernel threads waited. Here it is one call per layer, with the same arithmetic as the single-token step
/// (<see cref="CpuDecodeStep.AttendHead"/>). Float32 tensors on the CPU only; <see cref="Supports"/> says when.
/// </remarks>
internal sealed unsafe class BatchAttention : IChunkJob
{
    [ThreadStatic]
    private static float[]? t_scores;

    private readonly ModelConfig _config;
    private readonly CpuParallel _parallel;
    private readonly float _scale;

    private float*[] _keys = [];
    private float*[] _values = [];
    private int[] _capacities = [];
    private int[] _kvStarts = [];
    private int[] _ends = [];
    private float* _q;
    private long _qStride;
    private float* _output;

    /// <summary>Creates the job for a model's shapes, run on <paramref name="parallel"/>'s threads.</summary>
    public BatchAttention(ModelConfig config, CpuParallel parallel)
    {
        _config = config;
        _parallel = parallel;
        _scale = 1f / MathF.Sqrt(config.HeadDim);
    }

    /// <summary>Gets whether the step's q/k/v (views [sequences, 1, heads, hd] with rows of hd contiguous floats) and the caches' layer tensors can be taken here.</summary>
    public static bool Supports(Tensor q, Tensor k, Tensor v, Tensor cacheKeys) =>
        NativeTensor.Available
        && q.device_type == TorchSharp.DeviceType.CPU
        && q.dtype == ScalarType.Float32 && k.dtype == ScalarType.Float32 && v.dtype == ScalarType.Float32 && cacheKeys.dtype == ScalarType.Float32
        && q.shape[1] == 1
        && q.stride(3) == 1 && k.stride(3) == 1 && v.stride(3) == 1
        && q.stride(2) == q.shape[3] && k.stride(2) == k.shape[3] && v.stride(2) == v.shape[3]
        && cacheKeys.is_contiguous();

    /// <summary>
    /// Appends k[i] and v[i] ([sequences, 1, kv_heads, hd]) to <paramref name="caches"/>[i] at <paramref name="starts"/>[i]
    /// (layer <paramref name="layer"/>) and returns the attention output [sequences, 1, heads × hd].
    /// </summary>
    public Tensor Run(Tensor q, Tensor k, Tensor v, IReadOnlyList<KvCache> caches, IReadOnlyList<int> starts, int layer, bool sliding)
    {
        var output = empty([caches.Count, 1, _config.NumAttentionHeads * _config.HeadDim], ScalarType.Float32);
        Run(
            (float*)NativeTensor.Data(q),
            q.stride(0),
            (float*)NativeTensor.Data(k),
            k.stride(0),
            (float*)NativeTensor.Data(v),
            v.stride(0),
            caches,
            starts,
            layer,
            sliding,
            (float*)NativeTensor.Data(output));
        return output;
    }

    /// <summary>
    /// The same on raw rows: sequence i's query heads at q + i × qStride, its key and value heads at k + i × kStride and
    /// v + i × vStride (each head hd contiguous floats); its output heads at output + i × heads × hd.
    /// </summary>
    public void Run(float* q, long qStride, float* k, long kStride, float* v, long vStride, IReadOnlyList<KvCache> caches, IReadOnlyList<int> starts, int layer, bool sliding, float* output)
    {
        var c = _config;
        int batch = caches.Count, heads = c.NumAttentionHeads, kvHeads = c.NumKeyValueHeads, hd = c.HeadDim;
        if (_keys.Length < batch)
        {
            _keys = new float*[batch];
            _values = new float*[batch];
            _capacities = new int[batch];
            _kvStarts = new int[batch];
            _ends = new int[batch];
        }

        for (var i = 0; i < batch; i++)
        {
            var cache = caches[i];
            var keys = (float*)NativeTensor.Data(cache.Keys(layer));
            var values = (float*)NativeTensor.Data(cache.Values(layer));
            var position = starts[i];
            for (var head = 0; head < kvHeads; head++)
            {
                var slot = (((long)head * cache.Capacity) + position) * hd;
                new ReadOnlySpan<float>(k + (i * kStride) + (head * hd), hd).CopyTo(new Span<float>(keys + slot, hd));
                new ReadOnlySpan<float>(v + (i * vStride) + (head * hd), hd).CopyTo(new Span<float>(values + slot, hd));
            }

            _keys[i] = keys;
            _values[i] = values;
            _capacities[i] = cache.Capacity;
            _ends[i] = position + 1;
            _kvStarts[i] = sliding ? Math.Max(0, position - c.SlidingWindow!.Value + 1) : 0;
        }

        _q = q;
        _qStride = qStride;
        _output = output;
        _parallel.Run(this, batch * heads);
    }

    /// <summary>One (sequence, query head) pair: chunk = sequence × heads + head.</summary>
    public void Execute(int chunk)
    {
        var c = _config;
        int heads = c.NumAttentionHeads, hd = c.HeadDim;
        int sequence = chunk / heads, head = chunk % heads;
        var kvHead = head / (heads / c.NumKeyValueHeads);
        var count = _ends[sequence] - _kvStarts[sequence];
        if (t_scores is null || t_scores.Length < count)
        {
            t_scores = GC.AllocateUninitializedArray<float>(Math.Max(count, 1024), pinned: true);
        }

        var offset = (long)kvHead * _capacities[sequence] * hd;
        fixed (float* scores = t_scores)
        {
            CpuDecodeStep.AttendHead(
                _q + (sequence * _qStride) + (head * hd),
                _keys[sequence] + offset,
                _values[sequence] + offset,
                _kvStarts[sequence],
                _ends[sequence],
                hd,
                _scale,
                scores,
                _output + (((long)sequence * heads) + head) * hd);
        }
    }
}
