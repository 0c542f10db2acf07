using Microsoft.Agents.AI;
using Microsoft.Extensions.DependencyInjection;
using Qwen.Agents.Hosting.Internal;

namespace Qwen.Agents;

/// <summary>
/// What <c>AddQwenAgents</c> returns, to chain on as Microsoft Agent Framework's <c>AddAIAgent</c> and Microsoft.Extensions.AI's
/// <c>AddChatClient</c> builders allow: a pipeline of agent decorators (<c>UseLogging</c>, <c>UseOpenTelemetry</c>, ...)
/// applied to every configured agent.
/// </summary>
public sealed class QwenAgentsBuilder
{
    internal QwenAgentsBuilder(IServiceCollection services) => Services = services;

    /// <summary>Gets the services the agents are registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds decorators around every configured agent, in the order given (the first is outermost):
    /// <c>builder.UseAgentPipeline(agent =&gt; agent.UseLogging().UseOpenTelemetry())</c>.</summary>
    /// <param name="configure">Adds decorators to an agent's <see cref="AIAgentBuilder"/>; it runs once per agent, when the agent is first resolved.</param>
    /// <returns>This builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is <see langword="null"/>.</exception>
    public QwenAgentsBuilder UseAgentPipeline(Action<AIAgentBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.AddSingleton(new AgentPipelineStep(configure));
        return this;
    }
}
