using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Qwen.Server;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what the <c>MapQwen...</c> endpoints need: options, the request gate, sessions, and the served models, agents and tools.</summary>
public static class QwenServerServiceCollectionExtensions
{
    /// <summary>Registers the server's shared state; call once, then add models with <see cref="AddQwenServedModel(IServiceCollection, string, IChatClient)"/>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options; null keeps the defaults.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddQwenServer(this IServiceCollection services, Action<QwenServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<QwenServerOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.Validate(o =>
        {
            o.Validate();
            return true;
        });
        services.TryAddSingleton<ServerContext>();
        services.TryAddSingleton<AgentCatalog>();
        services.TryAddSingleton<SessionStore>();
        return services;
    }

    /// <summary>Offers an agent on the agent API and in the browser UI.</summary>
    /// <param name="services">The services.</param>
    /// <param name="agent">The agent: its name, description and per-run factory.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddQwenServedAgent(this IServiceCollection services, ServedAgent agent)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(agent);
        services.AddSingleton(agent);
        return services;
    }

    /// <summary>Offers a tool users may switch on for agent runs.</summary>
    /// <param name="services">The services.</param>
    /// <param name="tool">The tool: its name, description and per-run factory.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddQwenServedTool(this IServiceCollection services, ServedTool tool)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(tool);
        services.AddSingleton(tool);
        return services;
    }

    /// <summary>Serves a chat client under a model id on the OpenAI-compatible API.</summary>
    /// <param name="services">The services.</param>
    /// <param name="id">The model id clients send.</param>
    /// <param name="client">The chat client; the caller keeps ownership.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddQwenServedModel(this IServiceCollection services, string id, IChatClient client)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(new ServedModel(id, client));
        return services;
    }

    /// <summary>Serves a chat client made from the services under a model id on the OpenAI-compatible API.</summary>
    /// <param name="services">The services.</param>
    /// <param name="id">The model id clients send.</param>
    /// <param name="factory">Makes the chat client (once).</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddQwenServedModel(this IServiceCollection services, string id, Func<IServiceProvider, IChatClient> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(factory);
        services.AddSingleton(sp => new ServedModel(id, factory(sp)));
        return services;
    }
}
