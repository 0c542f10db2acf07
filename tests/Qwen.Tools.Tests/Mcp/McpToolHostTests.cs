using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Qwen.Tools.Tests;

public sealed class McpToolHostTests
{
    [Fact]
    public async Task StartAsync_StdioServer_OffersEveryToolAsServerDashToolWithItsSchema()
    {
        await using var host = await TestMcpServer.StartAsync();

        Assert.Equal(
            ["test-add", "test-authorization", "test-crash", "test-echo", "test-env", "test-fail", "test-image", "test-pid"],
            host.Tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        var add = host.Tools.Single(t => t.Name == "test-add");
        Assert.Equal("Adds two numbers.", add.Description);
        Assert.Equal("number", add.JsonSchema.GetProperty("properties").GetProperty("a").GetProperty("type").GetString());
        Assert.Equal(["a", "b"], add.JsonSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task InvokeAsync_RoundTrip_ReturnsTheServersText()
    {
        await using var host = await TestMcpServer.StartAsync();
        using var arguments = JsonDocument.Parse("""{"a": 2, "b": 3.5}""");

        var echo = await Invoke(host, "test-echo", new AIFunctionArguments { ["text"] = "hello" });
        var sum = await Invoke(host, "test-add", new AIFunctionArguments(arguments.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value)));

        Assert.Equal("echo: hello", Text(echo));
        Assert.Equal("5.5", Text(sum));
    }

    [Fact]
    public async Task InvokeAsync_ImageContent_IsKeptAsImage()
    {
        await using var host = await TestMcpServer.StartAsync();

        var contents = await Invoke(host, "test-image", []);

        Assert.Equal("a red pixel", Text(contents));
        var image = Assert.IsType<DataContent>(contents[1]);
        Assert.Equal("image/png", image.MediaType);
        var png = PngImage.Decode(image.Data.Span);
        Assert.Equal((1, 1), (png.Width, png.Height));
    }

    [Fact]
    public async Task InvokeAsync_ErrorResult_BecomesErrorText()
    {
        await using var host = await TestMcpServer.StartAsync();

        var contents = await Invoke(host, "test-fail", []);

        Assert.Equal("Error: tool 'test-fail' failed: the widget is broken", Text(contents));
    }

    [Fact]
    public async Task InvokeAsync_ArgumentsTheServerRejects_BecomeErrorText()
    {
        await using var host = await TestMcpServer.StartAsync();

        var contents = await Invoke(host, "test-add", new AIFunctionArguments { ["a"] = "not a number" });

        Assert.StartsWith("Error: ", Text(contents), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_ServerThatDiesMidCall_ReportsItAndIsRestartedOnTheNextCall()
    {
        await using var host = await TestMcpServer.StartAsync();
        var firstPid = Text(await Invoke(host, "test-pid", []));

        var crash = await Invoke(host, "test-crash", []);
        var echo = await Invoke(host, "test-echo", new AIFunctionArguments { ["text"] = "back" });
        var secondPid = Text(await Invoke(host, "test-pid", []));

        Assert.StartsWith("Error: MCP server 'test' could not complete 'crash'", Text(crash), StringComparison.Ordinal);
        Assert.Contains("reconnected on the next call", Text(crash), StringComparison.Ordinal);
        Assert.Equal("echo: back", Text(echo));
        Assert.NotEqual(firstPid, secondPid);
    }

    [Fact]
    public async Task InvokeAsync_ServerKilledBetweenCalls_IsRestartedTransparently()
    {
        await using var host = await TestMcpServer.StartAsync();
        var pid = int.Parse(Text(await Invoke(host, "test-pid", [])), System.Globalization.CultureInfo.InvariantCulture);
        using (var server = Process.GetProcessById(pid))
        {
            server.Kill();
            await server.WaitForExitAsync();
        }

        // The client notices the closed pipe asynchronously; the call after it is noticed must work.
        var deadline = Stopwatch.StartNew();
        string text;
        do
        {
            text = Text(await Invoke(host, "test-echo", new AIFunctionArguments { ["text"] = "again" }));
        }
        while (text != "echo: again" && deadline.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Equal("echo: again", text);
    }

    [Fact]
    public async Task StreamableHttpServer_RoundTrip_SendsTheHeadersAndKeepsImages()
    {
        var (server, url) = await TestMcpServer.StartHttpAsync();
        try
        {
            var configuration = McpServersConfiguration.Parse($$$"""
                { "mcpServers": { "web": { "url": "{{{url}}}", "type": "streamable-http", "headers": { "Authorization": "Bearer secret" } } } }
                """);
            await using var host = await McpToolHost.StartAsync(configuration);

            Assert.Contains("web-echo", host.Tools.Select(t => t.Name));
            Assert.Equal("echo: over http", Text(await Invoke(host, "web-echo", new AIFunctionArguments { ["text"] = "over http" })));
            Assert.Equal("Bearer secret", Text(await Invoke(host, "web-authorization", [])));
            Assert.IsType<DataContent>((await Invoke(host, "web-image", []))[1]);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
            server.Dispose();
        }
    }

    [Fact]
    public async Task StartAsync_EnvironmentFromTheConfiguration_ReachesTheServer()
    {
        await using var host = await TestMcpServer.StartAsync(environment: new Dictionary<string, string> { ["QWEN_TEST_VALUE"] = "forty-two" });

        Assert.Equal("forty-two", Text(await Invoke(host, "test-env", [])));
    }

    [Fact]
    public async Task DisposeAsync_StopsTheServerProcess()
    {
        var host = await TestMcpServer.StartAsync();
        var pid = int.Parse(Text(await Invoke(host, "test-pid", [])), System.Globalization.CultureInfo.InvariantCulture);
        using var server = Process.GetProcessById(pid);

        await host.DisposeAsync();

        await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(server.HasExited);
    }

    [Fact]
    public async Task StartAsync_CommandThatDoesNotExist_ThrowsNamingTheServer()
    {
        var configuration = McpServersConfiguration.Parse("""{"mcpServers": {"ghost": {"command": "/nonexistent/mcp-server"}}}""");

        var error = await Assert.ThrowsAsync<McpServerException>(() => McpToolHost.StartAsync(configuration));

        Assert.Equal("ghost", error.ServerName);
        Assert.StartsWith("MCP server 'ghost': could not be started", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_RemoteServerThatIsNotThere_ThrowsNamingTheServer()
    {
        var configuration = McpServersConfiguration.Parse("""{"mcpServers": {"remote": {"url": "http://127.0.0.1:9/mcp", "type": "streamable-http"}}}""");

        var error = await Assert.ThrowsAsync<McpServerException>(() => McpToolHost.StartAsync(configuration, new McpToolHostOptions { ConnectTimeout = TimeSpan.FromSeconds(10) }));

        Assert.Equal("remote", error.ServerName);
    }

    [Theory]
    [InlineData("time", "get_current_time", "time-get_current_time")]
    [InlineData("my server", "do.it!", "my_server-do_it_")]
    public void ToolName_JoinsServerAndToolAndReplacesOddCharacters(string server, string tool, string expected)
    {
        Assert.Equal(expected, McpToolHost.ToolName(server, tool));
    }

    private static async Task<List<AIContent>> Invoke(McpToolHost host, string name, AIFunctionArguments arguments) =>
        Assert.IsType<List<AIContent>>(await host.Tools.Single(t => t.Name == name).InvokeAsync(arguments));

    private static string Text(List<AIContent> contents) => Assert.IsType<TextContent>(contents[0]).Text;
}
