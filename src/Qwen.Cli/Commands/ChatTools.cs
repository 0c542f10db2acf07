using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Qwen.Tools;

namespace Qwen.Cli;

/// <summary>The tools of one <c>qwen chat</c>: built-in tools by name (built as <c>qwen tool</c> builds them) and the tools of
/// an mcpServers file; disposing stops the code interpreter's worker and the MCP servers.</summary>
internal sealed class ChatTools : IAsyncDisposable
{
    private readonly ServiceProvider? _services;
    private readonly McpToolHost? _mcp;

    private ChatTools(ServiceProvider? services, McpToolHost? mcp, IReadOnlyList<AITool> tools)
    {
        _services = services;
        _mcp = mcp;
        Tools = tools;
    }

    /// <summary>Gets the tools, built-in ones first in the order named, then the MCP servers'.</summary>
    public IReadOnlyList<AITool> Tools { get; }

    /// <summary>Builds the tools named in <paramref name="names"/> (comma-separated) and starts the servers of <paramref name="mcpFile"/>.</summary>
    /// <exception cref="ArgumentException">A name is not a built-in tool, or is named twice.</exception>
    public static async Task<ChatTools> CreateAsync(string? names, string? mcpFile, string workDirectory, CancellationToken cancellationToken)
    {
        var wanted = (names ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        ServiceProvider? services = null;
        var tools = new List<AITool>();
        if (wanted.Length > 0)
        {
            var duplicate = wanted.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw new ArgumentException($"--tools names '{duplicate.Key}' twice.");
            }

            var collection = new ServiceCollection().AddQwenTools(options => options.WorkDirectory = workDirectory);
            if (wanted.Contains(CodeInterpreterTool.ToolName, StringComparer.Ordinal))
            {
                // Files the code writes (charts included) land in the work directory; the worker starts on the first call.
                collection.AddQwenCodeInterpreter(options =>
                {
                    options.WorkDirectory = workDirectory;
                    options.IsolateSessionDirectories = false;
                    options.PrewarmWorker = false;
                });
            }

            services = collection.BuildServiceProvider();
            var registry = services.GetRequiredService<ToolRegistry>();
            foreach (var name in wanted)
            {
                if (!registry.TryGet(name, out var tool))
                {
                    await services.DisposeAsync().ConfigureAwait(false);
                    throw new ArgumentException($"--tools: '{name}' is not a built-in tool; choose from {string.Join(", ", [.. registry.Tools.Select(t => t.Name).Where(n => n != CodeInterpreterTool.ToolName), CodeInterpreterTool.ToolName])}.");
                }

                tools.Add(tool);
            }
        }

        McpToolHost? mcp = null;
        if (mcpFile is not null)
        {
            try
            {
                mcp = await McpToolHost.StartAsync(McpServersConfiguration.Load(mcpFile), cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                if (services is not null)
                {
                    await services.DisposeAsync().ConfigureAwait(false);
                }

                throw;
            }

            tools.AddRange(mcp.Tools);
        }

        return new ChatTools(services, mcp, tools);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_mcp is not null)
        {
            await _mcp.DisposeAsync().ConfigureAwait(false);
        }

        if (_services is not null)
        {
            await _services.DisposeAsync().ConfigureAwait(false);
        }
    }
}
