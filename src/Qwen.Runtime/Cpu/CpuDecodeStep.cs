using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>
/// One single-token decode step of the whole model on the CPU in managed code, reading the weights and the KV cache
/// where libtorch keeps them: the same arithmetic as the libtorch forward pass, without a libtorch call per small op.
/// </summary>
/// <remarks>
/// Decode at batch 1 is bound by reading the weights; the products run on <see cref="MatVec"/> across the CPU threads,
/// and everything between them (norms, RoPE, the cache write, attention over the cache, SiLU, residuals) is a few
/// vectorised loops over vectors of a few thousand floats. Used only for float32 activations on the CPU.
/// </remarks>
internal sealed unsafe partial class CpuDecodeStep : IChunkJob, IDisposable
{
    private readonly ModelConfig _config;
    private readonly MatVec _matVec;
    private readonly RowsMatMul? _rowsMatMul;
    private readonly Int8MatVec? _int8;
    private readonly CpuParallel _parallel;
    private readonly RotaryEmbedding _rope;
    private readonly Layer[] _layers;
    private readonly void* _embedding;
    private readonly bool _embeddingBf16;
    private readonly bool _embeddingInt8;
    private readonly float* _finalNorm;
    private readonly void* _head;
    private readonly ScalarType _headFormat;
    private readonly int _qkvRows;
    private readonly float _scale;

    // Scratch, allocated once: the residual stream, the normed input, q/k/v, attention output, gate/up, activation.
    private readonly float* _x;
    private readonly float* _h;
    private readonly float* _qkv;
    private readonly float* _attention;
    private readonly float* _gateUp;
    private readonly float* _act;
    private readonly float* _delta;
    private readonly float* _cos;
    private readonly float* _sin;
    private float* _scores;
    private int _scoresPerHead;

    // The attention job's arguments for the current layer.
    private float* _keys;
    private float* _values;
    private int _capacity;
    private int _kvStart;
    private int _end;

    public CpuDecodeStep(ModelConfig config, MatVec matVec, CpuParallel parallel, RotaryEmbedding rope, DecoderLayer[] layers, Tensor embedding, Tensor finalNorm, Tensor head, Int8MatVec? int8 = null, RowsMatMul? rowsMatMul = null)
    {
        _config = config;
        _matVec = matVec;
        _rowsMatMul = rowsMatMul;
        _int8 = int8;
        _parallel = parallel;
        _rope = rope;
        _layers = [.. layers.Select(l => new Layer(l))];
        _quantized = LinearOps.IsQuantized(layers[0].Qkv);
        _embedding = NativeTensor.Data(embedding);
        _embeddingBf16 = embedding.dtype == ScalarType.BFloat16;
        _embeddingInt8 = embedding.dtype == QuantizedWeight.StorageType;
        _finalNorm = (float*)NativeTensor.Data(finalNorm);
        _head = NativeTensor.Data(head);
        _headFormat = head.dtype;
        if ((LinearOps.IsQuantized(head) || _embeddingInt8 || layers.Any(l => LinearOps.IsQuantized(l.Qkv))) && int8 is null)
        {
            throw new ArgumentException("8-bit and 4-bit weights need the int8 kernel", nameof(int8));
        }
        _qkvRows = (config.NumAttentionHeads + (2 * config.NumKeyValueHeads)) * config.HeadDim;
        _scale = 1f / MathF.Sqrt(config.HeadDim);
        _x = Alloc(config.HiddenSize);
        _h = Alloc(config.HiddenSize);
        _delta = Alloc(config.HiddenSize);
        _qkv = Alloc(_qkvRows);
        _attention = Alloc(config.NumAttentionHeads * config.HeadDim);
        _gateUp = Alloc(2 * config.IntermediateSize);
        _act = Alloc(config.IntermediateSize);
        _cos = Alloc(config.HeadDim);
        _sin = Alloc(config.HeadDim);
    }

    /// <summary>Runs token <paramref name="id"/> at position <paramref name="position"/>, writes its keys and values into the cache and the logits into <paramref name="logits"/>.</summary>
    public void Step(int id, int position, KvCache cache, float* logits)
    {
        var c = _config;
        int hidden = c.HiddenSize, hd = c.HeadDim, heads = c.NumAttentionHeads, kvHeads = c.NumKeyValueHeads, ff = c.IntermediateSize;
        ReadEmbedding(id, _x);
        _rope.Fill(position, 1, new Span<float>(_cos, hd), new Span<float>(_sin, hd));
        EnsureScores(cache.Capacity);
        _capacity = cache.Capacity;
        _end = position + 1;

        for (var l = 0; l < _layers.Length; l++)
        {
            ref readonly var layer = ref _layers[l];
            RmsNorm(_x, layer.InputNorm, _h, hidden);
            Multiply(_h, 1, layer.Qkv, layer.Format, layer.QkvBias, _qkv, _qkvRows, hidden);
            NormAndRotate(layer, _qkv, _cos, _sin);

            _keys = (float*)NativeTensor.Data(cache.Keys(l));
            _values = (float*)NativeTensor.Data(cache.Values(l));
            for (var head = 0; head < kvHeads; head++)
            {
                var slot = ((long)head * _capacity) + position;
                Copy(_qkv + ((heads + head) * hd), _keys + (slot * hd), hd);
                Copy(_qkv + ((heads + kvHeads + head) * hd), _values + (slot * hd), hd);
            }

            _kvStart = layer.Sliding ? Math.Max(0, position - c.SlidingWindow!.Value + 1) : 0;
            _parallel.Run(this, heads);

            Multiply(_attention, 1, layer.O, layer.Format, layer.OBias, _delta, hidden, heads * hd);
            Add(_x, _delta, hidden);
            RmsNorm(_x, layer.PostNorm, _h, hidden);
            Multiply(_h, 1, layer.GateUp, layer.Format, null, _gateUp, 2 * ff, hidden);
            SiluTimes(_gateUp, _gateUp + ff, _act, ff);
            Multiply(_act, 1, layer.Down, layer.Format, null, _delta, hidden, ff);
            Add(_x, _delta, hidden);
        }

        RmsNorm(_x, _finalNorm, _h, hidden);
        Multiply(_h, 1, _head, _headFormat, null, logits, c.VocabSize, hidden);
    }

    /// <summary>Attention of one query head over the cached positions (a chunk of the per-layer attention job).</summary>
    public void Execute(int chunk)
    {
        var hd = _config.HeadDim;
        var kvHead = chunk / (_config.NumAttentionHeads / _config.NumKeyValueHeads);
        AttendHead(
            _qkv + (chunk * hd),
            _keys + ((long)kvHead * _capacity * hd),
            _values + ((long)kvHead * _capacity * hd),
            _kvStart,
            _end,
            hd,
            _scale,
            _scores + ((long)chunk * _scoresPerHead),
            _attention + (chunk * hd));
    }

    /// <summary>
    /// One query head's attention over positions kvStart..end-1 of its KV head (<paramref name="keys"/> and
    /// <paramref name="values"/>: [positions, hd] rows), softmax in float32 with the maximum taken off first, as libtorch's
    /// path computes it; <paramref name="scores"/> is scratch of at least end - kvStart floats.
    /// </summary>
    internal static void AttendHead(float* q, float* keys, float* values, int kvStart, int end, int hd, float scale, float* scores, float* output)
    {
        var count = end - kvStart;
        var max = float.NegativeInfinity;
        var s = 0;
        for (; s + 4 <= count; s += 4)
        {
            // Four positions at once (independent chains); each score is summed exactly as MatVec.Dot sums it.
            var key = keys + ((long)(kvStart + s) * hd);
            MatVec.Dot4(q, key, key + hd, key + (2 * hd), key + (3 * hd), hd, scores + s);
            for (var j = s; j < s + 4; j++)
            {
                scores[j] *= scale;
                max = Math.Max(max, scores[j]);
            }
        }

        for (; s < count; s++)
        {
            var score = MatVec.Dot(q, keys + ((long)(kvStart + s) * hd), hd) * scale;
            scores[s] = score;
            max = Math.Max(max, score);
        }

        var sum = ExpShifted(scores, count, max);
        var inverse = 1f / sum;
        for (s = 0; s < count; s++)
        {
            scores[s] *= inverse;
        }

        // The weighted sum of the value rows, 64 output floats at a time kept in registers over all positions (the same
        // fused multiply-adds in the same order as adding each row into the output in turn, without storing in between).
        var values0 = values + ((long)kvStart * hd);
        var c = 0;
        for (; c + 64 <= hd; c += 64)
        {
            Vector256<float> o0 = default, o1 = default, o2 = default, o3 = default, o4 = default, o5 = default, o6 = default, o7 = default;
            var v = values0 + c;
            for (s = 0; s < count; s++, v += hd)
            {
                var p = Vector256.Create(scores[s]);
                o0 = Vector256.FusedMultiplyAdd(p, Vector256.Load(v), o0);
                o1 = Vector256.FusedMultiplyAdd(p, Vector256.Load(v + 8), o1);
                o2 = Vector256.FusedMultiplyAdd(p, Vector256.Load(v + 16), o2);
                o3 = Vector256.FusedMultiplyAdd(p, Vector256.Load(v + 24), o3);
                o4 = Vector256.FusedMultiplyAdd(p, Vector256.Load(v + 32), o4);
                o5 = Vector256.FusedMultiplyAdd(p, Vector256.Load(v + 40), o5);
                o6 = Vector256.FusedMultiplyAdd(p, Vector256.Load(v + 48), o6);
                o7 = Vector256.FusedMultiplyAdd(p, Vector256.Load(v + 56), o7);
            }

            o0.Store(output + c);
            o1.Store(output + c + 8);
            o2.Store(output + c + 16);
            o3.Store(output + c + 24);
            o4.Store(output + c + 32);
            o5.Store(output + c + 40);
            o6.Store(output + c + 48);
            o7.Store(output + c + 56);
        }

        if (c < hd)
        {
            new Span<float>(output + c, hd - c).Clear();
            for (s = 0; s < count; s++)
            {
                Axpy(scores[s], values0 + ((long)s * hd) + c, output + c, hd - c);
            }
        }
    }

    public void Dispose()
    {
        foreach (var p in new[] { _x, _h, _delta, _qkv, _attention, _gateUp, _act, _cos, _sin, _scores })
        {
            NativeMemory.AlignedFree(p);
        }

        FreeBatch();
    }

    /// <summary>
    /// y [m, rows] = x [m, cols] · Wᵀ + b on the kernel of the weight's format (its torch dtype: float32, bf16, or a packed
    /// 8-bit or 4-bit type): the mat-vec kernel for one float row, the few-rows kernel for several.
    /// </summary>
    private void Multiply(float* x, int m, void* w, ScalarType format, float* bias, float* y, int rows, int cols)
    {
        switch (format)
        {
            case QuantizedWeight.StorageType:
                _int8!.MultiplyRows(x, m, (sbyte*)w, bias, y, rows, cols);
                break;
            case QuantizedWeight4.StorageType:
                _int8!.MultiplyRows4(x, m, (byte*)w, bias, y, rows, cols);
                break;
            default:
                if (m == 1)
                {
                    _matVec.Multiply(x, w, format == ScalarType.BFloat16, bias, y, rows, cols);
                }
                else
                {
                    _rowsMatMul!.Multiply(x, m, w, format == ScalarType.BFloat16, bias, y, rows, cols);
                }

                break;
        }
    }

    /// <summary>One token's q/k norms (Qwen3) and RoPE on its q and k heads in <paramref name="qkv"/> (q heads, then k heads, then v heads).</summary>
    private void NormAndRotate(in Layer layer, float* qkv, float* cos, float* sin)
    {
        int hd = _config.HeadDim, heads = _config.NumAttentionHeads, kvHeads = _config.NumKeyValueHeads;
        if (layer.QNorm is not null)
        {
            for (var head = 0; head < heads; head++)
            {
                RmsNorm(qkv + (head * hd), layer.QNorm, qkv + (head * hd), hd);
            }

            for (var head = 0; head < kvHeads; head++)
            {
                RmsNorm(qkv + ((heads + head) * hd), layer.KNorm, qkv + ((heads + head) * hd), hd);
            }
        }

        for (var head = 0; head < heads + kvHeads; head++)
        {
            Rope(qkv + (head * hd), cos, sin, hd);
        }
    }

    private static float* Alloc(long floats) => (float*)NativeMemory.AlignedAlloc((nuint)(Math.Max(floats, 16) * sizeof(float)), 64);

    /// <summary>y = x * rsqrt(mean(x²) + eps) * w, as the libtorch path computes it in float32.</summary>
    private void RmsNorm(float* x, float* weight, float* y, int n)
    {
        var sum = Vector256<float>.Zero;
        var i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var v = Vector256.Load(x + i);
            sum = Vector256.FusedMultiplyAdd(v, v, sum);
        }

        var total = Vector256.Sum(sum);
        for (; i < n; i++)
        {
            total += x[i] * x[i];
        }

        var scale = 1f / MathF.Sqrt((total / n) + (float)_config.RmsNormEps);
        var scaleV = Vector256.Create(scale);
        i = 0;
        for (; i + 8 <= n; i += 8)
        {
            (Vector256.Load(x + i) * scaleV * Vector256.Load(weight + i)).Store(y + i);
        }

        for (; i < n; i++)
        {
            y[i] = x[i] * scale * weight[i];
        }
    }

    /// <summary>In-place rotate-half RoPE of one head: x * cos + roll(x, half) * signedSin.</summary>
    private static void Rope(float* x, float* cos, float* sin, int hd)
    {
        var half = hd / 2;
        for (var i = 0; i < half; i++)
        {
            var a = x[i];
            var b = x[i + half];
            x[i] = (a * cos[i]) + (b * sin[i]);
            x[i + half] = (b * cos[i + half]) + (a * sin[i + half]);
        }
    }

    /// <summary>Token <paramref name="id"/>'s embedding row, as float32, into <paramref name="x"/>.</summary>
    private void ReadEmbedding(int id, float* x)
    {
        var hidden = _config.HiddenSize;
        if (_embeddingInt8)
        {
            QuantizedWeight.DequantizeRow((sbyte*)_embedding + ((long)id * QuantizedWeight.RowBytes(hidden)), x, hidden);
        }
        else if (_embeddingBf16)
        {
            var row = (ushort*)_embedding + ((long)id * hidden);
            for (var i = 0; i < hidden; i++)
            {
                x[i] = BitConverter.UInt32BitsToSingle((uint)row[i] << 16);
            }
        }
        else
        {
            Copy((float*)_embedding + ((long)id * hidden), x, hidden);
        }
    }

    private void EnsureScores(int capacity)
    {
        if (_scoresPerHead >= capacity)
        {
            return;
        }

        NativeMemory.AlignedFree(_scores);
        _scores = Alloc((long)capacity * _config.NumAttentionHeads);
        _scoresPerHead = capacity;
    }

    /// <summary>scores[i] = exp(scores[i] - max); returns their sum.</summary>
    private static float ExpShifted(float* scores, int n, float max)
    {
        var maxV = Vector256.Create(max);
        var sumV = Vector256<float>.Zero;
        var i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var e = Vector256.Exp(Vector256.Load(scores + i) - maxV);
            e.Store(scores + i);
            sumV += e;
        }

        var sum = Vector256.Sum(sumV);
        for (; i < n; i++)
        {
            scores[i] = MathF.Exp(scores[i] - max);
            sum += scores[i];
        }

        return sum;
    }

    /// <summary>y += a * x.</summary>
    private static void Axpy(float a, float* x, float* y, int n)
    {
        var av = Vector256.Create(a);
        var i = 0;
        for (; i + 8 <= n; i += 8)
        {
            Vector256.FusedMultiplyAdd(av, Vector256.Load(x + i), Vector256.Load(y + i)).Store(y + i);
        }

        for (; i < n; i++)
        {
            y[i] += a * x[i];
        }
    }

    /// <summary>y = silu(gate) * up, silu(g) = g / (1 + exp(-g)).</summary>
    private static void SiluTimes(float* gate, float* up, float* y, int n)
    {
        var one = Vector256<float>.One;
        var i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var g = Vector256.Load(gate + i);
            (g / (one + Vector256.Exp(-g)) * Vector256.Load(up + i)).Store(y + i);
        }

        for (; i < n; i++)
        {
            y[i] = gate[i] / (1 + MathF.Exp(-gate[i])) * up[i];
        }
    }

    private static void Add(float* x, float* delta, int n)
    {
        var i = 0;
        for (; i + 8 <= n; i += 8)
        {
            (Vector256.Load(x + i) + Vector256.Load(delta + i)).Store(x + i);
        }

        for (; i < n; i++)
        {
            x[i] += delta[i];
        }
    }

    private static void Copy(float* from, float* to, int n) => Buffer.MemoryCopy(from, to, (long)n * sizeof(float), (long)n * sizeof(float));

    /// <summary>One layer's weight addresses (valid while the model's tensors live).</summary>
    private readonly struct Layer
    {
        public Layer(DecoderLayer layer)
        {
            InputNorm = (float*)NativeTensor.Data(layer.InputNorm);
            PostNorm = (float*)NativeTensor.Data(layer.PostNorm);
            Qkv = NativeTensor.Data(layer.Qkv);
            QkvBias = layer.QkvBias is null ? null : (float*)NativeTensor.Data(layer.QkvBias);
            O = NativeTensor.Data(layer.O);
            OBias = layer.OBias is null ? null : (float*)NativeTensor.Data(layer.OBias);
            QNorm = layer.QkNormSource is null ? null : (float*)NativeTensor.Data(layer.QkNormSource);
            KNorm = QNorm is null ? null : QNorm + layer.QkNormSource!.shape[1];
            GateUp = NativeTensor.Data(layer.GateUp);
            Down = NativeTensor.Data(layer.Down);
            Format = layer.Qkv.dtype;
            Sliding = layer.Sliding;
        }

        public float* InputNorm { get; }

        public float* PostNorm { get; }

        public void* Qkv { get; }

        public float* QkvBias { get; }

        public void* O { get; }

        public float* OBias { get; }

        public float* QNorm { get; }

        public float* KNorm { get; }

        public void* GateUp { get; }

        public void* Down { get; }

        /// <summary>The matrices' storage dtype (see <see cref="Multiply"/>).</summary>
        public ScalarType Format { get; }

        public bool Sliding { get; }
    }
}
