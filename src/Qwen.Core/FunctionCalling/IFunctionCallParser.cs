namespace Qwen.Core;

/// <summary>
/// Parses streamed model output of one assistant turn into text, reasoning and function calls.
/// </summary>
/// <remarks>
/// Feed the text deltas in order with <see cref="Append"/> and call <see cref="Complete"/> once at the end.
/// Text is released as soon as it cannot be the start of a protocol marker; a partial marker is held back.
/// A call is reported once it is complete. Malformed calls never throw: they become <see cref="ToolCallParseErrorEvent"/>s.
/// Whitespace that only separates protocol blocks (at the start and end of the output and of each text or reasoning run,
/// around calls) is not reported; a run that directly follows one of the same kind starts with a blank line.
/// Splitting the same output differently yields the same events once adjacent text (and reasoning) events are joined.
/// An instance parses one turn and is not thread-safe.
/// </remarks>
public interface IFunctionCallParser
{
    /// <summary>Gets a value indicating whether the output reached a stop marker (the model began writing a tool result itself); later input is ignored and generation can stop.</summary>
    bool IsStopped { get; }

    /// <summary>Parses the next piece of model output.</summary>
    /// <param name="delta">The text that follows everything appended so far.</param>
    /// <returns>The events now known; empty when everything new is held back.</returns>
    /// <exception cref="System.ArgumentNullException"><paramref name="delta"/> is <see langword="null"/>.</exception>
    /// <exception cref="System.InvalidOperationException"><see cref="Complete"/> was already called.</exception>
    IReadOnlyList<FunctionCallEvent> Append(string delta);

    /// <summary>Ends the output: flushes held-back text and reports a call still open (completed, or as a parse error when it needs a closing marker).</summary>
    /// <returns>The remaining events; empty when called again.</returns>
    IReadOnlyList<FunctionCallEvent> Complete();
}
