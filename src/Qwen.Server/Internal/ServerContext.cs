using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Qwen.Server;

/// <summary>What every endpoint shares: the options, the request gate, the served models, and the helpers that read bodies and write errors.</summary>
internal sealed class ServerContext : IDisposable
{
    private const string LifetimeKey = "Qwen.Server.RequestLifetime";

    private readonly Dictionary<string, ServedModel> _models;

    public ServerContext(IOptions<QwenServerOptions> options, IEnumerable<ServedModel> models, ILoggerFactory loggerFactory)
    {
        Options = options.Value;
        Options.Validate();
        Gate = new RequestGate(Options);
        Models = [.. models];
        _models = new Dictionary<string, ServedModel>(StringComparer.Ordinal);
        foreach (var model in Models)
        {
            if (!_models.TryAdd(model.Id, model))
            {
                throw new InvalidOperationException($"Two served models have the id '{model.Id}'; model ids must be unique.");
            }
        }

        Logger = loggerFactory.CreateLogger("Qwen.Server");
        WorkDirectory = Path.GetFullPath(Options.WorkDirectory ?? Path.Combine(Environment.CurrentDirectory, "qwen-serve"));
    }

    public QwenServerOptions Options { get; }

    public RequestGate Gate { get; }

    public IReadOnlyList<ServedModel> Models { get; }

    public ILogger Logger { get; }

    /// <summary>Gets the full path of the work directory (sessions, uploads).</summary>
    public string WorkDirectory { get; }

    /// <summary>Finds a served model by id.</summary>
    /// <exception cref="ApiException">No model has that id (404).</exception>
    public ServedModel Model(string id) =>
        _models.TryGetValue(id, out var model)
            ? model
            : throw new ApiException(new ApiError(404, $"The model '{id}' does not exist; GET /v1/models lists the served ones ({string.Join(", ", _models.Keys)}).", Param: "model", Code: "model_not_found"));

    /// <summary>A token cancelled when the client goes away or the request outlives <see cref="QwenServerOptions.RequestTimeout"/>.</summary>
    public CancellationTokenSource RequestLifetime(HttpContext http)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        cts.CancelAfter(Options.RequestTimeout);
        http.Items[LifetimeKey] = cts;
        return cts;
    }

    /// <summary>Whether the request's lifetime ended by its timeout (not by the client leaving).</summary>
    public bool IsTimedOut(HttpContext http) =>
        http.Items.TryGetValue(LifetimeKey, out var value) && value is CancellationTokenSource { IsCancellationRequested: true } && !http.RequestAborted.IsCancellationRequested;

    /// <summary>Reads a JSON object body, at most <see cref="QwenServerOptions.MaxRequestBodyBytes"/>.</summary>
    /// <exception cref="ApiException">The body is too large (413), not JSON or not an object (400).</exception>
    public async Task<JsonObject> ReadJsonObjectAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var limit = Options.MaxRequestBodyBytes;
        if (http.Request.ContentLength > limit)
        {
            throw TooLarge(http.Request.ContentLength.Value, limit);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw TooLarge(buffer.Length + read, limit);
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw new ApiException(new ApiError(400, "The request body is empty; a JSON object is expected."));
        }

        try
        {
            return JsonNode.Parse(buffer.ToArray()) as JsonObject
                ?? throw new ApiException(new ApiError(400, "The request body must be a JSON object."));
        }
        catch (JsonException e)
        {
            throw new ApiException(new ApiError(400, $"The request body is not valid JSON: {e.Message}"));
        }
    }

    /// <summary>Turns an exception into the error to report, or null when the client is gone and nothing should be written.</summary>
    public ApiError? ErrorFor(Exception exception, HttpContext http)
    {
        if (http.RequestAborted.IsCancellationRequested)
        {
            // Whatever failed (a cancelled generation, a write to a closed socket), the client is gone: nothing to answer.
            Log.ClientGone(Logger, http.Request.Path);
            return null;
        }

        switch (exception)
        {
            case ApiException api:
                return api.Error;
            case OperationCanceledException:
                Log.TimedOut(Logger, http.Request.Path, Options.RequestTimeout);
                return new ApiError(504, $"The request took longer than the server's limit of {Options.RequestTimeout.TotalSeconds:0} s and was cancelled.", "server_error", Code: "timeout");
        }

        if (Options.ErrorMapper?.Invoke(exception) is { } mapped)
        {
            return mapped;
        }

        switch (exception)
        {
            case ArgumentException argument:
                return new ApiError(400, argument.Message, Param: argument.ParamName);
            case NotSupportedException:
                return new ApiError(400, exception.Message);
            case BadHttpRequestException bad:
                return new ApiError(bad.StatusCode, bad.Message);
            default:
                Log.RequestFailed(Logger, http.Request.Method, http.Request.Path, exception);
                return new ApiError(500, $"The server failed ({exception.GetType().Name}): {exception.Message}", "server_error");
        }
    }

    /// <summary>Writes an error response (nothing once the response has started or the client is gone).</summary>
    public async Task WriteErrorAsync(HttpContext http, ApiError error)
    {
        if (http.Response.HasStarted || http.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        if (error.StatusCode < 500)
        {
            Log.RequestRefused(Logger, http.Request.Method, http.Request.Path, error.StatusCode, error.Message);
        }

        http.Response.StatusCode = error.StatusCode;
        http.Response.ContentType = "application/json";
        if (error.StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            http.Response.Headers.RetryAfter = "1";
        }

        if (error.StatusCode == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
        }

        await http.Response.Body.WriteAsync(ChatCompletionWriter.Error(error), CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Runs an endpoint body, answering any exception it throws before the response starts with the error it maps to.</summary>
    public async Task RunAsync(HttpContext http, Func<CancellationToken, Task> handler)
    {
        using var lifetime = RequestLifetime(http);
        try
        {
            await handler(lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (ErrorFor(e, http) is { } error)
            {
                await WriteErrorAsync(http, error).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => Gate.Dispose();

    private static ApiException TooLarge(long size, long limit) =>
        new(new ApiError(413, $"The request body is {size} bytes or more; the limit is {limit} bytes.", Code: "request_too_large"));
}
