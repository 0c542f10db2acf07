using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Qwen.Core.Tests;

/// <summary>Drives a <see cref="TokenMatcher"/> with random logits (noise, like an untrained model) and validates what comes out.</summary>
internal static class GrammarTestKit
{
    private static readonly Lazy<QwenTokenizer> TinyTokenizer = new(() =>
        QwenTokenizer.FromDirectory(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers", "tiny")));

    private static readonly Lazy<QwenTokenizer> FullTokenizer = new(() =>
        QwenTokenizer.FromDirectory(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers", "qwen2.5")));

    /// <summary>Gets the 2,048-token vocabulary of the tiny test model.</summary>
    public static QwenTokenizer Tiny => TinyTokenizer.Value;

    /// <summary>Gets the real 151k-token Qwen2.5 vocabulary.</summary>
    public static QwenTokenizer Full => FullTokenizer.Value;

    public static int EndId(QwenTokenizer tokenizer) => tokenizer.TokenToId("<|im_end|>")!.Value;

    /// <summary>Generates up to <paramref name="maxTokens"/> tokens with uniform random logits under the constraint; returns the ids and the text.</summary>
    public static (List<int> Ids, string Text, bool Ended) Generate(TokenConstraint constraint, QwenTokenizer tokenizer, int seed, int maxTokens = 200)
    {
        var end = EndId(tokenizer);
        var matcher = constraint.CreateMatcher([end]);
        var random = new Random(seed);
        var logits = new float[tokenizer.VocabularySize + 7];
        var ids = new List<int>();
        for (var step = 0; step < maxTokens; step++)
        {
            for (var i = 0; i < logits.Length; i++)
            {
                logits[i] = (float)(random.NextDouble() * 10);
            }

            matcher.Mask(logits, maxTokens - step);
            var best = 0;
            for (var i = 1; i < logits.Length; i++)
            {
                if (logits[i] > logits[best])
                {
                    best = i;
                }
            }

            Assert.False(float.IsNegativeInfinity(logits[best]), $"step {step}: every token was masked");
            if (best == end)
            {
                return (ids, tokenizer.Decode(ids), true);
            }

            matcher.Accept(best);
            ids.Add(best);
        }

        return (ids, tokenizer.Decode(ids), false);
    }

    /// <summary>Asserts that <paramref name="json"/> parses and validates against <paramref name="schema"/> (formats asserted).</summary>
    public static void AssertValid(string schema, string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            Assert.Fail($"Not JSON ({e.Message}): {json}\nschema: {schema}");
            return;
        }

        using (document)
        {
            var compiled = JsonSchema.FromText(ForValidator(schema), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
            var result = compiled.Evaluate(document.RootElement, new EvaluationOptions { RequireFormatValidation = true, OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, $"Does not validate: {json}\nschema: {schema}\nerrors: {JsonSerializer.Serialize(result.Details?.Where(d => d.Errors is not null).Select(d => new { d.InstanceLocation, d.Errors }))}");
        }
    }

    /// <summary>Compiles the schema, generates with several seeds and validates every output.</summary>
    public static List<string> GenerateValid(string schema, int seeds = 4, int maxTokens = 200, QwenTokenizer? tokenizer = null)
    {
        tokenizer ??= Tiny;
        var constraint = TokenConstraint.Create(JsonGrammar.FromSchema(schema), tokenizer);
        var outputs = new List<string>();
        for (var seed = 0; seed < seeds; seed++)
        {
            var (_, text, _) = Generate(constraint, tokenizer, seed, maxTokens);
            AssertValid(schema, text);
            outputs.Add(text);
        }

        return outputs;
    }

    /// <summary>The schema in the 2020-12 dialect the validator speaks (draft-7 <c>definitions</c>, OpenAPI <c>nullable</c> rewritten).</summary>
    private static string ForValidator(string schema) => schema
        .Replace("definitions", "$defs", StringComparison.Ordinal)
        .Replace("\"type\":\"integer\",\"nullable\":true", "\"type\":[\"integer\",\"null\"]", StringComparison.Ordinal);

    public static JsonNode Parse(string json) => JsonNode.Parse(json)!;
}
