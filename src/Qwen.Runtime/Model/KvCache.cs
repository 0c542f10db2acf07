using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>The keys and values one sequence has produced so far, preallocated for <see cref="Capacity"/> tokens on the model's device.</summary>
/// <remarks>
/// Create one per sequence with <see cref="QwenModel.CreateCache"/>; each forward pass writes its new positions in place
/// (no concatenation) and advances <see cref="Length"/>. A cache belongs to the model that made it and is not for
/// concurrent use by two callers.
/// </remarks>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;
    private bool _disposed;

    internal KvCache(QwenModel owner, Tensor[] keys, Tensor[] values, int capacity)
    {
        Owner = owner;
        _keys = keys;
        _values = values;
        Capacity = capacity;
    }

    /// <summary>Gets the most tokens the cache can hold.</summary>
    public int Capacity { get; }

    /// <summary>Gets the number of tokens already in the cache (the position of the next token).</summary>
    public int Length { get; internal set; }

    internal QwenModel Owner { get; }

    /// <summary>Forgets every cached token, so the cache can serve a new sequence.</summary>
    public void Reset() => Length = 0;

    /// <summary>Frees the device memory.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var t in _keys.Concat(_values))
        {
            t.Dispose();
        }
    }

    internal Tensor Keys(int layer) => Live()._keys[layer];

    internal Tensor Values(int layer) => Live()._values[layer];

    private KvCache Live() => _disposed ? throw new ObjectDisposedException(nameof(KvCache)) : this;
}
