using System.Threading.Channels;

namespace Qwen.Runtime;

/// <summary>One generation request inside the <see cref="BatchScheduler"/>: its prompt, cache, sampler and stop rules, and the ids it has produced.</summary>
/// <remarks>
/// The worker thread owns the cache, the sampler and the counters; the requesting side only reads <see cref="Tokens"/>
/// and calls <see cref="Abandon"/>. Stop ids and the length limit are decided here, where the cache can be freed at once;
/// text-level rules (stop strings) are the reader's, which abandons the sequence when one matches.
/// </remarks>
internal sealed class BatchSequence
{
    private readonly Channel<(int Id, GenerationFinishReason? Reason)> _tokens =
        Channel.CreateUnbounded<(int, GenerationFinishReason?)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly TaskCompletionSource _freed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<int> _stopIds;
    private readonly CancellationToken _cancellationToken;
    private volatile bool _abandoned;

    public BatchSequence(int[] promptIds, int maxNewTokens, int capacity, Sampler sampler, HashSet<int> stopIds, int vocabSize, CancellationToken cancellationToken)
    {
        PromptIds = promptIds;
        MaxNewTokens = maxNewTokens;
        Capacity = capacity;
        Sampler = sampler;
        Logits = new float[vocabSize];
        _stopIds = stopIds;
        _cancellationToken = cancellationToken;
    }

    public int[] PromptIds { get; }

    public int MaxNewTokens { get; }

    /// <summary>Gets the KV cache capacity the sequence needs (prompt plus generated tokens, within the context length).</summary>
    public int Capacity { get; }

    public Sampler Sampler { get; }

    /// <summary>Gets the host buffer the sampler reads each step's logits from.</summary>
    public float[] Logits { get; }

    /// <summary>Gets or sets the sequence's cache: made when it is admitted, freed as soon as it finishes or is abandoned.</summary>
    public KvCache? Cache { get; set; }

    /// <summary>Gets how many ids have been generated.</summary>
    public int Generated { get; private set; }

    /// <summary>Gets the last generated id: the input of the next decode step.</summary>
    public int LastToken { get; private set; }

    /// <summary>Gets the generated ids, each with the finish reason on the last one.</summary>
    public ChannelReader<(int Id, GenerationFinishReason? Reason)> Tokens => _tokens.Reader;

    /// <summary>Gets a task that completes once the sequence has left the scheduler and its cache is freed.</summary>
    public Task Freed => _freed.Task;

    /// <summary>Gets whether the request no longer wants tokens (its reader stopped or its token was cancelled).</summary>
    public bool IsAbandoned => _abandoned || _cancellationToken.IsCancellationRequested;

    /// <summary>Tells the scheduler to drop the sequence and free its cache at its next iteration.</summary>
    public void Abandon() => _abandoned = true;

    /// <summary>Records a generated id; returns true when it ends the sequence (stop id or length), which is then completed.</summary>
    public bool Emit(int id)
    {
        Generated++;
        LastToken = id;
        GenerationFinishReason? reason = _stopIds.Contains(id)
            ? GenerationFinishReason.Stop
            : Generated >= MaxNewTokens || Cache!.Length >= Cache.Capacity ? GenerationFinishReason.Length : null;
        if (reason is null)
        {
            _tokens.Writer.TryWrite((id, null));
            return false;
        }

        // The cache goes before the last id is sent: a reader that has seen the end holds no device memory.
        FreeCache();
        _tokens.Writer.TryWrite((id, reason));
        Complete(null);
        return true;
    }

    /// <summary>Frees the cache and closes <see cref="Tokens"/>; with an error, the reader gets it after the ids already sent.</summary>
    public void Complete(Exception? error)
    {
        FreeCache();
        if (error is null && _cancellationToken.IsCancellationRequested)
        {
            error = new OperationCanceledException(_cancellationToken);
        }

        _tokens.Writer.TryComplete(error);
        _freed.TrySetResult();
    }

    private void FreeCache()
    {
        Cache?.Dispose();
        Cache = null;
    }
}
