using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

// A 1x1 PNG: what the image tool returns.
const string Pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

// The Authorization header of the last HTTP request, for the "authorization" tool.
string? authorization = null;

var tools = new McpServerPrimitiveCollection<McpServerTool>
{
    McpServerTool.Create((string text) => $"echo: {text}", new() { Name = "echo", Description = "Returns the text it is given." }),
    McpServerTool.Create((double a, double b) => a + b, new() { Name = "add", Description = "Adds two numbers." }),
    McpServerTool.Create(
        () => new CallToolResult { Content = [new TextContentBlock { Text = "a red pixel" }, ImageContentBlock.FromBytes(Convert.FromBase64String(Pixel), "image/png")] },
        new() { Name = "image", Description = "Returns a tiny image." }),
    McpServerTool.Create(
        () => new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = "the widget is broken" }] },
        new() { Name = "fail", Description = "Always reports an error." }),
    McpServerTool.Create(() => Environment.ProcessId, new() { Name = "pid", Description = "The server's process id." }),
    McpServerTool.Create(() => Environment.GetEnvironmentVariable("QWEN_TEST_VALUE") ?? "(unset)", new() { Name = "env", Description = "The value of QWEN_TEST_VALUE." }),
    McpServerTool.Create(() => authorization ?? "(none)", new() { Name = "authorization", Description = "The Authorization header of the last HTTP request." }),
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

if (args is not ["--http"])
{
    await using var server = McpServer.Create(new StdioServerTransport("qwen-test-server"), options);
    await server.RunAsync();
    return;
}

// Streamable HTTP on a free local port, announced on stdout; one session, served by HttpListener.
var probe = new TcpListener(IPAddress.Loopback, 0);
probe.Start();
var port = ((IPEndPoint)probe.LocalEndpoint).Port;
probe.Stop();
using var listener = new HttpListener();
listener.Prefixes.Add($"http://127.0.0.1:{port}/mcp/");
listener.Start();
var transport = new StreamableHttpServerTransport(null) { SessionId = Guid.NewGuid().ToString("N") };
await using var httpServer = McpServer.Create(transport, options);
_ = httpServer.RunAsync();
Console.WriteLine($"listening on http://127.0.0.1:{port}/mcp/");

while (true)
{
    var context = await listener.GetContextAsync();
    authorization = context.Request.Headers["Authorization"];
    var response = context.Response;
    if (context.Request.HttpMethod != "POST")
    {
        response.StatusCode = context.Request.HttpMethod == "DELETE" ? 200 : 405;
        response.Close();
        continue;
    }

    var message = await JsonSerializer.DeserializeAsync<JsonRpcMessage>(context.Request.InputStream, McpJsonUtilities.DefaultOptions);
    response.ContentType = "text/event-stream";
    response.Headers["Mcp-Session-Id"] = transport.SessionId;
    if (!await transport.HandlePostRequestAsync(message!, response.OutputStream, CancellationToken.None))
    {
        response.StatusCode = 202;
    }

    response.Close();
}
