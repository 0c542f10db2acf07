using Qwen.Core;

namespace Qwen.Runtime;

/// <summary>Lets generation decode text (deltas, stop strings) with a checkpoint's <see cref="QwenTokenVocabulary"/>, special tokens included.</summary>
internal sealed class TokenizerDecoder(QwenTokenVocabulary vocabulary) : ITokenDecoder
{
    public string Decode(IReadOnlyList<int> ids) => vocabulary.Decode(ids, skipSpecialTokens: false);
}
