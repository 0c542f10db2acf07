namespace Qwen.Agents;

/// <summary>The kinds of agent <c>AddQwenAgents</c> builds from configuration.</summary>
public enum QwenAgentKind
{
    /// <summary>A <see cref="FnCallAgent"/>: native function calling with the agent's tools.</summary>
    FnCall,

    /// <summary>An <see cref="Assistant"/>: a <see cref="FnCallAgent"/> with retrieval over its files.</summary>
    Assistant,

    /// <summary>A <see cref="ReActChat"/>: tools through the ReAct text protocol, on any chat model.</summary>
    ReAct,

    /// <summary>A <see cref="Router"/> over other configured agents (<see cref="QwenAgentDefinition.Agents"/>).</summary>
    Router,
}
