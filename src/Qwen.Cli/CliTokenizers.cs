using Microsoft.ML.Tokenizers;
using Qwen.Core;

namespace Qwen.Cli;

/// <summary>The one place the CLI picks its token counter: the model's tokenizer when <c>--model</c> names one, the approximation otherwise.</summary>
internal static class CliTokenizers
{
    /// <summary>Creates the token counter for <paramref name="modelDirectory"/> (a Hugging Face model folder), or the approximation when it is <see langword="null"/>.</summary>
    /// <exception cref="TokenizerFormatException">The folder has no usable tokenizer.json.</exception>
    public static Tokenizer Create(string? modelDirectory) =>
        modelDirectory is null ? ApproximateTokenizer.Instance : QwenTokenizer.FromDirectory(modelDirectory);
}
