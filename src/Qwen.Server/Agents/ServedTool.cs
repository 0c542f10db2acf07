using Microsoft.Extensions.AI;

namespace Qwen.Server;

/// <summary>A tool users may switch on for an agent run, made for the run's session (so file tools are confined to its directory).</summary>
public sealed class ServedTool
{
    /// <summary>Initializes a new instance of the <see cref="ServedTool"/> class.</summary>
    /// <param name="name">The name clients choose it by (usually the tool's own name, e.g. <c>code_interpreter</c>).</param>
    /// <param name="description">One line for the tool picker.</param>
    /// <param name="create">Makes the tool (or tools: an MCP server gives several) for one run.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or not 1 to 64 letters, digits, '_' or '-'.</exception>
    public ServedTool(string name, string description, Func<ServedAgentContext, IEnumerable<AITool>> create)
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

    /// <summary>Gets the factory that makes the tool for one run.</summary>
    public Func<ServedAgentContext, IEnumerable<AITool>> Create { get; }
}
