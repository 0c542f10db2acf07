using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;

namespace Qwen.Tools;

/// <summary>
/// One tool of an MCP server, as a model sees it: named <c>{server}-{tool}</c>, with the server's description, input and output
/// schemas, and its annotations (title and the read-only, destructive, idempotent and open-world hints) in
/// <see cref="AITool.AdditionalProperties"/> for agents and approval policies.
/// </summary>
internal sealed class McpRemoteTool(McpServerConnection connection, Tool tool, string name) : AIFunction
{
    private readonly IReadOnlyDictionary<string, object?> _properties = Properties(tool);

    public override string Name => name;

    public override string Description => tool.Description ?? tool.Title ?? string.Empty;

    public override JsonElement JsonSchema => tool.InputSchema;

    public override JsonElement? ReturnJsonSchema => tool.OutputSchema;

    public override IReadOnlyDictionary<string, object?> AdditionalProperties => _properties;

    /// <summary>The tool's own name on its server.</summary>
    public string ServerToolName => tool.Name;

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        await McpToolInvocation.InvokeAsync(connection, tool.Name, name, arguments, cancellationToken).ConfigureAwait(false);

    private static Dictionary<string, object?> Properties(Tool tool)
    {
        var properties = new Dictionary<string, object?>(StringComparer.Ordinal) { ["mcpToolName"] = tool.Name };
        var title = tool.Annotations?.Title ?? tool.Title;
        if (title is not null)
        {
            properties["title"] = title;
        }

        if (tool.Annotations is { } annotations)
        {
            AddHint(properties, "readOnlyHint", annotations.ReadOnlyHint);
            AddHint(properties, "destructiveHint", annotations.DestructiveHint);
            AddHint(properties, "idempotentHint", annotations.IdempotentHint);
            AddHint(properties, "openWorldHint", annotations.OpenWorldHint);
        }

        return properties;
    }

    private static void AddHint(Dictionary<string, object?> properties, string key, bool? value)
    {
        if (value is { } hint)
        {
            properties[key] = hint;
        }
    }
}
