using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Qwen.Tools;

/// <summary>
/// The client side of one configured MCP server: connects on demand and reconnects, on the next call, when the
/// server has gone away (its process ended, the HTTP session dropped).
/// </summary>
internal sealed class McpServerConnection(string name, McpServerConfiguration configuration, McpToolHostOptions options, ILoggerFactory? loggerFactory) : IAsyncDisposable
{
    // How long a call's progress token stays routed after the call ends (see CallToolAsync).
    private static readonly TimeSpan LateProgress = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<ProgressToken, IProgress<ProgressNotificationValue>> _progress = new();
    private McpClient? _client;
    private bool _disposed;

    public string Name { get; } = name;

    public McpToolHostOptions Options { get; } = options;

    /// <summary>Whether the connection has been disposed: no call after that reconnects.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed);

    /// <summary>The log for this server's events.</summary>
    public ILogger Logger { get; } = loggerFactory?.CreateLogger("Qwen.Tools.Mcp") ?? NullLogger.Instance;

    /// <summary>A connected client: the current one while its session lasts, else a new one.</summary>
    public async Task<McpClient> GetClientAsync(CancellationToken cancellationToken)
    {
        if (_client is { } current && !current.Completion.IsCompleted)
        {
            return current;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_client is { } client && !client.Completion.IsCompleted)
            {
                return client;
            }

            if (_client is not null)
            {
                await CloseAsync(_client).ConfigureAwait(false);
                _client = null;
            }

            _client = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            return _client;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Every tool the server offers (all pages).</summary>
    public async Task<IList<McpClientTool>> ListToolsAsync(CancellationToken cancellationToken)
    {
        var client = await GetClientAsync(cancellationToken).ConfigureAwait(false);
        return await client.ListToolsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Calls a tool; a failure of the connection itself drops the client so the next call reconnects. A remote server that has
    /// lost the session (it restarted: HTTP 404 as the specification says, or 400 naming the session as some servers answer)
    /// gets a new session and the call is sent once more.
    /// </summary>
    /// <remarks>
    /// The call carries a progress token of its own, and the server's progress notifications reach <paramref name="progress"/>
    /// through a handler the client holds for its whole session. The SDK's own per-call handler is not used: the SDK handles
    /// notifications apart from responses and drops that handler when the result arrives, so on a cold process a short call's
    /// notifications, sent before its result, were handled after it and lost. The token stays routed for a while after the call.
    /// </remarks>
    public async Task<CallToolResult> CallToolAsync(string tool, IReadOnlyDictionary<string, object?> arguments, IProgress<ProgressNotificationValue>? progress, CancellationToken cancellationToken)
    {
        RequestOptions? options = null;
        if (progress is not null)
        {
            var token = new ProgressToken(Guid.NewGuid().ToString("N"));
            _progress[token] = progress;
            options = new RequestOptions { ProgressToken = token };
        }

        try
        {
            var client = await GetClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await client.CallToolAsync(tool, arguments, options: options, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (configuration.Url is not null && IsLostSession(e) && !cancellationToken.IsCancellationRequested)
            {
                ToolsLog.McpSessionLost(Logger, Name, e.Message);
                await ForgetAsync(client).ConfigureAwait(false);
                client = await GetClientAsync(cancellationToken).ConfigureAwait(false);
                return await client.CallToolAsync(tool, arguments, options: options, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (client.Completion.IsCompleted && !cancellationToken.IsCancellationRequested)
            {
                await ForgetAsync(client).ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            if (options?.ProgressToken is { } token)
            {
                _ = Task.Delay(LateProgress, CancellationToken.None).ContinueWith(_ => _progress.TryRemove(token, out var _), CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Routes a progress notification to the call whose token it carries; one for no known call is dropped.</summary>
    private ValueTask OnProgressAsync(JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        ProgressNotificationParams? value;
        try
        {
            value = notification.Params?.Deserialize(McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ProgressNotificationParams))) as ProgressNotificationParams;
        }
        catch (JsonException e)
        {
            ToolsLog.McpBadProgress(Logger, Name, e.Message);
            return ValueTask.CompletedTask;
        }

        if (value is not null && _progress.TryGetValue(value.ProgressToken, out var progress))
        {
            progress.Report(value.Progress);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Whether an error says the server no longer knows our session.</summary>
    internal static bool IsLostSession(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException { StatusCode: HttpStatusCode.NotFound })
            {
                return true;
            }

            if ((current is HttpRequestException { StatusCode: HttpStatusCode.BadRequest } || current is McpException)
                && current.Message.Contains("session", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            Volatile.Write(ref _disposed, true);
            if (_client is not null)
            {
                await CloseAsync(_client).ConfigureAwait(false);
                _client = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ForgetAsync(McpClient broken)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (ReferenceEquals(_client, broken))
            {
                _client = null;
                await CloseAsync(broken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<McpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        IClientTransport transport = configuration.Url is { } url
            ? new HttpClientTransport(
                new HttpClientTransportOptions
                {
                    Endpoint = url,
                    Name = Name,
                    AdditionalHeaders = configuration.Headers.ToDictionary(h => h.Key, h => h.Value),
                    TransportMode = configuration.Transport switch
                    {
                        McpRemoteTransport.Sse => HttpTransportMode.Sse,
                        McpRemoteTransport.StreamableHttp => HttpTransportMode.StreamableHttp,
                        _ => HttpTransportMode.AutoDetect,
                    },
                    ConnectionTimeout = Options.ConnectTimeout,
                },
                loggerFactory)
            : new StdioClientTransport(
                new StdioClientTransportOptions
                {
                    Command = configuration.Command!,
                    Arguments = [.. configuration.Arguments],
                    InheritEnvironmentVariables = Options.InheritEnvironment,
                    EnvironmentVariables = Environment(),
                    WorkingDirectory = configuration.WorkingDirectory,
                    Name = Name,
                },
                loggerFactory);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.ConnectTimeout);
        var clientOptions = new McpClientOptions
        {
            ClientInfo = new Implementation { Name = Options.ClientName, Version = typeof(McpServerConnection).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" },
            InitializationTimeout = Options.ConnectTimeout,
            Handlers = new McpClientHandlers { NotificationHandlers = [new(NotificationMethods.ProgressNotification, OnProgressAsync)] },
        };
        return await McpClient.CreateAsync(transport, clientOptions, loggerFactory, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>The environment of a local server: the SDK's safe set (unless everything is inherited) plus the configured variables.</summary>
    private Dictionary<string, string?> Environment()
    {
        var environment = Options.InheritEnvironment ? [] : StdioClientTransportOptions.GetDefaultEnvironmentVariables();
        foreach (var (key, value) in configuration.Environment)
        {
            environment[key] = value;
        }

        return environment;
    }

    private static async Task CloseAsync(McpClient client)
    {
        try
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // Closing a session that already broke can fail in many ways; it is closed either way.
        }
    }
}
