using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Qwen.Runtime;

/// <summary>The generation loop of one request: validation, then the ids from the model's batch scheduler turned into streamed text with stop strings.</summary>
internal static class GenerationLoop
{
    public static void Validate(QwenModel model, IReadOnlyList<int> promptIds, GenerationOptions options)
    {
        model.ValidateIds(promptIds, nameof(promptIds));
        if (options.MaxNewTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxNewTokens, "GenerationOptions.MaxNewTokens must be at least 1.");
        }

        if (promptIds.Count >= model.Config.ContextLength)
        {
            throw new ArgumentException($"The prompt ({promptIds.Count} tokens) leaves no room to generate within the context length ({model.Config.ContextLength}).", nameof(promptIds));
        }

        options.Sampling?.Validate();
        if (options.StopStrings.Count > 0 && options.Decoder is null)
        {
            throw new ArgumentException("GenerationOptions.StopStrings needs GenerationOptions.Decoder to see the text.", nameof(options));
        }

        if (options.Constraint is not null && options.StopTokenIds.Count == 0 && (options.IgnoreEos || model.EosTokenIds.Count == 0))
        {
            throw new ArgumentException("GenerationOptions.Constraint needs an end id to finish on: set StopTokenIds or keep the model's end-of-sequence ids.", nameof(options));
        }

        if (options.StopStrings.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("GenerationOptions.StopStrings must not contain empty strings.", nameof(options));
        }
    }

    /// <summary>Submits the request to the model's <see cref="BatchScheduler"/> and turns the ids it produces into updates (text, stop strings).</summary>
    public static async IAsyncEnumerable<GenerationUpdate> RunAsync(
        QwenModel model, IReadOnlyList<int> promptIds, GenerationOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var capacity = (int)Math.Min((long)promptIds.Count + options.MaxNewTokens, model.Config.ContextLength);
        var sampling = options.Sampling ?? SamplingOptions.FromGenerationConfig(model.GenerationConfig);
        var stopIds = new HashSet<int>(options.StopTokenIds);
        if (!options.IgnoreEos)
        {
            stopIds.UnionWith(model.EosTokenIds);
        }

        var grammar = options.Constraint?.CreateMatcher(stopIds);
        var sampler = new Sampler(sampling, promptIds, grammar, capacity - promptIds.Count);

        var detokenizer = options.Decoder is { } decoder ? new StreamingDetokenizer(decoder) : null;
        var matcher = options.StopStrings.Count > 0 ? new StopStringMatcher(options.StopStrings) : null;
        var sequence = model.Scheduler.Submit([.. promptIds], options.MaxNewTokens, capacity, sampler, stopIds, cancellationToken);
        try
        {
            while (true)
            {
                // Ids the scheduler produced ahead of the reader are not handed out once the model is gone.
                ObjectDisposedException.ThrowIf(model.IsDisposed, model);
                var (id, reason) = await ReadAsync(sequence.Tokens, cancellationToken).ConfigureAwait(false);
                if (reason == GenerationFinishReason.Stop)
                {
                    yield return new GenerationUpdate(id, Flush(detokenizer, matcher), GenerationFinishReason.Stop);
                    yield break;
                }

                var text = detokenizer?.Push(id) ?? string.Empty;
                if (matcher is not null)
                {
                    var (emit, stopped) = matcher.Push(text);
                    if (stopped)
                    {
                        yield return new GenerationUpdate(id, emit, GenerationFinishReason.Stop);
                        yield break;
                    }

                    text = emit;
                }

                if (reason == GenerationFinishReason.Length)
                {
                    yield return new GenerationUpdate(id, text + Flush(detokenizer, matcher), GenerationFinishReason.Length);
                    yield break;
                }

                yield return new GenerationUpdate(id, text);
            }
        }
        finally
        {
            // Stopped by a stop string, by the caller leaving the loop, or by cancellation: the scheduler drops the sequence
            // at its next iteration (within one token); waiting for that means the request's memory is free when it returns.
            sequence.Abandon();
            await sequence.Freed.ConfigureAwait(false);
        }
    }

    /// <summary>The next id; a failure of the model surfaces as its own exception, not as a closed channel.</summary>
    private static async ValueTask<(int Id, GenerationFinishReason? Reason)> ReadAsync(ChannelReader<(int Id, GenerationFinishReason? Reason)> tokens, CancellationToken cancellationToken)
    {
        try
        {
            return await tokens.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    private static string Flush(StreamingDetokenizer? detokenizer, StopStringMatcher? matcher)
    {
        var text = detokenizer?.Flush() ?? string.Empty;
        if (matcher is null)
        {
            return text;
        }

        var (emit, stopped) = matcher.Push(text);
        return stopped ? emit : emit + matcher.Flush();
    }
}
