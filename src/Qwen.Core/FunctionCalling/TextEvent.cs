namespace Qwen.Core;

/// <summary>Answer text meant for the user (outside any call, reasoning block or protocol marker).</summary>
/// <param name="Text">The text; adjacent events of the same kind concatenate to the whole answer.</param>
public sealed record TextEvent(string Text) : FunctionCallEvent;
