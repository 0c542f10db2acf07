namespace Qwen.Runtime;

/// <summary>One generated token, as streamed by <see cref="QwenModel.GenerateAsync"/>.</summary>
/// <param name="TokenId">The generated id (the stopping id too, when an end-of-sequence or stop id ends generation).</param>
/// <param name="Text">The text this token completes (may be empty: incomplete UTF-8, text held back as a possible stop string, or a stop id).</param>
/// <param name="FinishReason">Set on the last update only: why generation ended.</param>
public sealed record GenerationUpdate(int TokenId, string Text, GenerationFinishReason? FinishReason = null);
