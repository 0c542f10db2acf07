using Qwen.Core;

namespace Qwen.Runtime;

/// <summary>Turns Qwen.Core's tokenizers into the <see cref="ITokenDecoder"/> that <see cref="GenerationOptions.Decoder"/> takes.</summary>
public static class TokenDecoderExtensions
{
    /// <summary>Gets a decoder that turns generated ids into text with <paramref name="vocabulary"/>, special tokens included.</summary>
    /// <param name="vocabulary">The vocabulary, e.g. <see cref="QwenTokenVocabulary.FromDirectory"/> of a checkpoint whose tokenizer cannot encode.</param>
    /// <returns>The decoder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="vocabulary"/> is null.</exception>
    public static ITokenDecoder AsTokenDecoder(this QwenTokenVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        return new TokenizerDecoder(vocabulary);
    }

    /// <summary>Gets a decoder that turns generated ids into text with <paramref name="tokenizer"/>, special tokens included.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <returns>The decoder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tokenizer"/> is null.</exception>
    public static ITokenDecoder AsTokenDecoder(this QwenTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return new TokenizerDecoder(tokenizer.Vocabulary);
    }
}
