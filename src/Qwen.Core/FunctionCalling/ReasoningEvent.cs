namespace Qwen.Core;

/// <summary>Reasoning text: the inside of a <c>&lt;think&gt;…&lt;/think&gt;</c> block, or a ReAct <c>Thought:</c>.</summary>
/// <param name="Text">The text; adjacent events of the same kind concatenate to the whole reasoning.</param>
public sealed record ReasoningEvent(string Text) : FunctionCallEvent;
