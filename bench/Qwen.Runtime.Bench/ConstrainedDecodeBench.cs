using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Qwen.Core;
using Qwen.Runtime.Diagnostics;

namespace Qwen.Runtime.Bench;

/// <summary>
/// Constrained decoding against plain decoding on one model: the one-time cost of a schema (grammar compile, vocabulary
/// index, token masks computed while a first output is written), the per-token cost once the masks are cached, and decode
/// tokens/s with and without the schema through <see cref="QwenModel.GenerateAsync"/>, runs interleaved.
/// </summary>
internal static class ConstrainedDecodeBench
{
    /// <summary>A typical structured-output schema: strings, numbers, an enum array, a nullable member and a date.</summary>
    public const string BuiltinSchema = """
        {"type":"object","properties":{
          "title":{"type":"string"},"year":{"type":"integer"},"rating":{"type":"number"},
          "genres":{"type":"array","items":{"type":"string","enum":["drama","comedy","action","documentary"]},"maxItems":3},
          "director":{"type":["string","null"]},"released":{"type":"string","format":"date"},"summary":{"type":"string"}},
         "required":["title","year","rating","genres","director","released","summary"],"additionalProperties":false}
        """;

    public static async Task<int> RunAsync(string modelDirectory, string schemaArgument, int genTokens, int repeats, QwenModelOptions modelOptions)
    {
        var schemaText = schemaArgument == "builtin" ? BuiltinSchema : schemaArgument == "json" ? null : File.ReadAllText(schemaArgument);
        var tokenizer = QwenTokenizer.FromDirectory(modelDirectory);
        var end = tokenizer.TokenToId("<|im_end|>") ?? tokenizer.EosTokenId ?? throw new InvalidOperationException("The tokenizer has no end token.");

        var watch = Stopwatch.StartNew();
        var grammar = schemaText is null ? JsonGrammar.AnyValue : JsonGrammar.FromSchema(schemaText);
        var compileMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var constraint = TokenConstraint.Create(grammar, tokenizer);
        var bindMs = watch.Elapsed.TotalMilliseconds;

        // Noise logits over the full vocabulary: the first pass computes the masks of the states it meets, the second finds them cached.
        var (coldMs, coldTokens) = Walk(constraint, tokenizer.VocabularySize, end, genTokens);
        var masks = constraint.CachedMasks;
        var (warmMs, warmTokens) = Walk(constraint, tokenizer.VocabularySize, end, genTokens);

        using var model = QwenModel.Load(modelDirectory, modelOptions);
        var prompt = RuntimeBenchmark.PseudoRandomIds(16, model.Config.VocabSize, seed: 777);
        var plain = new List<double>();
        var constrained = new List<double>();
        var constrainedTokens = new List<int>();
        string sample = string.Empty;
        for (var run = 0; run <= repeats; run++)
        {
            var (plainRate, _, _) = await DecodeAsync(model, prompt, genTokens, null, tokenizer).ConfigureAwait(false);
            var (rate, produced, text) = await DecodeAsync(model, prompt, genTokens, constraint, tokenizer, end).ConfigureAwait(false);
            if (run > 0)
            {
                plain.Add(plainRate);
                constrained.Add(rate);
                constrainedTokens.Add(produced);
                sample = text;
            }
        }

        var plainMedian = RuntimeBenchmark.Median(plain);
        var constrainedMedian = RuntimeBenchmark.Median(constrained);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            schema = schemaText is null ? "any JSON value" : schemaArgument,
            grammar_nodes = grammar.NodeCount,
            vocabulary = tokenizer.VocabularySize,
            compile_ms = Math.Round(compileMs, 2),
            bind_to_vocabulary_ms = Math.Round(bindMs, 1),
            first_output_ms = Math.Round(coldMs, 1),
            first_output_tokens = coldTokens,
            masks_computed = masks,
            cached_overhead_us_per_token = Math.Round(warmMs * 1000 / Math.Max(1, warmTokens), 1),
            decode_tokens_per_second_plain = Math.Round(plainMedian, 2),
            decode_tokens_per_second_constrained = Math.Round(constrainedMedian, 2),
            ratio = Math.Round(constrainedMedian / plainMedian, 3),
            plain_runs = plain.Select(r => Math.Round(r, 2)),
            constrained_runs = constrained.Select(r => Math.Round(r, 2)),
            constrained_tokens = constrainedTokens,
            sample_output = sample,
            threads = model.Threads,
            dtype = model.DType.ToString(),
        }));
        return 0;
    }

    private static (double Milliseconds, int Tokens) Walk(TokenConstraint constraint, int vocabulary, int end, int budget)
    {
        var matcher = constraint.CreateMatcher([end]);
        var random = new Random(5);
        var logits = new float[vocabulary];
        var noise = new float[vocabulary];
        var elapsed = TimeSpan.Zero;
        var tokens = 0;
        for (var step = 0; step < budget; step++)
        {
            for (var i = 0; i < noise.Length; i++)
            {
                noise[i] = (float)random.NextDouble();
            }

            noise.CopyTo(logits, 0);
            var watch = Stopwatch.StartNew();
            matcher.Mask(logits, budget - step);
            var best = 0;
            for (var i = 1; i < logits.Length; i++)
            {
                best = logits[i] > logits[best] ? i : best;
            }

            if (best == end)
            {
                elapsed += watch.Elapsed;
                break;
            }

            matcher.Accept(best);
            elapsed += watch.Elapsed;
            tokens++;
        }

        return (elapsed.TotalMilliseconds, tokens);
    }

    /// <summary>Greedy decode after the prompt; the rate counts the single-token steps after the first token.</summary>
    private static async Task<(double Rate, int Produced, string Text)> DecodeAsync(QwenModel model, int[] prompt, int steps, TokenConstraint? constraint, QwenTokenizer tokenizer, int end = -1)
    {
        var options = new GenerationOptions
        {
            MaxNewTokens = steps + 1,
            IgnoreEos = true,
            Sampling = SamplingOptions.Greedy,
            Constraint = constraint,
            StopTokenIds = constraint is null ? [] : [end],
        };
        var watch = new Stopwatch();
        var ids = new List<int>();
        await foreach (var update in model.GenerateAsync(prompt, options).ConfigureAwait(false))
        {
            if (ids.Count == 0)
            {
                watch.Start();
            }

            ids.Add(update.TokenId);
        }

        var text = tokenizer.Decode(ids.Where(id => id != end));
        return ((ids.Count - 1) / watch.Elapsed.TotalSeconds, ids.Count, text);
    }
}
