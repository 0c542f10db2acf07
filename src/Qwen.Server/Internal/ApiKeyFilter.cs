using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Qwen.Server;

/// <summary>Refuses API requests without <c>Authorization: Bearer KEY</c> when <see cref="QwenServerOptions.ApiKey"/> is set.</summary>
internal sealed class ApiKeyFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var server = http.RequestServices.GetRequiredService<ServerContext>();
        if (!IsAuthorized(http.Request, server.Options.ApiKey))
        {
            await server.WriteErrorAsync(http, new ApiError(401, "Missing or wrong API key: send 'Authorization: Bearer KEY' with the key the server was configured with (QwenServerOptions.ApiKey).", "authentication_error", Code: "invalid_api_key")).ConfigureAwait(false);
            return Results.Empty;
        }

        return await next(context).ConfigureAwait(false);
    }

    /// <summary>Whether the request carries the key (always, when no key is set); compared in constant time.</summary>
    public static bool IsAuthorized(HttpRequest request, string? apiKey)
    {
        if (string.IsNullOrEmpty(apiKey))
        {
            return true;
        }

        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()), Encoding.UTF8.GetBytes(apiKey));
    }
}
