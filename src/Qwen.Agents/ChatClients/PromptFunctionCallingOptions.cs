using Qwen.Core;

namespace Qwen.Agents;

/// <summary>Options of <see cref="PromptFunctionCallingChatClient"/>: the text format of the calls and its language.</summary>
public sealed class PromptFunctionCallingOptions
{
    /// <summary>Gets or sets the text format the tools are described in and the calls are written in.</summary>
    /// <value>The default value is <see cref="FunctionCallFormat.Hermes"/>. <see cref="FunctionCallFormat.ReAct"/> is not a function-calling format here (use the ReAct agent).</value>
    public FunctionCallFormat Format { get; set; } = FunctionCallFormat.Hermes;

    /// <summary>Gets or sets the language of the <see cref="FunctionCallFormat.Qwen"/> instructions: <c>"en"</c> or <c>"zh"</c>.</summary>
    /// <value>The default value is <see langword="null"/>: Chinese when the system or user messages hold Chinese characters, else English.</value>
    public string? Language { get; set; }

    /// <summary>Gets or sets a value indicating whether the <see cref="FunctionCallFormat.Qwen"/> instructions describe parallel calls (N calls, then N results).</summary>
    /// <value>The default value is <see langword="false"/>, as in Qwen-Agent; a request's <c>ChatOptions.AllowMultipleToolCalls</c> overrides it.</value>
    public bool ParallelCalls { get; set; }
}
