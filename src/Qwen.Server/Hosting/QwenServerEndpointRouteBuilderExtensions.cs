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

    /// <summary>Answers an unknown API route with a JSON 404 in OpenAI's error shape.</summary>
    internal static Task NotFoundAsync(HttpContext http)
    {
        var server = http.RequestServices.GetRequiredService<ServerContext>();
        return server.WriteErrorAsync(http, new ApiError(404, $"No route {http.Request.Method} {http.Request.Path}.", Code: "not_found"));
    }
}
