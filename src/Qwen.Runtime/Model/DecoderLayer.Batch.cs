using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>The block's batched decode step: one token for each of several sequences, each with its own cache and position.</summary>
internal sealed partial class DecoderLayer
{
    /// <summary>Runs one decode step on <paramref name="x"/> [sequences, 1, hidden] in place; row i writes and attends to <paramref name="caches"/>[i] at <paramref name="starts"/>[i].</summary>
    /// <remarks>
    /// The projections and the MLP run as one product over all rows, so the weights are read once for the whole batch;
    /// attention stays per sequence (each against its own cache): in managed code on the kernel threads when
    /// <paramref name="attention"/> takes these tensors (float32 on the CPU), else through the same single-query path as a
    /// lone sequence, a sequence at a time.
    /// </remarks>
    public void ForwardDecodeBatch(Tensor x, IReadOnlyList<KvCache> caches, IReadOnlyList<int> starts, Tensor cos, Tensor signedSin, BatchAttention? attention = null)
    {
        var (q, k, v) = Project(x, cos, signedSin);
        if (attention is not null && BatchAttention.Supports(q, k, v, caches[0].Keys(_index)))
        {
            Finish(x, attention.Run(q, k, v, caches, starts, _index, _sliding));
            return;
        }

        var outputs = new Tensor[caches.Count];
        for (var i = 0; i < caches.Count; i++)
        {
            var keys = caches[i].Keys(_index);
            var values = caches[i].Values(_index);
            keys.narrow(2, starts[i], 1).copy_(k.narrow(0, i, 1).transpose(1, 2));
            values.narrow(2, starts[i], 1).copy_(v.narrow(0, i, 1).transpose(1, 2));
            outputs[i] = Attend(q.narrow(0, i, 1), keys, values, new ForwardContext(starts[i], cos, signedSin, null, null));
        }

        Finish(x, cat(outputs, 0));
    }
}
