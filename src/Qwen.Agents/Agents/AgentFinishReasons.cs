using Microsoft.Extensions.AI;

namespace Qwen.Agents;

/// <summary>The finish reasons Qwen agents add to Microsoft.Extensions.AI's own.</summary>
public static class AgentFinishReasons
{
    /// <summary>The run reached its model-call limit (<see cref="FnCallAgentOptions.MaxModelCalls"/>, or a ReAct step cap) without a final answer.</summary>
    public static ChatFinishReason ModelCallLimit { get; } = new("model_call_limit");
}
