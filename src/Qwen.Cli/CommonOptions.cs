using System.CommandLine;

namespace Qwen.Cli;

/// <summary>Options several commands share, declared once so they read and check the same everywhere.</summary>
internal static class CommonOptions
{
    /// <summary>The smallest chunk the chunker accepts.</summary>
    private const int MinChunkTokens = 32;

    public static Option<int> ChunkTokens() =>
        new("--chunk-tokens") { Description = "The most tokens a chunk may hold.", DefaultValueFactory = _ => 512 };

    public static Option<string?> Model() =>
        new("--model") { Description = "A model folder or Hugging Face model name (such as Qwen/Qwen3-0.6B) whose tokenizer counts the tokens (default: a built-in approximation of Qwen's)." };

    /// <summary>Checks a <c>--chunk-tokens</c> value.</summary>
    /// <exception cref="ArgumentException">It is below the smallest chunk size.</exception>
    public static int CheckChunkTokens(int value) =>
        value >= MinChunkTokens ? value : throw new ArgumentException($"--chunk-tokens must be at least {MinChunkTokens}, not {value}.");
}
