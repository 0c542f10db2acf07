using System.CommandLine;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qwen.Core;
using Qwen.Runtime;
using Qwen.Server;
using Qwen.Tools;

namespace Qwen.Cli;

/// <summary><c>qwen serve</c>: a local checkpoint (or an OpenAI-compatible server) behind an OpenAI-compatible HTTP API, the agent API and the browser UI.</summary>
internal static class ServeCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = CliModels.Describe("config.json, safetensors, tokenizer.json, tokenizer_config.json") };
        var endpoint = new Option<string?>("--endpoint") { Description = "Base URL of an OpenAI-compatible server to serve instead of --model (the OPENAI_API_KEY environment variable is its key)." };
        var apiModel = new Option<string?>("--api-model") { Description = "Model name on that server (with --endpoint); also the id this server lists." };
        var host = new Option<string>("--host") { Description = "Address to bind; anything but loopback needs --api-key.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to listen on (0 picks a free one).", DefaultValueFactory = _ => 8000 };
        var apiKey = new Option<string?>("--api-key") { Description = "Key clients must send as 'Authorization: Bearer KEY'; default: none (loopback only)." };
        var workdir = new Option<string?>("--workdir") { Description = "Directory for sessions and uploads (default: ./qwen-serve)." };
        var tools = new Option<string?>("--tools") { Description = $"Built-in tools the agents may use, comma-separated (default: all: {string.Join(',', QwenStandardAgentsServiceCollectionExtensions.BuiltInToolNames)})." };
        var mcp = new Option<string?>("--mcp") { Description = "An MCP servers file ({\"mcpServers\": {...}}) whose tools the agents may use too." };
        var cors = new Option<string?>("--cors") { Description = "Browser origins allowed to call the APIs from other sites, comma-separated (e.g. http://localhost:3000); default: none (CORS off)." };
        var noUi = new Option<bool>("--no-ui") { Description = "Serve the APIs only, no browser UI at /." };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N (with --model).", DefaultValueFactory = _ => "auto" };
        var dtype = new Option<string?>("--dtype") { Description = "float32, bfloat16, float16, int8 or int4 (8-bit or 4-bit weights, CPU only) (with --model; default: bfloat16 on CUDA, float32 on CPU)." };

        var command = new Command("serve", "Serve a model over an OpenAI-compatible HTTP API (/v1), the agents over an agent API (/api) and a browser UI (/).");
        foreach (var option in new Option[] { model, endpoint, apiModel, host, port, apiKey, tools, mcp, workdir, cors, noUi, device, dtype })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = new Settings(
                parseResult.GetValue(host)!,
                parseResult.GetValue(port),
                parseResult.GetValue(apiKey),
                parseResult.GetValue(workdir),
                ParseTools(parseResult.GetValue(tools)),
                parseResult.GetValue(mcp),
                !parseResult.GetValue(noUi),
                ParseOrigins(parseResult.GetValue(cors)));
            settings.Check();

            // MCP servers start before the model loads, so a broken file fails fast; they stop when the server does.
            var mcpHost = settings.McpFile is { } mcpFile ? await McpToolHost.StartAsync(McpServersConfiguration.Load(mcpFile), cancellationToken: cancellationToken).ConfigureAwait(false) : null;
            try
            {
                // The upstream server's key (with --endpoint) comes from OPENAI_API_KEY: --api-key is this server's own key.
                using var client = ChatCommand.CreateClient(await CliModels.ResolveOptionalAsync(parseResult.GetValue(model), cancellationToken).ConfigureAwait(false), parseResult.GetValue(endpoint), parseResult.GetValue(apiModel), apiKey: null, parseResult.GetValue(device)!, parseResult.GetValue(dtype));
                // A model given by name is served under that name (its cache folder is a revision hash); a folder under its own name.
                var modelArgument = parseResult.GetValue(model);
                var modelId = parseResult.GetValue(apiModel)
                    ?? (modelArgument is not null && !Directory.Exists(modelArgument) ? modelArgument : null)
                    ?? client.GetService<ChatClientMetadata>()?.DefaultModelId ?? "qwen";
                await RunAsync(settings, modelId, client, mcpHost?.Tools ?? [], cancellationToken).ConfigureAwait(false);
                return 0;
            }
            finally
            {
                if (mcpHost is not null)
                {
                    await mcpHost.DisposeAsync().ConfigureAwait(false);
                }
            }
        });
        return command;
    }

    private static async Task RunAsync(Settings settings, string modelId, IChatClient client, IReadOnlyList<AIFunction> mcpTools, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.WebHost.UseUrls(settings.Url);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Slow or idle clients cannot hold the server: bounded connections and header time; bodies are checked per endpoint.
            kestrel.Limits.MaxConcurrentConnections = 512;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(30);
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddQwenServer(o =>
        {
            o.ApiKey = settings.ApiKey;
            o.WorkDirectory = settings.WorkDirectory;
            o.ErrorMapper = MapRuntimeError;
        });
        builder.Services.AddQwenServedModel(modelId, client);
        if (client.GetService<QwenTokenizer>() is { } tokenizer)
        {
            // Exact token counts for retrieval budgets when the model is local.
            builder.Services.AddSingleton<Microsoft.ML.Tokenizers.Tokenizer>(tokenizer);
        }

        builder.Services.AddQwenStandardAgents(settings.Tools);
        foreach (var tool in mcpTools)
        {
            builder.Services.AddQwenServedTool(new ServedTool(tool.Name, tool.Description, _ => [tool]));
        }

        const string CorsPolicy = "qwen-serve";
        if (settings.CorsOrigins.Count > 0)
        {
            builder.Services.AddCors(o => o.AddPolicy(CorsPolicy, policy => policy.WithOrigins([.. settings.CorsOrigins]).AllowAnyHeader().AllowAnyMethod()));
        }

        await using var app = builder.Build();
        if (settings.CorsOrigins.Count > 0)
        {
            app.UseCors();
            app.MapQwenOpenAIApi().RequireCors(CorsPolicy);
            app.MapQwenAgentApi().RequireCors(CorsPolicy);
        }
        else
        {
            app.MapQwenOpenAIApi();
            app.MapQwenAgentApi();
        }

        if (settings.Ui)
        {
            app.MapQwenUi();
        }

        app.MapFallback(NotFoundAsync);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var address = app.Urls.First();
            var ui = settings.Ui ? $", UI: {address}/" : string.Empty;
            await Console.Out.WriteLineAsync($"Listening on {address} (OpenAI API: {address}/v1, model '{modelId}'; agent API: {address}/api{ui})").ConfigureAwait(false);
            if (settings.ApiKey is not null)
            {
                await Console.Error.WriteLineAsync("qwen: API requests need 'Authorization: Bearer <the --api-key>'.").ConfigureAwait(false);
            }

            await Console.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            // Ctrl+C reaches both the command line's token and the host's own console lifetime; either ends the wait.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || app.Lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Ctrl+C: stop below, then the caller disposes the client, which frees the model.
        }

        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(stopping.Token).ConfigureAwait(false);
        await Console.Error.WriteLineAsync("qwen: server stopped").ConfigureAwait(false);
    }

    /// <summary>Any other route: a JSON 404 in the APIs' error shape.</summary>
    private static async Task NotFoundAsync(HttpContext http)
    {
        http.Response.StatusCode = 404;
        http.Response.ContentType = "application/json";
        var message = System.Text.Json.JsonSerializer.Serialize($"No route {http.Request.Method} {http.Request.Path}.");
        await http.Response.WriteAsync($$$"""{"error": {"message": {{{message}}}, "type": "invalid_request_error", "param": null, "code": "not_found"}}""", http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The runtime's own errors as API errors: a prompt over the context is the client's fault (400), with both numbers.</summary>
    private static ApiError? MapRuntimeError(Exception exception) => exception switch
    {
        ContextLengthExceededException overflow => new ApiError(
            400,
            string.Create(CultureInfo.InvariantCulture, $"This model's maximum context length is {overflow.ContextLength} tokens, but the messages are {overflow.PromptTokens} tokens; shorten them."),
            Param: "messages",
            Code: "context_length_exceeded"),
        _ => null,
    };

    /// <summary>The network settings, checked before the (slow) model load.</summary>
    private static List<string>? ParseTools(string? value) =>
        value is null ? null : [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static List<string> ParseOrigins(string? value) =>
        value is null ? [] : [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(o => o.TrimEnd('/'))];

    private sealed record Settings(string Host, int Port, string? ApiKey, string? WorkDirectory, List<string>? Tools, string? McpFile, bool Ui, IReadOnlyList<string> CorsOrigins)
    {
        public string Url => $"http://{(IPAddress.TryParse(Host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Host}]" : Host)}:{Port}";

        public void Check()
        {
            if (Port is < 0 or > 65535)
            {
                throw new ArgumentException($"--port must be between 0 and 65535, not {Port}.");
            }

            if (string.IsNullOrWhiteSpace(Host))
            {
                throw new ArgumentException("--host must not be empty.");
            }

            if (ApiKey is { Length: 0 })
            {
                throw new ArgumentException("--api-key must not be empty.");
            }

            if (Tools?.FirstOrDefault(t => !QwenStandardAgentsServiceCollectionExtensions.BuiltInToolNames.Contains(t)) is { } unknown)
            {
                throw new ArgumentException($"--tools: '{unknown}' is not a built-in tool; choose from {string.Join(", ", QwenStandardAgentsServiceCollectionExtensions.BuiltInToolNames)}.");
            }

            if (McpFile is not null && !File.Exists(McpFile))
            {
                throw new ArgumentException($"--mcp: the file '{McpFile}' does not exist.");
            }

            if (CorsOrigins.FirstOrDefault(o => !Uri.TryCreate(o, UriKind.Absolute, out var origin) || origin.Scheme is not ("http" or "https") || origin.AbsolutePath != "/") is { } bad)
            {
                throw new ArgumentException($"--cors: '{bad}' is not an origin such as http://localhost:3000 (scheme, host and port only).");
            }

            var loopback = Host == "localhost" || (IPAddress.TryParse(Host, out var address) && IPAddress.IsLoopback(address));
            if (!loopback && ApiKey is null)
            {
                throw new ArgumentException($"--host {Host} exposes the server beyond this machine; give --api-key KEY so only clients with the key get in.");
            }
        }
    }
}
