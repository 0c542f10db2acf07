using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;

namespace Qwen.Tools;

/// <summary>One tool of an MCP server, as a model sees it: named <c>{server}-{tool}</c>, with the server's description and input schema.</summary>
internal sealed class McpRemoteTool(McpServerConnection connection, Tool tool, string name) : AIFunction
{
    public override string Name => name;

    public override string Description => tool.Description ?? tool.Title ?? string.Empty;

    public override JsonElement JsonSchema => tool.InputSchema;

    /// <summary>The tool's own name on its server.</summary>
    public string ServerToolName => tool.Name;

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        await McpToolInvocation.InvokeAsync(connection, tool.Name, name, arguments, cancellationToken).ConfigureAwait(false);
}
