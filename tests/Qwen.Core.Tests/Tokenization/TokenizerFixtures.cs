using System.Text.Json;
using Qwen.Core;

namespace Qwen.Core.Tests.Tokenization;

/// <summary>The fixture tokenizers, loaded once per test run (the Qwen3 tokenizer.json is 11 MB).</summary>
internal static class TokenizerFixtures
{
    private static readonly Lazy<QwenTokenizer> LazyQwen3 = new(() => QwenTokenizer.FromDirectory(Qwen3Directory));
    private static readonly Lazy<QwenTokenizer> LazyQwen25 = new(() => QwenTokenizer.FromDirectory(Qwen25Directory));

    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers");

    public static string Qwen3Directory => Path.Combine(Root, "qwen3");

    public static string Qwen25Directory => Path.Combine(Root, "qwen2.5");

    public static QwenTokenizer Qwen3 => LazyQwen3.Value;

    public static QwenTokenizer Qwen25 => LazyQwen25.Value;

    public static QwenTokenizer ByName(string name) => name switch
    {
        "qwen3" => Qwen3,
        "qwen2.5" => Qwen25,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "expected qwen3 or qwen2.5"),
    };

    /// <summary>Reads a golden file: one {"text", "ids", "decoded"} object a line.</summary>
    public static IEnumerable<GoldenCase> ReadGolden(string fileName)
    {
        foreach (var line in File.ReadLines(Path.Combine(Root, fileName)))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            yield return new GoldenCase(
                root.GetProperty("text").GetString()!,
                [.. root.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32())],
                root.TryGetProperty("decoded", out var decoded) ? decoded.GetString() : null);
        }
    }

    public sealed record GoldenCase(string Text, int[] Ids, string? Decoded);
}
