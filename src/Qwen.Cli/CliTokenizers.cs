using Microsoft.ML.Tokenizers;
using Qwen.Core;

namespace Qwen.Cli;

/// <summary>The one place the CLI picks its token counter: the model's tokenizer when <c>--model</c> names one, the approximation otherwise.</summary>
internal static class CliTokenizers
{
    /// <summary>Creates the token counter for <paramref name="modelDirectory"/> (a Hugging Face model folder), or the approximation when it is <see langword="null"/>.</summary>
    /// <exception cref="NotSupportedException">A model folder was given; loading its tokenizer here is not wired yet.</exception>
    public static Tokenizer Create(string? modelDirectory) =>
        modelDirectory is null
            ? ApproximateTokenizer.Instance
            : throw new NotSupportedException(
                $"--model: counting tokens with the tokenizer of '{modelDirectory}' is not wired into this command yet; omit --model to count with the built-in approximation.");
}
