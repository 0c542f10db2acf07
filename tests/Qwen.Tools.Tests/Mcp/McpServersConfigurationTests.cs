namespace Qwen.Tools.Tests;

public sealed class McpServersConfigurationTests
{
    [Fact]
    public void Parse_QwenAgentStyleConfiguration_ReadsLocalAndRemoteServers()
    {
        var configuration = McpServersConfiguration.Parse("""
            {
              "mcpServers": {
                "time": { "command": "uvx", "args": ["mcp-server-time", "--local-timezone=Asia/Shanghai"] },
                "sqlite": { "command": "uvx", "args": ["mcp-server-sqlite"], "env": { "DB": "test.db", "LIMIT": 10 }, "cwd": "/data", "autoApprove": [] },
                "remote": { "url": "https://example.com/mcp", "headers": { "Authorization": "Bearer x" }, "type": "sse" },
                "off": { "command": "nothing", "disabled": true },
              }
            }
            """);

        Assert.Equal(["remote", "sqlite", "time"], configuration.Servers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["mcp-server-time", "--local-timezone=Asia/Shanghai"], configuration.Servers["time"].Arguments);
        var sqlite = configuration.Servers["sqlite"];
        Assert.Equal(("test.db", "10", "/data"), (sqlite.Environment["DB"], sqlite.Environment["LIMIT"], sqlite.WorkingDirectory));
        var remote = configuration.Servers["remote"];
        Assert.Equal(new Uri("https://example.com/mcp"), remote.Url);
        Assert.Equal("Bearer x", remote.Headers["Authorization"]);
        Assert.Equal(McpRemoteTransport.Sse, remote.Transport);
        Assert.Null(remote.Command);
    }

    [Theory]
    [InlineData("{", "the JSON does not parse")]
    [InlineData("""{"servers": {}}""", "expected an object with an \"mcpServers\" object")]
    [InlineData("""{"mcpServers": {"a": "uvx"}}""", "server 'a' must be an object")]
    [InlineData("""{"mcpServers": {"a": {}}}""", "server 'a' needs exactly one of \"command\"")]
    [InlineData("""{"mcpServers": {"a": {"command": "x", "url": "http://h/"}}}""", "server 'a' needs exactly one of \"command\"")]
    [InlineData("""{"mcpServers": {"a": {"url": "ftp://h/"}}}""", "server 'a' field \"url\" must be an absolute http or https URL; got 'ftp://h/'")]
    [InlineData("""{"mcpServers": {"a": {"command": "x", "args": ["ok", 1]}}}""", "server 'a' field \"args\" must be an array of strings")]
    [InlineData("""{"mcpServers": {"a": {"command": "x", "env": {"K": {}}}}}""", "server 'a' field \"env\" entry 'K' must be a string")]
    [InlineData("""{"mcpServers": {"a": {"url": "http://h/", "type": "websocket"}}}""", "server 'a' field \"type\" must be")]
    [InlineData("""{"mcpServers": {"a": {"command": 5}}}""", "server 'a' field \"command\" must be a non-empty string")]
    public void Parse_InvalidConfiguration_ThrowsNamingTheProblem(string json, string expected)
    {
        var error = Assert.Throws<McpConfigurationException>(() => McpServersConfiguration.Parse(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        var error = Assert.Throws<FileNotFoundException>(() => McpServersConfiguration.Load("/nonexistent/mcp.json"));

        Assert.Contains("/nonexistent/mcp.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InvalidFile_NamesTheFile()
    {
        var path = Path.Combine(TestInterpreters.TemporaryFolder("qwen-mcp-"), "mcp.json");
        File.WriteAllText(path, "{}");

        var error = Assert.Throws<McpConfigurationException>(() => McpServersConfiguration.Load(path));

        Assert.StartsWith(path + ": MCP configuration:", error.Message, StringComparison.Ordinal);
    }
}
