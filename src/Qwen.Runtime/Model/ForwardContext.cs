using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>What every layer of one forward pass shares: the first position, RoPE tables and attention masks.</summary>
/// <param name="Start">Position of the first token of this pass.</param>
/// <param name="Cos">Cosine table, shaped to broadcast over [batch, tokens, heads, head_dim].</param>
/// <param name="SignedSin">Sine table with its first half negated, same shape.</param>
/// <param name="CausalMask">Boolean [tokens, keys] mask for full-attention layers, or null when plain causal attention from position 0 applies.</param>
/// <param name="SlidingMask">Boolean mask for sliding-window layers, or null when there are none.</param>
internal readonly record struct ForwardContext(int Start, Tensor Cos, Tensor SignedSin, Tensor? CausalMask, Tensor? SlidingMask);
