using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Qwen.Tools;

/// <summary>
/// Starts the configured MCP servers and offers every tool they have as an <see cref="AIFunction"/> named
/// <c>{server}-{tool}</c> (characters other than ASCII letters, digits, <c>_</c> and <c>-</c> become <c>_</c>), with the
/// server's input and output schemas and its annotations. Disposing it stops the servers.
/// </summary>
/// <remarks>
/// A tool returns the server's contents (text, images) as <see cref="AIContent"/> items; a server error, an error
/// result or a dropped connection comes back as error text rather than an exception, and a dropped server is
/// reconnected (restarted, for a local one) on the next call; a remote server that lost the HTTP session gets a new one and the
/// call is retried once. Names are at most <see cref="MaxToolNameLength"/> characters (the OpenAI limit): a longer name keeps
/// its first characters and ends in <c>_</c> and eight hex digits of a SHA-256 of the full name, so it is stable across runs;
/// a name that would repeat another gets <c>_2</c>, <c>_3</c>, ... (within the same limit).
/// </remarks>
public sealed class McpToolHost : IAsyncDisposable
{
    /// <summary>The longest tool name offered (the OpenAI function-name limit).</summary>
    public const int MaxToolNameLength = 64;

    private readonly List<McpServerConnection> _connections;

    private McpToolHost(List<McpServerConnection> connections, List<AIFunction> tools)
    {
        _connections = connections;
        Tools = tools;
    }

    /// <summary>The servers' tools, in configuration order, then in each server's order.</summary>
    public IReadOnlyList<AIFunction> Tools { get; }

    /// <summary>Starts and connects every server, and lists its tools.</summary>
    /// <param name="configuration">The servers.</param>
    /// <param name="options">Timeouts and client name; <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">Where the MCP client logs, and where local servers' standard error goes.</param>
    /// <param name="cancellationToken">Stops starting.</param>
    /// <returns>The running host.</returns>
    /// <exception cref="McpServerException">A server could not be started, connected to or listed; the others are stopped again.</exception>
    public static async Task<McpToolHost> StartAsync(McpServersConfiguration configuration, McpToolHostOptions? options = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        options ??= new McpToolHostOptions();
        options.Validate();
        var connections = configuration.Servers.Select(s => new McpServerConnection(s.Key, s.Value, options, loggerFactory)).ToList();
        var listing = connections.Select(c => ListAsync(c, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(listing).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw listing.Select(t => t.Exception?.InnerException).OfType<McpServerException>().First();
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var tools = new List<AIFunction>();
        for (var i = 0; i < connections.Count; i++)
        {
            foreach (var tool in listing[i].Result)
            {
                var name = ToolName(connections[i].Name, tool.ProtocolTool.Name);
                for (var n = 2; !names.Add(name); n++)
                {
                    name = Fit(ToolName(connections[i].Name, tool.ProtocolTool.Name), $"_{n}");
                }

                tools.Add(new McpRemoteTool(connections[i], tool.ProtocolTool, name));
            }
        }

        return new McpToolHost(connections, tools);
    }

    /// <summary>Stops every server.</summary>
    /// <returns>A task that completes once they have stopped.</returns>
    public async ValueTask DisposeAsync() => await Task.WhenAll(_connections.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);

    /// <summary><c>{server}-{tool}</c> with every character a function name may not have replaced by <c>_</c>, shortened with a
    /// stable hash suffix to <see cref="MaxToolNameLength"/> characters.</summary>
    internal static string ToolName(string server, string tool)
    {
        var full = server + "-" + tool;
        var name = new StringBuilder(full.Length);
        foreach (var c in full)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        if (name.Length <= MaxToolNameLength)
        {
            return name.ToString();
        }

        // The hash is of the unescaped name, so two long names that escape alike still differ.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..8];
        return Fit(name.ToString(), "_" + hash);
    }

    /// <summary>The name with the suffix, cut so that both fit in <see cref="MaxToolNameLength"/>.</summary>
    private static string Fit(string name, string suffix) =>
        name.Length + suffix.Length <= MaxToolNameLength ? name + suffix : name[..(MaxToolNameLength - suffix.Length)] + suffix;

    private static async Task<IList<ModelContextProtocol.Client.McpClientTool>> ListAsync(McpServerConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.ListToolsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new McpServerException(connection.Name, $"could not be started or listed its tools: {e.Message}", e);
        }
    }
}
