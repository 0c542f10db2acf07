using System.Collections.Concurrent;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Qwen.Agents.Hosting.Internal;
using Qwen.Tools;

namespace Qwen.Agents;

/// <summary>
/// The agents configured with <c>AddQwenAgents</c>, built on first use over the app's <see cref="IChatClient"/> and
/// Qwen.Tools' <see cref="ToolRegistry"/>, and wrapped in the builder's agent pipeline. Each is also a keyed
/// <see cref="AIAgent"/> service under its name.
/// </summary>
public sealed class QwenAgentCatalog : IDisposable
{
    private readonly IServiceProvider _services;
    private readonly QwenAgentsOptions _options;
    private readonly ConcurrentDictionary<string, Lazy<AIAgent>> _agents = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _owned = [];
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="QwenAgentCatalog"/> class.</summary>
    /// <param name="services">Where the chat clients, tools and logger factory come from.</param>
    /// <param name="options">The validated agent definitions.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public QwenAgentCatalog(IServiceProvider services, IOptions<QwenAgentsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        _services = services;
        _options = options.Value;
    }

    /// <summary>Gets the names of the configured agents.</summary>
    public IReadOnlyCollection<string> Names => [.. _options.Agents.Keys];

    /// <summary>Gets the agent configured under <paramref name="name"/>, building it on first use.</summary>
    /// <param name="name">The agent's name.</param>
    /// <returns>The agent, decorated by the builder's pipeline.</returns>
    /// <exception cref="ArgumentException">No agent has that name.</exception>
    /// <exception cref="ObjectDisposedException">The catalog has been disposed.</exception>
    public AIAgent GetAgent(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_options.Agents.ContainsKey(name))
        {
            throw new ArgumentException($"No Qwen agent is configured under the name '{name}'; configured: {string.Join(", ", _options.Agents.Keys.Order(StringComparer.Ordinal))}.", nameof(name));
        }

        return _agents.GetOrAdd(name, n => new Lazy<AIAgent>(() => Build(n))).Value;
    }

    /// <summary>Disposes the agents that hold resources (an <see cref="Assistant"/>'s document index).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        lock (_owned)
        {
            foreach (var owned in _owned)
            {
                owned.Dispose();
            }
        }
    }

    private AIAgent Build(string name)
    {
        var definition = _options.Agents[name];
        var chatClient = definition.ChatClientKey is { } key ? _services.GetRequiredKeyedService<IChatClient>(key) : _services.GetRequiredService<IChatClient>();
        var loggerFactory = _services.GetService<ILoggerFactory>();
        QwenAgent agent = definition.Kind switch
        {
            QwenAgentKind.Assistant => new Assistant(chatClient, Configure(new AssistantOptions { Documents = { Files = [.. definition.Files] } }, name, definition), loggerFactory),
            QwenAgentKind.ReAct => new ReActChat(chatClient, Configure(new FnCallAgentOptions(), name, definition), loggerFactory),
            QwenAgentKind.Router => new Router(
                chatClient,
                definition.Agents.Select(GetAgent),
                new QwenAgentOptions { Name = name, Description = definition.Description, Instructions = definition.Instructions, Language = definition.Language },
                loggerFactory),
            _ => new FnCallAgent(chatClient, Configure(new FnCallAgentOptions(), name, definition), loggerFactory),
        };
        if (agent is IDisposable disposable)
        {
            lock (_owned)
            {
                _owned.Add(disposable);
            }
        }

        var builder = agent.AsBuilder();
        foreach (var step in _services.GetServices<AgentPipelineStep>())
        {
            step.Configure(builder);
        }

        return builder.Build(_services);
    }

    private T Configure<T>(T options, string name, QwenAgentDefinition definition)
        where T : FnCallAgentOptions
    {
        options.Name = name;
        options.Description = definition.Description;
        options.Instructions = definition.Instructions;
        options.Language = definition.Language;
        options.MaxModelCalls = definition.MaxModelCalls;
        options.MaxConcurrentToolCalls = definition.MaxConcurrentToolCalls;
        if (definition.Tools.Count > 0)
        {
            var registry = QwenAgentsOptionsValidator.RegisteredTools(_services);
            options.Tools = [.. definition.Tools.Select(tool => registry.TryGet(tool, out var function) ? function : throw new InvalidOperationException($"Agent '{name}' names the tool '{tool}', which the ToolRegistry does not hold."))];
        }

        return options;
    }
}
