namespace Qwen.Core;

/// <summary>One entry of <c>tokenizer.json</c>'s <c>added_tokens</c>: a string matched whole in the text before the BPE model sees it.</summary>
/// <param name="Id">The token's id.</param>
/// <param name="Content">The text the token stands for.</param>
/// <param name="Special">Whether the token is a control token that <c>skipSpecialTokens</c> removes when decoding.</param>
/// <param name="Normalized">Whether the token is matched in the normalized text rather than the raw text.</param>
/// <param name="LStrip">Whether white space before the token is dropped.</param>
/// <param name="RStrip">Whether white space after the token is dropped.</param>
internal sealed record AddedToken(int Id, string Content, bool Special, bool Normalized, bool LStrip, bool RStrip);
