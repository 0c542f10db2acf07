using Microsoft.Agents.AI;

namespace Qwen.Agents.Hosting.Internal;

/// <summary>One <see cref="QwenAgentsBuilder.UseAgentPipeline"/> call, kept as a service so the catalog applies them in order.</summary>
internal sealed class AgentPipelineStep(Action<AIAgentBuilder> configure)
{
    public Action<AIAgentBuilder> Configure { get; } = configure;
}
