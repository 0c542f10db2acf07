namespace Qwen.Server;

/// <summary>The agents and tools registered with the server, looked up by name.</summary>
internal sealed class AgentCatalog
{
    public AgentCatalog(IEnumerable<ServedAgent> agents, IEnumerable<ServedTool> tools)
    {
        Agents = Unique(agents, a => a.Name, "agent");
        Tools = Unique(tools, t => t.Name, "tool");
    }

    public IReadOnlyList<ServedAgent> Agents { get; }

    public IReadOnlyList<ServedTool> Tools { get; }

    /// <exception cref="ApiException">No agent has this name (400).</exception>
    public ServedAgent Agent(string name) =>
        Agents.FirstOrDefault(a => a.Name == name)
            ?? throw ApiException.BadRequest("agent", $"No agent '{name}'; the server offers: {string.Join(", ", Agents.Select(a => a.Name))}.");

    /// <exception cref="ApiException">No tool has this name (400).</exception>
    public ServedTool Tool(string name) =>
        Tools.FirstOrDefault(t => t.Name == name)
            ?? throw ApiException.BadRequest("tools", $"No tool '{name}'; the server offers: {string.Join(", ", Tools.Select(t => t.Name))}.");

    private static List<T> Unique<T>(IEnumerable<T> items, Func<T, string> name, string kind)
    {
        var list = items.ToList();
        if (list.GroupBy(name).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidOperationException($"Two served {kind}s are named '{twice.Key}'; names must be unique.");
        }

        return list;
    }
}
