using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Qwen.Server;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Qwen server's endpoints into any ASP.NET Core app (register them first with <c>services.AddQwenServer()</c>).</summary>
public static class QwenServerEndpointRouteBuilderExtensions
{
    /// <summary>Maps the OpenAI-compatible API under <paramref name="prefix"/>: <c>GET models</c>, <c>POST chat/completions</c>; unknown routes under it get a JSON 404.</summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="prefix">The route prefix.</param>
    /// <returns>The route group, to add conventions (CORS, authorization, rate limits) to.</returns>
    public static RouteGroupBuilder MapQwenOpenAIApi(this IEndpointRouteBuilder endpoints, string prefix = "/v1")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        var group = endpoints.MapGroup(prefix);
        group.AddEndpointFilter<ApiKeyFilter>();
        group.MapGet("/models", OpenAIEndpoints.ListModelsAsync);
        group.MapPost("/chat/completions", OpenAIEndpoints.ChatCompletionsAsync);
        group.Map("/{**path}", NotFoundAsync);
        return group;
    }

    /// <summary>
    /// Maps the agent API under <paramref name="prefix"/>: <c>GET agents</c>; <c>GET</c> / <c>POST sessions</c>; <c>GET</c> / <c>DELETE sessions/{id}</c>;
    /// <c>POST sessions/{id}/files</c> (multipart upload), <c>GET sessions/{id}/files/{name}</c>, <c>GET sessions/{id}/media/{name}</c>;
    /// <c>POST sessions/{id}/runs</c> (server-sent events with AG-UI's event names) and <c>POST sessions/{id}/stop</c>.
    /// </summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="prefix">The route prefix.</param>
    /// <returns>The route group, to add conventions to.</returns>
    public static RouteGroupBuilder MapQwenAgentApi(this IEndpointRouteBuilder endpoints, string prefix = "/api")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        var group = endpoints.MapGroup(prefix);
        group.AddEndpointFilter<ApiKeyFilter>();
        group.MapGet("/agents", AgentEndpoints.CatalogAsync);
        group.MapGet("/sessions", AgentEndpoints.ListSessionsAsync);
        group.MapPost("/sessions", AgentEndpoints.CreateSessionAsync);
        group.MapGet("/sessions/{id}", (HttpContext http, string id) => AgentEndpoints.GetSessionAsync(http, id));
        group.MapDelete("/sessions/{id}", (HttpContext http, string id) => AgentEndpoints.DeleteSessionAsync(http, id));
        group.MapPost("/sessions/{id}/files", (HttpContext http, string id) => AgentEndpoints.UploadAsync(http, id)).DisableAntiforgery();
        group.MapGet("/sessions/{id}/files/{name}", (HttpContext http, string id, string name) => AgentEndpoints.DownloadAsync(http, id, name, media: false));
        group.MapGet("/sessions/{id}/media/{name}", (HttpContext http, string id, string name) => AgentEndpoints.DownloadAsync(http, id, name, media: true));
        group.MapPost("/sessions/{id}/runs", (HttpContext http, string id) => AgentEndpoints.RunAsync(http, id));
        group.MapPost("/sessions/{id}/stop", (HttpContext http, string id) => AgentEndpoints.StopAsync(http, id));
        group.Map("/{**path}", NotFoundAsync);
        return group;
    }

    /// <summary>Maps the browser UI: <c>GET /</c> (the page) and <c>GET /ui/{file}</c> (its script and style), plain static files embedded in this library.</summary>
    /// <remarks>The UI talks to the agent API at <c>/api</c>; map it with <see cref="MapQwenAgentApi"/>.</remarks>
    /// <param name="endpoints">The app.</param>
    /// <returns>The app, for chaining.</returns>
    public static IEndpointRouteBuilder MapQwenUi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/", UiEndpoints.IndexAsync);
        endpoints.MapGet("/ui/{name}", (HttpContext http, string name) => UiEndpoints.AssetAsync(http, name));
        return endpoints;
    }

    /// <summary>Answers an unknown API route with a JSON 404 in OpenAI's error shape.</summary>
    internal static Task NotFoundAsync(HttpContext http)
    {
        var server = http.RequestServices.GetRequiredService<ServerContext>();
        return server.WriteErrorAsync(http, new ApiError(404, $"No route {http.Request.Method} {http.Request.Path}.", Code: "not_found"));
    }
}
