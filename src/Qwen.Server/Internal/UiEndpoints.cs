using Microsoft.AspNetCore.Http;

namespace Qwen.Server;

/// <summary>Serves the browser UI's static files, embedded in this assembly, with a content security policy that allows no inline or foreign script.</summary>
internal static class UiEndpoints
{
    private const string Policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

    private static readonly Dictionary<string, (string ContentType, byte[] Content)> Files = Load();

    public static Task IndexAsync(HttpContext http) => ServeAsync(http, "index.html");

    public static Task AssetAsync(HttpContext http, string name) => ServeAsync(http, name);

    private static async Task ServeAsync(HttpContext http, string name)
    {
        if (!Files.TryGetValue(name, out var file))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        http.Response.ContentType = file.ContentType;
        http.Response.Headers.ContentSecurityPolicy = Policy;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        http.Response.Headers.CacheControl = "no-cache";
        await http.Response.Body.WriteAsync(file.Content, http.RequestAborted).ConfigureAwait(false);
    }

    private static Dictionary<string, (string, byte[])> Load()
    {
        var assembly = typeof(UiEndpoints).Assembly;
        var files = new Dictionary<string, (string, byte[])>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("QwenUi/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var name = resource["QwenUi/".Length..];
            var type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                ".png" => "image/png",
                _ => "application/octet-stream",
            };
            files[name] = (type, buffer.ToArray());
        }

        return files;
    }
}
