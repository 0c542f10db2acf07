using Qwen.Core;

namespace Qwen.Core.Tests.Tokenization;

/// <summary>Ids and decoded text against goldens produced by the Hugging Face tokenizers (JavaScript), an independent implementation.</summary>
public sealed class QwenTokenizerGoldenTests
{
    [Theory]
    [InlineData("qwen3", "golden_qwen3.jsonl")]
    [InlineData("qwen2.5", "golden_qwen2.5.jsonl")]
    [InlineData("qwen3", "golden_random_qwen3.jsonl")]
    [InlineData("qwen3", "golden_unicode_qwen3.jsonl")]
    public void EncodeToIds_GoldenCases_MatchReferenceIdsAndDecodeBack(string tokenizerName, string goldenFile)
    {
        var tokenizer = TokenizerFixtures.ByName(tokenizerName);
        var cases = TokenizerFixtures.ReadGolden(goldenFile).ToList();
        Assert.NotEmpty(cases);

        var failures = new List<string>();
        foreach (var golden in cases)
        {
            var ids = tokenizer.EncodeToIds(golden.Text);
            if (!ids.SequenceEqual(golden.Ids))
            {
                failures.Add($"encode {Show(golden.Text)}: expected [{string.Join(',', golden.Ids)}] got [{string.Join(',', ids)}]");
                continue;
            }

            if (tokenizer.CountTokens(golden.Text) != golden.Ids.Length)
            {
                failures.Add($"count {Show(golden.Text)}");
            }

            if (golden.Decoded is not null && tokenizer.Decode(golden.Ids) != golden.Decoded)
            {
                failures.Add($"decode {Show(golden.Text)}: got {Show(tokenizer.Decode(golden.Ids))}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} cases differ:\n{string.Join('\n', failures.Take(20))}");
    }

    private static string Show(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
