using Microsoft.ML.Tokenizers;
using Qwen.Core;

namespace Qwen.Cli;

/// <summary>The one place the CLI picks its token counter: the model's tokenizer when <c>--model</c> names one, the approximation otherwise.</summary>
internal static class CliTokenizers
{
    /// <summary>Creates the token counter for <paramref name="model"/> (a Hugging Face model folder or name, downloaded if needed), or the approximation when it is <see langword="null"/>.</summary>
    /// <exception cref="TokenizerFormatException">The folder has no usable tokenizer.json.</exception>
    /// <exception cref="Qwen.Runtime.HubException">The model name could not be found or downloaded.</exception>
    public static async Task<Tokenizer> CreateAsync(string? model, CancellationToken cancellationToken) =>
        await CliModels.ResolveOptionalAsync(model, cancellationToken).ConfigureAwait(false) is { } folder ? QwenTokenizer.FromDirectory(folder) : ApproximateTokenizer.Instance;
}
