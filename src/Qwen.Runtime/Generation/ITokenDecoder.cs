namespace Qwen.Runtime;

/// <summary>Turns token ids back into text; generation uses it for text deltas and stop strings.</summary>
public interface ITokenDecoder
{
    /// <summary>Decodes a run of ids to text. Incomplete UTF-8 at the end may come out as U+FFFD; the caller waits for more ids.</summary>
    /// <param name="ids">The ids, in order.</param>
    /// <returns>The text they spell.</returns>
    string Decode(IReadOnlyList<int> ids);
}
