using System.Text;
using Microsoft.AspNetCore.Http;

namespace Qwen.Server;

/// <summary>Server-sent events framing: <c>data: JSON</c> lines, a blank line after each event, flushed at once.</summary>
internal static class Sse
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    /// <summary>Sets the status and headers of an event stream and sends them.</summary>
    public static async Task StartAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes one event whose data is <paramref name="json"/> (one line: JSON written compactly has no raw newlines).</summary>
    public static async Task WriteAsync(HttpResponse response, byte[] json, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(DataPrefix, cancellationToken).ConfigureAwait(false);
        await response.Body.WriteAsync(json, cancellationToken).ConfigureAwait(false);
        await response.Body.WriteAsync(EventEnd, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes OpenAI's end-of-stream marker, <c>data: [DONE]</c>.</summary>
    public static async Task DoneAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Done, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A comment line, which clients ignore; keeps idle connections open through proxies.</summary>
    public static async Task CommentAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes($": {text}\n\n"), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
