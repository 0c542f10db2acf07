using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Qwen.Tools;

namespace Qwen.Agents.Hosting.Internal;

/// <summary>Checks the agent definitions against each other and against the services (chat clients, tools) when the app
/// starts, so a wrong name in configuration fails the start rather than the first request.</summary>
internal sealed class QwenAgentsOptionsValidator(IServiceProvider services) : IValidateOptions<QwenAgentsOptions>
{
    public ValidateOptionsResult Validate(string? name, QwenAgentsOptions options)
    {
        var failures = new List<string>();
        if (options.Agents is null)
        {
            return ValidateOptionsResult.Fail("QwenAgents:Agents must not be null.");
        }

        var registry = RegisteredTools(services);
        var keyed = services.GetService<IServiceProviderIsKeyedService>();
        foreach (var (agentName, definition) in options.Agents)
        {
            var where = $"QwenAgents:Agents:{agentName}";
            if (string.IsNullOrWhiteSpace(agentName))
            {
                failures.Add("QwenAgents:Agents has an agent without a name.");
                continue;
            }

            if (definition is null)
            {
                failures.Add($"{where} is empty.");
                continue;
            }

            if (!Enum.IsDefined(definition.Kind))
            {
                failures.Add($"{where}:Kind '{definition.Kind}' is not one of {string.Join(", ", Enum.GetNames<QwenAgentKind>())}.");
            }

            if (definition.MaxModelCalls is < 1 or > 1_000)
            {
                failures.Add($"{where}:MaxModelCalls must be between 1 and 1000 but is {definition.MaxModelCalls}.");
            }

            if (definition.MaxConcurrentToolCalls is < 1 or > 256)
            {
                failures.Add($"{where}:MaxConcurrentToolCalls must be between 1 and 256 but is {definition.MaxConcurrentToolCalls}.");
            }

            foreach (var tool in definition.Tools)
            {
                if (!registry.TryGet(tool, out _))
                {
                    failures.Add($"{where}:Tools names '{tool}', which is not registered (AddQwenTools, AddQwenCodeInterpreter, AddQwenTool); registered: {(registry.Tools.Count == 0 ? "none" : string.Join(", ", registry.Tools.Select(t => t.Name)))}.");
                }
            }

            if (definition.Files.Count > 0 && definition.Kind != QwenAgentKind.Assistant)
            {
                failures.Add($"{where}:Files is only read by an Assistant, but the agent is a {definition.Kind}.");
            }

            if (definition.Files.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{where}:Files has an empty entry.");
            }

            if (definition.Kind == QwenAgentKind.Router)
            {
                ValidateRouter(options, agentName, definition, failures);
            }
            else if (definition.Agents.Count > 0)
            {
                failures.Add($"{where}:Agents is only read by a Router, but the agent is a {definition.Kind}.");
            }

            if (definition.ChatClientKey is { } key
                ? keyed is not null && !keyed.IsKeyedService(typeof(IChatClient), key)
                : services.GetService<IServiceProviderIsService>() is { } known && !known.IsService(typeof(IChatClient)))
            {
                failures.Add(definition.ChatClientKey is null
                    ? $"{where} needs an IChatClient service (AddChatClient or AddQwenChatClient), and none is registered."
                    : $"{where}:ChatClientKey '{definition.ChatClientKey}' names no keyed IChatClient service (AddKeyedChatClient).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Qwen.Tools' registry when <c>AddQwenTools</c> registered one, else the <see cref="AIFunction"/> services alone
    /// (<c>AddQwenTool</c> registers a tool without a registry).</summary>
    internal static ToolRegistry RegisteredTools(IServiceProvider services) =>
        services.GetService<ToolRegistry>() ?? new ToolRegistry(services.GetServices<AIFunction>());

    private static void ValidateRouter(QwenAgentsOptions options, string agentName, QwenAgentDefinition definition, List<string> failures)
    {
        var where = $"QwenAgents:Agents:{agentName}:Agents";
        if (definition.Agents.Count == 0)
        {
            failures.Add($"{where} must name at least one agent to route to.");
            return;
        }

        foreach (var target in definition.Agents)
        {
            if (!options.Agents.ContainsKey(target))
            {
                failures.Add($"{where} names '{target}', which is not configured.");
            }
        }

        // A router reaching itself through other routers would build forever.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(definition.Agents);
        while (pending.TryPop(out var next))
        {
            if (next == agentName)
            {
                failures.Add($"{where} reaches '{agentName}' again: routers must not form a cycle.");
                return;
            }

            if (seen.Add(next) && options.Agents.TryGetValue(next, out var inner) && inner is not null)
            {
                foreach (var target in inner.Agents)
                {
                    pending.Push(target);
                }
            }
        }
    }
}
