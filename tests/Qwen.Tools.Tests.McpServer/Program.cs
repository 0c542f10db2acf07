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

// Set by the "forget-session" tool: the HTTP loop then drops the session, as a restarted server would.
var forgetSession = false;

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
    McpServerTool.Create((string name) => Environment.GetEnvironmentVariable(name) ?? "(unset)", new() { Name = "getenv", Description = "The value of an environment variable." }),
    McpServerTool.Create(
        () => new CallToolResult
        {
            Content =
            [
                new TextContentBlock { Text = "for the user", Annotations = new Annotations { Audience = [Role.User], Priority = 0.9f } },
                new ImageContentBlock { Data = System.Text.Encoding.UTF8.GetBytes(Pixel), MimeType = "image/png", Annotations = new Annotations { Audience = [Role.Assistant] } },
            ],
        },
        new() { Name = "annotated", Description = "Returns annotated text and image content." }),
    McpServerTool.Create(
        () => new CallToolResult { Content = [new ResourceLinkBlock { Uri = "file:///srv/reports/q3.pdf", Name = "q3.pdf", MimeType = "application/pdf", Description = "The third-quarter report" }] },
        new() { Name = "link", Description = "Returns a link to a resource." }),
    McpServerTool.Create(
        async (IProgress<ProgressNotificationValue> progress, CancellationToken cancellationToken) =>
        {
            for (var step = 1; step <= 3; step++)
            {
                progress.Report(new ProgressNotificationValue { Progress = step, Total = 3, Message = $"step {step}" });
                await Task.Delay(100, cancellationToken);
            }

            return "done";
        },
        new() { Name = "slow", Description = "Takes a moment and reports its progress." }),
    McpServerTool.Create(
        (string city) => new Forecast(city, 21.5),
        new() { Name = "forecast", Title = "Weather forecast", Description = "The forecast for a city.", ReadOnly = true, Destructive = false, Idempotent = true, OpenWorld = false, UseStructuredContent = true }),
    McpServerTool.Create(
        () =>
        {
            forgetSession = true;
            return "forgotten";
        },
        new() { Name = "forget-session", Description = "Over HTTP: drops the session after this call, as a restarted server would." }),
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

if (args is not ["--http", ..])
{
    await using var server = McpServer.Create(new StdioServerTransport("qwen-test-server"), options);
    await server.RunAsync();
    return;
}

// The status a request for an unknown session gets: 404 as the specification says, or what the second argument says (400, as
// server-everything answers).
var lostSessionStatus = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 404;

// Streamable HTTP on a free local port, announced on stdout; one session at a time, served by HttpListener.
var probe = new TcpListener(IPAddress.Loopback, 0);
probe.Start();
var port = ((IPEndPoint)probe.LocalEndpoint).Port;
probe.Stop();
using var listener = new HttpListener();
listener.Prefixes.Add($"http://127.0.0.1:{port}/mcp/");
listener.Start();
var (transport, httpServer) = NewSession();
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

    var sessionId = context.Request.Headers["Mcp-Session-Id"];
    if (sessionId is not null && sessionId != transport.SessionId)
    {
        response.StatusCode = lostSessionStatus;
        response.ContentType = "application/json";
        await response.OutputStream.WriteAsync("""{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request: No valid session ID provided"},"id":null}"""u8.ToArray());
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
    if (forgetSession)
    {
        forgetSession = false;
        await httpServer.DisposeAsync();
        (transport, httpServer) = NewSession();
    }
}

(StreamableHttpServerTransport, McpServer) NewSession()
{
    var session = new StreamableHttpServerTransport(null) { SessionId = Guid.NewGuid().ToString("N") };
    var server = McpServer.Create(session, options);
    _ = server.RunAsync();
    return (session, server);
}

/// <summary>The structured result of the "forecast" tool.</summary>
internal sealed record Forecast(string City, double Celsius);
