using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

// A 1x1 red PNG: what the image tool returns.
const string RedPixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

var tools = new McpServerPrimitiveCollection<McpServerTool>
{
    McpServerTool.Create((string text) => $"echo: {text}", new() { Name = "echo", Description = "Returns the text it is given." }),
    McpServerTool.Create((double a, double b) => a + b, new() { Name = "add", Description = "Adds two numbers." }),
    McpServerTool.Create(
        () => new CallToolResult { Content = [new TextContentBlock { Text = "a red pixel" }, ImageContentBlock.FromBytes(Convert.FromBase64String(RedPixel), "image/png")] },
        new() { Name = "image", Description = "Returns a tiny image." }),
    McpServerTool.Create(
        () => new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = "the widget is broken" }] },
        new() { Name = "fail", Description = "Always reports an error." }),
    McpServerTool.Create(() => Environment.ProcessId, new() { Name = "pid", Description = "The server's process id." }),
    McpServerTool.Create(() => Environment.GetEnvironmentVariable("QWEN_TEST_VALUE") ?? "(unset)", new() { Name = "env", Description = "The value of QWEN_TEST_VALUE." }),
    McpServerTool.Create(
        string () =>
        {
            // Leaves mid-call, as a crashing server would.
            Environment.Exit(3);
            return "unreachable";
        },
        new() { Name = "crash", Description = "Ends the server process." }),
};

var options = new McpServerOptions
{
    ServerInfo = new Implementation { Name = "qwen-test-server", Version = "1.0.0" },
    ToolCollection = tools,
};
await using var server = McpServer.Create(new StdioServerTransport("qwen-test-server"), options);
await server.RunAsync();
