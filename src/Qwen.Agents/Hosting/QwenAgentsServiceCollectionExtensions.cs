using Microsoft.Agents.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Qwen.Agents;
using Qwen.Agents.Hosting.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Qwen agents, defined in configuration or code, with dependency injection.</summary>
public static class QwenAgentsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the agents of the <c>QwenAgents</c> configuration section: each over the app's <c>IChatClient</c> (or a keyed
    /// one), with tools from Qwen.Tools' <c>ToolRegistry</c>, resolved from <see cref="QwenAgentCatalog"/> or as a keyed
    /// <see cref="AIAgent"/> under its name. The definitions are validated when the host starts.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section to bind, e.g. <c>builder.Configuration.GetSection("QwenAgents")</c>.</param>
    /// <param name="configure">Changes the bound options in code; may be <see langword="null"/>.</param>
    /// <returns>A builder to add agent decorators with.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is <see langword="null"/>.</exception>
    public static QwenAgentsBuilder AddQwenAgents(this IServiceCollection services, IConfiguration configuration, Action<QwenAgentsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<QwenAgentsOptions>().Bind(configuration);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddCore(services);
    }

    /// <summary>Registers the agents defined in code; see <see cref="AddQwenAgents(IServiceCollection, IConfiguration, Action{QwenAgentsOptions})"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Defines the agents.</param>
    /// <returns>A builder to add agent decorators with.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static QwenAgentsBuilder AddQwenAgents(this IServiceCollection services, Action<QwenAgentsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<QwenAgentsOptions>().Configure(configure);
        return AddCore(services);
    }

    private static QwenAgentsBuilder AddCore(IServiceCollection services)
    {
        services.AddOptions<QwenAgentsOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QwenAgentsOptions>, QwenAgentsOptionsValidator>());
        services.TryAddSingleton<QwenAgentCatalog>();

        // Any key: the names live in options, which are only known once the container is built. Keys registered
        // explicitly (AddKeyedSingleton<AIAgent>("x", ...)) still win over this one.
        if (!services.Any(d => d.ServiceType == typeof(AIAgent) && ReferenceEquals(d.ServiceKey, KeyedService.AnyKey)))
        {
            services.AddKeyedSingleton<AIAgent>(KeyedService.AnyKey, (provider, key) =>
                provider.GetRequiredService<QwenAgentCatalog>().GetAgent(key as string ?? throw new ArgumentException($"A Qwen agent's service key is its name, a string, not {key?.GetType().Name ?? "null"}.", nameof(key))));
        }

        return new QwenAgentsBuilder(services);
    }
}
