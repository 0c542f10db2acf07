namespace Qwen.Core;

/// <summary>The text protocols a Qwen model can use to call functions.</summary>
public enum FunctionCallFormat
{
    /// <summary>Hermes/Nous: <c>&lt;tools&gt;</c> in the system message and <c>&lt;tool_call&gt;</c> blocks in the output (the Qwen2.5/Qwen3 chat templates, Qwen-Agent's default).</summary>
    Hermes,

    /// <summary>Qwen-Agent's <c>qwen</c> prompt: <c>✿FUNCTION✿: name</c> / <c>✿ARGS✿: {json}</c> / <c>✿RESULT✿</c> / <c>✿RETURN✿</c>.</summary>
    Qwen,

    /// <summary>ReAct as in Qwen-Agent's ReActChat: <c>Thought:</c> / <c>Action:</c> / <c>Action Input:</c> / <c>Observation:</c> / <c>Final Answer:</c>.</summary>
    ReAct,

    /// <summary>Qwen3-Coder's XML calls: <c>&lt;tool_call&gt;&lt;function=NAME&gt;&lt;parameter=P&gt;value&lt;/parameter&gt;&lt;/function&gt;&lt;/tool_call&gt;</c> (its chat template's format).</summary>
    Xml,
}
