using Qwen.Core;

namespace Qwen.Runtime;

/// <summary>Lets generation decode text (deltas, stop strings) with the checkpoint's <see cref="QwenTokenizer"/>, special tokens included.</summary>
internal sealed class TokenizerDecoder(QwenTokenizer tokenizer) : ITokenDecoder
{
    public string Decode(IReadOnlyList<int> ids) => tokenizer.Decode(ids, skipSpecialTokens: false);
}
