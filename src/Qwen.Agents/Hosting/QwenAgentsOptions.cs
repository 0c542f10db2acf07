namespace Qwen.Agents;

/// <summary>The agents <c>AddQwenAgents</c> registers, by name (configuration section <c>QwenAgents</c>).</summary>
public sealed class QwenAgentsOptions
{
    /// <summary>The configuration section the options are read from by default.</summary>
    public const string SectionName = "QwenAgents";

    /// <summary>Gets or sets the agents by name; the name is also the agent's <c>Name</c> and its service key.</summary>
    /// <value>The default value is no agents.</value>
    public IDictionary<string, QwenAgentDefinition> Agents { get; set; } = new Dictionary<string, QwenAgentDefinition>(StringComparer.Ordinal);
}
