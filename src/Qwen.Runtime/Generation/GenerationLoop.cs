using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>The generation loop: prefill, then one cached decode step per token, sampling, stop ids and stop strings.</summary>
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

        if (options.StopStrings.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("GenerationOptions.StopStrings must not contain empty strings.", nameof(options));
        }
    }

    public static async IAsyncEnumerable<GenerationUpdate> RunAsync(
        QwenModel model, IReadOnlyList<int> promptIds, GenerationOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var capacity = (int)Math.Min((long)promptIds.Count + options.MaxNewTokens, model.Config.ContextLength);
        using var cache = model.CreateCache(capacity);
        var sampling = options.Sampling ?? SamplingOptions.FromGenerationConfig(model.GenerationConfig);
        var sampler = new Sampler(sampling, promptIds);
        var stopIds = new HashSet<int>(options.StopTokenIds);
        if (!options.IgnoreEos)
        {
            stopIds.UnionWith(model.EosTokenIds);
        }

        var detokenizer = options.Decoder is { } decoder ? new StreamingDetokenizer(decoder) : null;
        var matcher = options.StopStrings.Count > 0 ? new StopStringMatcher(options.StopStrings) : null;
        var logits = new float[model.Config.VocabSize];
        IReadOnlyList<int> input = [.. promptIds];
        for (var generated = 1; ; generated++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = input;
            var id = await model.RunAsync(() => Step(model, step, cache, sampler, logits), cancellationToken).ConfigureAwait(false);

            if (stopIds.Contains(id))
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

            if (generated >= options.MaxNewTokens || cache.Length >= cache.Capacity)
            {
                yield return new GenerationUpdate(id, text + Flush(detokenizer, matcher), GenerationFinishReason.Length);
                yield break;
            }

            yield return new GenerationUpdate(id, text);
            input = [id];
        }
    }

    private static int Step(QwenModel model, IReadOnlyList<int> ids, KvCache cache, Sampler sampler, float[] buffer)
    {
        using var scope = NewDisposeScope();
        using var logits = model.ForwardCore(ids, cache, allPositions: false);
        using var host = logits.device_type == TorchSharp.DeviceType.CPU ? logits.contiguous() : logits.cpu();
        MemoryMarshal.Cast<byte, float>(host.bytes).CopyTo(buffer);
        return sampler.Next(buffer);
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
