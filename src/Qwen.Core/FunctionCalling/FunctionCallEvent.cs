namespace Qwen.Core;

/// <summary>One thing a function-call parser recognised in model output: text, reasoning, a call or a call that could not be parsed.</summary>
public abstract record FunctionCallEvent;
