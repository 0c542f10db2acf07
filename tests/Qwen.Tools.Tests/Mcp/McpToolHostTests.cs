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
            ["test-add", "test-annotated", "test-authorization", "test-crash", "test-echo", "test-env", "test-fail", "test-forecast", "test-forget-session", "test-getenv", "test-image", "test-link", "test-pid", "test-slow"],
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

    [Fact]
    public async Task InvokeAsync_AnnotatedTextAndImage_AreKeptWithTheirAnnotations()
    {
        await using var host = await TestMcpServer.StartAsync();

        var contents = await Invoke(host, "test-annotated", []);

        Assert.True(Text(contents) == "for the user", Text(contents));
        Assert.Equal(["user"], Assert.IsType<string[]>(contents[0].AdditionalProperties!["audience"]));
        Assert.Equal(0.9f, Assert.IsType<float>(contents[0].AdditionalProperties!["priority"]));
        var image = Assert.IsType<DataContent>(contents[1]);
        Assert.Equal("image/png", image.MediaType);
        Assert.Equal((1, 1), (PngImage.Decode(image.Data.Span).Width, PngImage.Decode(image.Data.Span).Height));
        Assert.Equal(["assistant"], Assert.IsType<string[]>(image.AdditionalProperties!["audience"]));
    }

    [Fact]
    public async Task InvokeAsync_ResourceLink_BecomesTextTheModelCanRead()
    {
        await using var host = await TestMcpServer.StartAsync();

        var contents = await Invoke(host, "test-link", []);

        Assert.Equal("Resource link: q3.pdf <file:///srv/reports/q3.pdf> (application/pdf): The third-quarter report", Text(contents));
    }

    [Fact]
    public async Task InvokeAsync_SlowToolReportingProgress_ForwardsItToTheCaller()
    {
        var reports = new System.Collections.Concurrent.ConcurrentQueue<McpToolProgress>();
        var options = new McpToolHostOptions { Progress = new SynchronousProgress(reports.Enqueue) };
        await using var host = await McpToolHost.StartAsync(McpServersConfiguration.Parse(TestMcpServer.Json()), options);

        var contents = await Invoke(host, "test-slow", []);
        var deadline = Stopwatch.StartNew();
        while (reports.Count < 3 && deadline.Elapsed < TimeSpan.FromSeconds(30)) // generous: CI runs test projects side by side on 2 cores
        {
            await Task.Delay(20);
        }

        Assert.Equal("done", Text(contents));
        Assert.Equal([1.0, 2.0, 3.0], reports.Select(r => r.Progress).Order());
        Assert.All(reports, r => Assert.Equal(("test-slow", (double?)3), (r.Tool, r.Total)));
        Assert.Contains(reports, r => r.Message == "step 2");
    }

    [Fact]
    public async Task Tools_OutputSchemaAndAnnotations_AreOnTheFunction()
    {
        await using var host = await TestMcpServer.StartAsync();

        var forecast = host.Tools.Single(t => t.Name == "test-forecast");

        Assert.NotNull(forecast.ReturnJsonSchema);
        Assert.True(forecast.ReturnJsonSchema!.Value.GetProperty("properties").TryGetProperty("celsius", out _));
        Assert.Equal("Weather forecast", forecast.AdditionalProperties["title"]);
        Assert.Equal(true, forecast.AdditionalProperties["readOnlyHint"]);
        Assert.Equal(false, forecast.AdditionalProperties["destructiveHint"]);
        Assert.Equal(true, forecast.AdditionalProperties["idempotentHint"]);
        Assert.Equal(false, forecast.AdditionalProperties["openWorldHint"]);
        Assert.Equal("forecast", forecast.AdditionalProperties["mcpToolName"]);
    }

    [Fact]
    public async Task StartAsync_SecretInTheHostEnvironment_DoesNotReachTheServerUnlessInheritanceIsOn()
    {
        Environment.SetEnvironmentVariable("QWEN_TEST_SECRET_KEY", "sk-do-not-leak");
        try
        {
            await using (var host = await TestMcpServer.StartAsync())
            {
                Assert.Equal("(unset)", Text(await Invoke(host, "test-getenv", new AIFunctionArguments { ["name"] = "QWEN_TEST_SECRET_KEY" })));
                Assert.NotEqual("(unset)", Text(await Invoke(host, "test-getenv", new AIFunctionArguments { ["name"] = "PATH" })));
            }

            var inherit = new McpToolHostOptions { InheritEnvironment = true };
            await using var inheriting = await McpToolHost.StartAsync(McpServersConfiguration.Parse(TestMcpServer.Json()), inherit);
            Assert.Equal("sk-do-not-leak", Text(await Invoke(inheriting, "test-getenv", new AIFunctionArguments { ["name"] = "QWEN_TEST_SECRET_KEY" })));
        }
        finally
        {
            Environment.SetEnvironmentVariable("QWEN_TEST_SECRET_KEY", null);
        }
    }

    [Theory]
    [InlineData(404)]
    [InlineData(400)]
    public async Task InvokeAsync_HttpServerThatLostTheSession_StartsANewSessionAndRetriesOnce(int lostSessionStatus)
    {
        var (server, url) = await TestMcpServer.StartHttpAsync(lostSessionStatus);
        try
        {
            var configuration = McpServersConfiguration.Parse($$$"""{ "mcpServers": { "web": { "url": "{{{url}}}", "type": "streamable-http" } } }""");
            await using var host = await McpToolHost.StartAsync(configuration);
            Assert.Equal("forgotten", Text(await Invoke(host, "web-forget-session", [])));

            var first = Text(await Invoke(host, "web-echo", new AIFunctionArguments { ["text"] = "after restart" }));
            var second = Text(await Invoke(host, "web-echo", new AIFunctionArguments { ["text"] = "and again" }));

            Assert.Equal("echo: after restart", first);
            Assert.Equal("echo: and again", second);
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
            server.Dispose();
        }
    }

    [Fact]
    public async Task InvokeAsync_AfterDispose_SaysTheHostIsDisposedWithoutPromisingAReconnect()
    {
        var host = await TestMcpServer.StartAsync();
        var echo = host.Tools.Single(t => t.Name == "test-echo");
        await host.DisposeAsync();

        var text = Text(Assert.IsType<List<AIContent>>(await echo.InvokeAsync(new AIFunctionArguments { ["text"] = "late" })));

        Assert.Contains("disposed", text, StringComparison.Ordinal);
        Assert.DoesNotContain("reconnected", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToolName_LongerThan64Characters_IsShortenedWithAStableHash()
    {
        var server = new string('s', 40);
        var first = McpToolHost.ToolName(server, new string('t', 40) + "_alpha");
        var second = McpToolHost.ToolName(server, new string('t', 40) + "_beta");

        Assert.Equal(McpToolHost.MaxToolNameLength, first.Length);
        Assert.Equal(first, McpToolHost.ToolName(server, new string('t', 40) + "_alpha"));
        Assert.NotEqual(first, second);
        Assert.Matches("_[0-9a-f]{8}$", first);
    }

    [Theory]
    [InlineData("time", "get_current_time", "time-get_current_time")]
    [InlineData("my server", "do.it!", "my_server-do_it_")]
    public void ToolName_JoinsServerAndToolAndReplacesOddCharacters(string server, string tool, string expected)
    {
        Assert.Equal(expected, McpToolHost.ToolName(server, tool));
    }

    /// <summary>Reports on the calling thread (unlike <see cref="Progress{T}"/>, which posts to a synchronization context).</summary>
    private sealed class SynchronousProgress(Action<McpToolProgress> report) : IProgress<McpToolProgress>
    {
        public void Report(McpToolProgress value) => report(value);
    }

    private static async Task<List<AIContent>> Invoke(McpToolHost host, string name, AIFunctionArguments arguments) =>
        Assert.IsType<List<AIContent>>(await host.Tools.Single(t => t.Name == name).InvokeAsync(arguments));

    private static string Text(List<AIContent> contents) => Assert.IsType<TextContent>(contents[0]).Text;
}
