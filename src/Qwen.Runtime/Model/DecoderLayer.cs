using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Qwen.Runtime;

/// <summary>One decoder block's weights (q/k/v and gate/up fused at load) and its forward pass.</summary>
internal sealed partial class DecoderLayer : IDisposable
{
    /// <summary>The most tokens whose MLP runs at once in a multi-token pass (see <see cref="Finish"/>).</summary>
    internal const int MlpTokenSlice = 512;

    private readonly ModelConfig _config;
    private readonly int _index;
    private readonly bool _sliding;

    /// <summary>Gets whether this layer attends to a sliding window only.</summary>
    public bool Sliding => _sliding;
    private readonly LinearOps _linear;

    /// <summary>Allocates the layer: matrices in <paramref name="weightType"/> (packed rows for int8, see <see cref="QuantizedWeight"/>), norms and biases in <paramref name="computeType"/>.</summary>
    public DecoderLayer(ModelConfig config, int index, ScalarType weightType, ScalarType computeType, Device device, LinearOps linear)
    {
        _config = config;
        _index = index;
        _linear = linear;
        _sliding = config.LayerTypes[index] == ModelConfig.SlidingAttention;
        var h = config.HiddenSize;
        var qkvRows = (config.NumAttentionHeads + (2 * config.NumKeyValueHeads)) * config.HeadDim;
        InputNorm = empty([h], computeType, device);
        PostNorm = empty([h], computeType, device);
        Qkv = QuantizedWeight.Allocate(qkvRows, h, weightType, device);
        QkvBias = config.AttentionBias ? empty([qkvRows], computeType, device) : null;
        O = QuantizedWeight.Allocate(h, config.NumAttentionHeads * config.HeadDim, weightType, device);
        OBias = config.IsQwen3 && config.AttentionBias ? empty([h], computeType, device) : null;
        QkNormSource = config.IsQwen3 ? empty([2, config.HeadDim], computeType, device) : null;
        GateUp = QuantizedWeight.Allocate(2L * config.IntermediateSize, h, weightType, device);
        Down = QuantizedWeight.Allocate(h, config.IntermediateSize, weightType, device);
    }

    public Tensor InputNorm { get; }

    public Tensor PostNorm { get; }

    public Tensor Qkv { get; }

    public Tensor? QkvBias { get; }

    public Tensor O { get; }

    public Tensor? OBias { get; }

    /// <summary>Qwen3's q_norm (row 0) and k_norm (row 1) as loaded.</summary>
    public Tensor? QkNormSource { get; }

    public Tensor GateUp { get; }

    public Tensor Down { get; }

    /// <summary>q_norm repeated for every query head, then k_norm for every key head: one norm call covers both.</summary>
    private Tensor? QkNorm { get; set; }

    /// <summary>Every checkpoint tensor of this layer and the view of the fused weights it fills.</summary>
    public IEnumerable<(string Name, long[] Shape, Func<Tensor> Target)> Slots()
    {
        var p = $"model.layers.{_index}.";
        var c = _config;
        long h = c.HiddenSize, hd = c.HeadDim, q = c.NumAttentionHeads * hd, kv = c.NumKeyValueHeads * hd, ff = c.IntermediateSize;
        yield return (p + "input_layernorm.weight", [h], () => WholeView(InputNorm));
        yield return (p + "post_attention_layernorm.weight", [h], () => WholeView(PostNorm));
        yield return (p + "self_attn.q_proj.weight", [q, h], () => Qkv.narrow(0, 0, q));
        yield return (p + "self_attn.k_proj.weight", [kv, h], () => Qkv.narrow(0, q, kv));
        yield return (p + "self_attn.v_proj.weight", [kv, h], () => Qkv.narrow(0, q + kv, kv));
        if (QkvBias is not null)
        {
            yield return (p + "self_attn.q_proj.bias", [q], () => QkvBias.narrow(0, 0, q));
            yield return (p + "self_attn.k_proj.bias", [kv], () => QkvBias.narrow(0, q, kv));
            yield return (p + "self_attn.v_proj.bias", [kv], () => QkvBias.narrow(0, q + kv, kv));
        }

        yield return (p + "self_attn.o_proj.weight", [h, q], () => WholeView(O));
        if (OBias is not null)
        {
            yield return (p + "self_attn.o_proj.bias", [h], () => WholeView(OBias));
        }

        if (QkNormSource is not null)
        {
            yield return (p + "self_attn.q_norm.weight", [hd], () => QkNormSource[0]);
            yield return (p + "self_attn.k_norm.weight", [hd], () => QkNormSource[1]);
        }

        yield return (p + "mlp.gate_proj.weight", [ff, h], () => GateUp.narrow(0, 0, ff));
        yield return (p + "mlp.up_proj.weight", [ff, h], () => GateUp.narrow(0, ff, ff));
        yield return (p + "mlp.down_proj.weight", [h, ff], () => WholeView(Down));
    }

    /// <summary>Builds what is derived from the loaded tensors.</summary>
    public void FinishLoading()
    {
        if (QkNormSource is not null)
        {
            var heads = _config.NumAttentionHeads;
            var kvHeads = _config.NumKeyValueHeads;
            var hd = _config.HeadDim;
            QkNorm = cat([QkNormSource[0].expand(heads, hd), QkNormSource[1].expand(kvHeads, hd)], 0);
        }
    }

    /// <summary>Runs the block on <paramref name="x"/> [batch, tokens, hidden], updating it in place.</summary>
    public void Forward(Tensor x, KvCache cache, in ForwardContext ctx)
    {
        var tokens = x.shape[1];
        var (q, k, v) = Project(x, ctx.Cos, ctx.SignedSin);
        var keys = cache.Keys(_index);
        var values = cache.Values(_index);
        keys.narrow(2, ctx.Start, tokens).copy_(k.transpose(1, 2));
        values.narrow(2, ctx.Start, tokens).copy_(v.transpose(1, 2));
        Finish(x, Attend(q, keys, values, ctx));
    }

    /// <summary>A new view of all of <paramref name="t"/>: the loader disposes the views it is given, never the weights.</summary>
    public static Tensor WholeView(Tensor t) => t.narrow(0, 0, t.shape[0]);

    public void Dispose()
    {
        foreach (var t in new[] { InputNorm, PostNorm, Qkv, QkvBias, O, OBias, QkNormSource, QkNorm, GateUp, Down })
        {
            t?.Dispose();
        }
    }

    /// <summary>Input norm, fused q/k/v projection, q/k norms and RoPE: q [batch, tokens, heads, hd], k and v [batch, tokens, kv_heads, hd].</summary>
    private (Tensor Q, Tensor K, Tensor V) Project(Tensor x, Tensor cos, Tensor signedSin)
    {
        var c = _config;
        long batch = x.shape[0], tokens = x.shape[1];
        int heads = c.NumAttentionHeads, kvHeads = c.NumKeyValueHeads, hd = c.HeadDim;

        var h = RmsNorm.Apply(x, InputNorm, c.RmsNormEps);
        var qkv = _linear.Apply(h, Qkv, QkvBias).view(batch, tokens, heads + (2 * kvHeads), hd);
        var qk = qkv.narrow(2, 0, heads + kvHeads);
        var v = qkv.narrow(2, heads + kvHeads, kvHeads);
        if (QkNorm is not null)
        {
            qk = RmsNorm.Apply(qk, QkNorm, c.RmsNormEps);
        }

        // rotate_half(x) * sin == roll(x, half) * signedSin: one kernel for the rotation of all q and k heads.
        var rotated = addcmul(qk * cos, qk.roll(hd / 2, -1), signedSin, 1);
        return (rotated.narrow(2, 0, heads), rotated.narrow(2, heads, kvHeads), v);
    }

    /// <summary>Output projection and MLP with their residual adds, given the attention output [batch, tokens, heads * hd].</summary>
    private void Finish(Tensor x, Tensor attention)
    {
        var output = _linear.Apply(attention, O, OBias);
        x.add_(output);

        // A long prompt runs the MLP a slice of tokens at a time: the same GEMM shapes at full efficiency, without the
        // widest activations (gate/up is 2 x intermediate floats per token: 80 MB for 2,048 tokens of a 0.5B model)
        // that the allocator would map fresh (page faults, zeroing) and unmap again in every layer.
        var tokens = x.shape[1];
        if (tokens <= MlpTokenSlice)
        {
            Mlp(x);
            return;
        }

        for (long start = 0; start < tokens; start += MlpTokenSlice)
        {
            using var scope = NewDisposeScope();
            Mlp(x.narrow(1, start, Math.Min(MlpTokenSlice, tokens - start)));
        }
    }

    /// <summary>x += down(silu(gate(norm(x))) * up(norm(x))), in place on <paramref name="x"/> (a view of the residual stream).</summary>
    private void Mlp(Tensor x)
    {
        var h = RmsNorm.Apply(x, PostNorm, _config.RmsNormEps);
        var gateUp = _linear.Apply(h, GateUp);
        var ff = _config.IntermediateSize;
        var act = F.silu(gateUp.narrow(-1, 0, ff)).mul_(gateUp.narrow(-1, ff, ff));
        x.add_(_linear.Apply(act, Down));
    }

    private Tensor Attend(Tensor q, Tensor keys, Tensor values, in ForwardContext ctx)
    {
        var c = _config;
        long batch = q.shape[0], tokens = q.shape[1];
        int heads = c.NumAttentionHeads, kvHeads = c.NumKeyValueHeads, hd = c.HeadDim, group = heads / kvHeads;
        var end = ctx.Start + tokens;
        var kvStart = _sliding ? Math.Max(0, ctx.Start - c.SlidingWindow!.Value + 1) : 0;
        var k = keys.narrow(2, kvStart, end - kvStart);
        var v = values.narrow(2, kvStart, end - kvStart);

        if (tokens == 1)
        {
            // One query: its heads grouped by KV head attend to that head's keys directly, no copies of K/V.
            var grouped = q.reshape(batch, kvHeads, group, hd);
            return F.scaled_dot_product_attention(grouped, k, v).reshape(batch, 1, heads * hd);
        }

        var qh = q.transpose(1, 2);
        if (group > 1)
        {
            var s = end - kvStart;
            k = k.unsqueeze(2).expand(batch, kvHeads, group, s, hd).reshape(batch, heads, s, hd);
            v = v.unsqueeze(2).expand(batch, kvHeads, group, s, hd).reshape(batch, heads, s, hd);
        }

        var mask = _sliding ? ctx.SlidingMask : ctx.CausalMask;
        var o = mask is null
            ? F.scaled_dot_product_attention(qh, k, v, is_casual: true)
            : F.scaled_dot_product_attention(qh, k, v, mask);
        return o.transpose(1, 2).reshape(batch, tokens, heads * hd);
    }
}
