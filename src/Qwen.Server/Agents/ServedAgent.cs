using Microsoft.Agents.AI;

namespace Qwen.Server;

/// <summary>An agent the agent API and the browser UI offer, made afresh for each run from the session's context.</summary>
public sealed class ServedAgent
{
    /// <summary>Initializes a new instance of the <see cref="ServedAgent"/> class.</summary>
    /// <param name="name">The name clients choose it by (<c>assistant</c>, <c>fncall</c>, <c>react</c>, ...).</param>
    /// <param name="description">One line for the agent picker.</param>
    /// <param name="create">Makes the agent for one run; any Microsoft Agent Framework <see cref="AIAgent"/> works.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or not 1 to 64 letters, digits, '_' or '-'.</exception>
    public ServedAgent(string name, string description, Func<ServedAgentContext, AIAgent> create)
    {
        Names.Check(name, nameof(name));
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(create);
        Name = name;
        Description = description;
        Create = create;
    }

    /// <summary>Gets the name clients choose it by.</summary>
    public string Name { get; }

    /// <summary>Gets the one-line description.</summary>
    public string Description { get; }

    /// <summary>Gets the factory that makes the agent for one run.</summary>
    public Func<ServedAgentContext, AIAgent> Create { get; }
}
