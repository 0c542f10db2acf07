using System.Text.Json;

namespace Qwen.Tools;

/// <summary>
/// The MCP servers to use, read from the <c>mcpServers</c> configuration Qwen-Agent, Claude Desktop and other MCP hosts
/// share: <c>{"mcpServers": {"name": {"command", "args", "env", "cwd"} | {"url", "headers", "type"}}}</c>.
/// </summary>
/// <remarks>Fields other hosts add (<c>autoApprove</c>, <c>timeout</c>, ...) are ignored; a server with <c>"disabled": true</c> is left out.</remarks>
public sealed class McpServersConfiguration
{
    /// <summary>Creates a configuration from servers by name.</summary>
    /// <param name="servers">The servers, by the name that prefixes their tools' names.</param>
    /// <exception cref="McpConfigurationException">A name is empty, or a server has neither or both of a command and a URL.</exception>
    public McpServersConfiguration(IReadOnlyDictionary<string, McpServerConfiguration> servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        foreach (var (name, server) in servers)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new McpConfigurationException("MCP configuration: a server has an empty name; names prefix the tools' names and must not be empty.");
            }

            if ((server.Command is null) == (server.Url is null))
            {
                throw new McpConfigurationException($"MCP configuration: server '{name}' needs exactly one of \"command\" (a local server) or \"url\" (a remote one).");
            }
        }

        Servers = servers;
    }

    /// <summary>The servers, by name.</summary>
    public IReadOnlyDictionary<string, McpServerConfiguration> Servers { get; }

    /// <summary>Reads a configuration from JSON text.</summary>
    /// <param name="json">An object with an <c>mcpServers</c> member.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="McpConfigurationException">The JSON does not parse or does not have the expected shape; the message names the server and field.</exception>
    public static McpServersConfiguration Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new McpConfigurationException($"MCP configuration: the JSON does not parse ({e.Message}).", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("mcpServers", out var servers) || servers.ValueKind != JsonValueKind.Object)
            {
                throw new McpConfigurationException("MCP configuration: expected an object with an \"mcpServers\" object, such as {\"mcpServers\": {\"time\": {\"command\": \"uvx\", \"args\": [\"mcp-server-time\"]}}}.");
            }

            var result = new Dictionary<string, McpServerConfiguration>(StringComparer.Ordinal);
            foreach (var server in servers.EnumerateObject())
            {
                if (server.Value.ValueKind != JsonValueKind.Object)
                {
                    throw new McpConfigurationException($"MCP configuration: server '{server.Name}' must be an object with \"command\" or \"url\".");
                }

                if (server.Value.TryGetProperty("disabled", out var disabled) && disabled.ValueKind == JsonValueKind.True)
                {
                    continue;
                }

                result[server.Name] = ParseServer(server.Name, server.Value);
            }

            return new McpServersConfiguration(result);
        }
    }

    /// <summary>Reads a configuration from a JSON file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="McpConfigurationException">Its content is not a valid configuration; the message names the file.</exception>
    public static McpServersConfiguration Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"MCP configuration file '{path}' does not exist.", path);
        }

        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (McpConfigurationException e)
        {
            throw new McpConfigurationException($"{path}: {e.Message}", e);
        }
    }

    private static McpServerConfiguration ParseServer(string name, JsonElement server)
    {
        var command = OptionalString(name, server, "command");
        var url = OptionalString(name, server, "url");
        Uri? endpoint = null;
        if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            throw new McpConfigurationException($"MCP configuration: server '{name}' field \"url\" must be an absolute http or https URL; got '{url}'.");
        }

        var type = OptionalString(name, server, "type") ?? OptionalString(name, server, "transport");
        var transport = type switch
        {
            null or "stdio" => McpRemoteTransport.Auto,
            "sse" => McpRemoteTransport.Sse,
            "streamable-http" or "streamableHttp" or "streamable_http" or "http" => McpRemoteTransport.StreamableHttp,
            _ => throw new McpConfigurationException($"MCP configuration: server '{name}' field \"type\" must be \"stdio\", \"sse\" or \"streamable-http\"; got '{type}'."),
        };

        return new McpServerConfiguration
        {
            Command = command,
            Arguments = StringArray(name, server, "args"),
            Environment = StringMap(name, server, "env"),
            WorkingDirectory = OptionalString(name, server, "cwd"),
            Url = endpoint,
            Headers = StringMap(name, server, "headers"),
            Transport = transport,
        };
    }

    private static string? OptionalString(string server, JsonElement element, string field)
    {
        if (!element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new McpConfigurationException($"MCP configuration: server '{server}' field \"{field}\" must be a non-empty string; got {value.ValueKind}.");
    }

    private static string[] StringArray(string server, JsonElement element, string field)
    {
        if (!element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String))
        {
            throw new McpConfigurationException($"MCP configuration: server '{server}' field \"{field}\" must be an array of strings.");
        }

        return [.. value.EnumerateArray().Select(item => item.GetString()!)];
    }

    private static Dictionary<string, string> StringMap(string server, JsonElement element, string field)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return map;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new McpConfigurationException($"MCP configuration: server '{server}' field \"{field}\" must be an object of strings.");
        }

        foreach (var entry in value.EnumerateObject())
        {
            map[entry.Name] = entry.Value.ValueKind switch
            {
                JsonValueKind.String => entry.Value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => entry.Value.GetRawText(),
                _ => throw new McpConfigurationException($"MCP configuration: server '{server}' field \"{field}\" entry '{entry.Name}' must be a string."),
            };
        }

        return map;
    }
}
