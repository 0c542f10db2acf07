using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Qwen.Server;

/// <summary>The handlers of the OpenAI-compatible API: <c>GET /v1/models</c> and <c>POST /v1/chat/completions</c>.</summary>
internal static class OpenAIEndpoints
{
    public static async Task ListModelsAsync(HttpContext http)
    {
        var server = http.RequestServices.GetRequiredService<ServerContext>();
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            foreach (var model in server.Models)
            {
                w.WriteStartObject();
                w.WriteString("id", model.Id);
                w.WriteString("object", "model");
                w.WriteNumber("created", 0);
                w.WriteString("owned_by", "qwen-agents");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(buffer.ToArray(), http.RequestAborted).ConfigureAwait(false);
    }

    public static Task ChatCompletionsAsync(HttpContext http)
    {
        var server = http.RequestServices.GetRequiredService<ServerContext>();
        return server.RunAsync(http, async cancellationToken =>
        {
            var request = ChatCompletionRequest.Parse(await server.ReadJsonObjectAsync(http, cancellationToken).ConfigureAwait(false));
            var model = server.Model(request.Model);
            using var slot = await server.Gate.EnterAsync(cancellationToken).ConfigureAwait(false);
            var writer = new ChatCompletionWriter(model.Id);
            if (!request.Stream)
            {
                var response = await model.Client.GetResponseAsync(request.Messages, request.Options, cancellationToken).ConfigureAwait(false);
                http.Response.ContentType = "application/json";
                await http.Response.Body.WriteAsync(writer.Completion(response), cancellationToken).ConfigureAwait(false);
                return;
            }

            await StreamAsync(http, server, model.Client, request, writer, cancellationToken).ConfigureAwait(false);
        });
    }

    private static async Task StreamAsync(HttpContext http, ServerContext server, IChatClient client, ChatCompletionRequest request, ChatCompletionWriter writer, CancellationToken cancellationToken)
    {
        // Disposing the enumerator (on every path out, a disconnect included) ends the generation and frees its sequence.
        var updates = client.GetStreamingResponseAsync(request.Messages, request.Options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (updates.ConfigureAwait(false))
        {
            // The first update comes before the headers, so a refused request (context overflow, bad option) still gets its status code.
            var more = await updates.MoveNextAsync().ConfigureAwait(false);
            await Sse.StartAsync(http.Response, cancellationToken).ConfigureAwait(false);
            await Sse.WriteAsync(http.Response, writer.RoleChunk(), cancellationToken).ConfigureAwait(false);
            try
            {
                for (; more; more = await updates.MoveNextAsync().ConfigureAwait(false))
                {
                    if (writer.Chunk(updates.Current) is { } chunk)
                    {
                        await Sse.WriteAsync(http.Response, chunk, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e) when (!http.RequestAborted.IsCancellationRequested && server.ErrorFor(e, http) is { } error)
            {
                // Headers are gone: the error travels as an event, as vLLM sends it, and the stream still ends with [DONE].
                await Sse.WriteAsync(http.Response, ChatCompletionWriter.Error(error), CancellationToken.None).ConfigureAwait(false);
                await Sse.DoneAsync(http.Response, CancellationToken.None).ConfigureAwait(false);
                return;
            }

            await Sse.WriteAsync(http.Response, writer.FinishChunk(), cancellationToken).ConfigureAwait(false);
            if (request.IncludeUsage)
            {
                await Sse.WriteAsync(http.Response, writer.UsageChunk(), cancellationToken).ConfigureAwait(false);
            }

            await Sse.DoneAsync(http.Response, cancellationToken).ConfigureAwait(false);
        }
    }
}
