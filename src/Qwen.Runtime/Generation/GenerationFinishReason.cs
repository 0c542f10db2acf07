namespace Qwen.Runtime;

/// <summary>Why generation ended.</summary>
public enum GenerationFinishReason
{
    /// <summary>An end-of-sequence id, a stop id or a stop string was produced.</summary>
    Stop,

    /// <summary>The maximum number of new tokens was reached.</summary>
    Length,
}
