using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Agents.AI;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Qwen.Server;

/// <summary>The handlers of the agent API: agents and tools on offer, sessions (list, create, read, delete), files, runs streamed as events, and stop.</summary>
internal static class AgentEndpoints
{
    public static Task CatalogAsync(HttpContext http)
    {
        var (server, catalog, _) = Services(http);
        return WriteJsonAsync(http, new JsonObject
        {
            ["agents"] = new JsonArray([.. catalog.Agents.Select(a => new JsonObject { ["name"] = a.Name, ["description"] = a.Description })]),
            ["tools"] = new JsonArray([.. catalog.Tools.Select(t => new JsonObject { ["name"] = t.Name, ["description"] = t.Description })]),
            ["models"] = new JsonArray([.. server.Models.Select(m => JsonValue.Create(m.Id))]),
        });
    }

    public static Task ListSessionsAsync(HttpContext http)
    {
        var (_, _, sessions) = Services(http);
        return WriteJsonAsync(http, new JsonObject
        {
            ["sessions"] = new JsonArray([.. sessions.List().Select(s => Summary(s, sessions))]),
        });
    }

    public static Task CreateSessionAsync(HttpContext http)
    {
        var (server, catalog, sessions) = Services(http);
        return server.RunAsync(http, async cancellationToken =>
        {
            var agent = http.Request.ContentLength is > 0
                ? OptionalString(await server.ReadJsonObjectAsync(http, cancellationToken).ConfigureAwait(false), "agent")
                : null;
            if (agent is not null)
            {
                catalog.Agent(agent);
            }

            var session = sessions.Create(agent);
            http.Response.StatusCode = StatusCodes.Status201Created;
            await WriteJsonAsync(http, Summary(session, sessions)).ConfigureAwait(false);
        });
    }

    public static Task GetSessionAsync(HttpContext http, string id)
    {
        var (server, _, sessions) = Services(http);
        return server.RunAsync(http, _ =>
        {
            var session = sessions.Load(id);
            var json = Summary(session, sessions);
            json["files"] = new JsonArray([.. sessions.Files(id).Select(f => JsonValue.Create(f))]);
            json["items"] = SessionView.Items(session.Messages, id);
            return WriteJsonAsync(http, json);
        });
    }

    public static Task DeleteSessionAsync(HttpContext http, string id)
    {
        var (server, _, sessions) = Services(http);
        return server.RunAsync(http, _ =>
        {
            sessions.Delete(id);
            http.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });
    }

    public static Task StopAsync(HttpContext http, string id)
    {
        var (server, _, sessions) = Services(http);
        return server.RunAsync(http, _ =>
        {
            sessions.Load(id);
            return WriteJsonAsync(http, new JsonObject { ["stopped"] = sessions.Stop(id) });
        });
    }

    public static Task UploadAsync(HttpContext http, string id)
    {
        var (server, _, sessions) = Services(http);
        return server.RunAsync(http, async cancellationToken =>
        {
            sessions.Load(id);
            var limit = server.Options.MaxUploadBytes;
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            {
                bodySize.MaxRequestBodySize = limit + (64 * 1024);
            }

            if (http.Request.ContentLength > limit + (64 * 1024))
            {
                throw new ApiException(new ApiError(413, $"The upload is {http.Request.ContentLength} bytes; the limit is {limit} bytes per file.", Code: "file_too_large"));
            }

            if (!http.Request.HasFormContentType)
            {
                throw ApiException.BadRequest("file", "Send the file as multipart/form-data in a field named 'file'.");
            }

            var form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = limit + (64 * 1024) }, cancellationToken).ConfigureAwait(false);
            if (form.Files.Count == 0)
            {
                throw ApiException.BadRequest("file", "The form holds no file.");
            }

            var saved = new JsonArray();
            foreach (var file in form.Files)
            {
                if (file.Length > limit)
                {
                    throw new ApiException(new ApiError(413, $"'{file.FileName}' is {file.Length} bytes; the limit is {limit} bytes per file.", Param: "file", Code: "file_too_large"));
                }

                var path = sessions.FilePath(id, file.FileName);
                var stream = File.Create(path);
                await using (stream.ConfigureAwait(false))
                {
                    await file.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
                }

                saved.Add(new JsonObject { ["name"] = Path.GetFileName(path), ["bytes"] = file.Length });
            }

            http.Response.StatusCode = StatusCodes.Status201Created;
            await WriteJsonAsync(http, new JsonObject { ["files"] = saved }).ConfigureAwait(false);
        });
    }

    public static Task DownloadAsync(HttpContext http, string id, string name, bool media)
    {
        var (server, _, sessions) = Services(http);
        return server.RunAsync(http, async cancellationToken =>
        {
            sessions.Load(id);
            var path = sessions.FilePath(id, name, media ? ".media" : string.Empty);
            if (!File.Exists(path))
            {
                throw new ApiException(new ApiError(404, $"Session '{id}' has no file '{name}'.", Param: "name", Code: "file_not_found"));
            }

            // Files are served as downloads of their own type only where the browser cannot run them (images, PDFs, text);
            // anything else is an attachment, and nothing is sniffed into HTML.
            var type = ContentType(path);
            http.Response.ContentType = type;
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";
            if (type == "application/octet-stream")
            {
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"{Path.GetFileName(path)}\"";
            }

            await http.Response.SendFileAsync(path, cancellationToken).ConfigureAwait(false);
        });
    }

    public static Task RunAsync(HttpContext http, string id)
    {
        var (server, catalog, sessions) = Services(http);
        return server.RunAsync(http, async cancellationToken =>
        {
            var body = await server.ReadJsonObjectAsync(http, cancellationToken).ConfigureAwait(false);
            var text = OptionalString(body, "message");
            if (string.IsNullOrWhiteSpace(text))
            {
                throw ApiException.BadRequest("message", "'message' is required: the user's text.");
            }

            var session = sessions.Load(id);
            var served = catalog.Agent(OptionalString(body, "agent") ?? session.Agent ?? catalog.Agents.FirstOrDefault()?.Name
                ?? throw new ApiException(new ApiError(400, "The server offers no agents.", Param: "agent")));
            var toolNames = ReadToolNames(body, session);
            var chosenTools = toolNames.Select(catalog.Tool).ToList();
            var model = server.Models.FirstOrDefault()?.Client ?? throw new ApiException(new ApiError(500, "The server serves no model for agents to use.", "server_error"));

            using var slot = await server.Gate.EnterAsync(cancellationToken).ConfigureAwait(false);
            var run = sessions.StartRun(id, cancellationToken)
                ?? throw new ApiException(new ApiError(409, $"Session '{id}' already has a run in progress; stop it first.", Code: "run_in_progress"));
            try
            {
                await CreateAndRunAgentAsync(http, server, sessions, session, served, chosenTools, model, text, run.Token).ConfigureAwait(false);
            }
            finally
            {
                sessions.EndRun(id, run);
            }
        });
    }

    private static async Task CreateAndRunAgentAsync(
        HttpContext http, ServerContext server, SessionStore sessions, SessionStore.Session session, ServedAgent served, List<ServedTool> chosenTools, IChatClient model, string text, CancellationToken cancellationToken)
    {
        var directory = sessions.SessionDirectory(session.Id);
        Directory.CreateDirectory(directory);
        var files = sessions.Files(session.Id);
        var toolContext = new ServedAgentContext(session.Id, directory, model, [], files);
        List<AITool> tools = [.. chosenTools.SelectMany(t => t.Create(toolContext))];
        var agent = served.Create(new ServedAgentContext(session.Id, directory, model, tools, files));
        try
        {
            await RunAgentAsync(http, server, sessions, session, served, chosenTools, agent, files, text, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Agents made for one run may hold resources (an Assistant's retriever, copies of attached bytes).
            if (agent is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            }
            else if (agent is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }
    }

    private static async Task RunAgentAsync(
        HttpContext http, ServerContext server, SessionStore sessions, SessionStore.Session session, ServedAgent served, List<ServedTool> chosenTools, AIAgent agent, List<string> files, string text, CancellationToken cancellationToken)
    {

        // Newly uploaded files are named to the model once, in the user's turn, so it can pass them to its tools.
        var fresh = files.Except(session.AnnouncedFiles, StringComparer.Ordinal).ToList();
        var userText = fresh.Count == 0 ? text : $"{text}\n\n(Files uploaded to this session: {string.Join(", ", fresh)})";
        var user = new ChatMessage(ChatRole.User, userText);
        var storedResults = new Dictionary<string, string>(StringComparer.Ordinal);
        var imageCount = 0;
        (string, List<string>) Describe(FunctionResultContent result)
        {
            var stored = SessionView.ResultText(result.Result, image =>
            {
                var name = $"{SafeCallId(result.CallId)}-{++imageCount}{Extension(image.MediaType)}";
                var path = sessions.FilePath(session.Id, name, ".media");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, image.Data.ToArray());
                return SessionView.ImageNote(name);
            });
            storedResults[result.CallId] = stored;
            return SessionView.ReadStoredResult(stored, session.Id);
        }

        var runId = "run_" + Guid.NewGuid().ToString("N");
        var events = new AgentEvents(session.Id, runId, Describe);
        var updates = new List<AgentResponseUpdate>();
        await Sse.StartAsync(http.Response, cancellationToken).ConfigureAwait(false);
        await Sse.WriteAsync(http.Response, events.RunStarted(), cancellationToken).ConfigureAwait(false);
        byte[] last;
        string outcome;
        try
        {
            await foreach (var update in agent.RunStreamingAsync([.. session.Messages, user], session: null, options: null, cancellationToken).ConfigureAwait(false))
            {
                updates.Add(update);
                foreach (var e in events.Update(update))
                {
                    await Sse.WriteAsync(http.Response, e, cancellationToken).ConfigureAwait(false);
                }
            }

            last = events.RunFinished();
            outcome = "finished";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested && !server.IsTimedOut(http))
        {
            last = AgentEvents.RunError("Stopped.", "cancelled");
            outcome = "stopped";
        }
        catch (Exception e)
        {
            // Also a client that went away (error null): the completed part of the run is still kept below.
            var error = server.ErrorFor(e, http);
            last = AgentEvents.RunError(error?.Message ?? "The client went away.", error?.Code ?? error?.Type ?? "cancelled");
            outcome = "failed: " + (error?.Message ?? "the client went away");
        }

        // What the run produced is kept, also when it was stopped: the user's turn and every completed step.
        session.Messages.Add(user);
        session.Messages.AddRange(Completed(updates.ToAgentResponse().Messages, storedResults));
        session.AnnouncedFiles.AddRange(fresh);
        session.Agent = served.Name;
        session.Tools = [.. chosenTools.Select(t => t.Name)];
        session.Updated = DateTimeOffset.UtcNow;
        if (session.Title == "New chat")
        {
            session.Title = text.Length <= 60 ? text : text[..60] + "…";
        }

        sessions.Save(session);
        Log.AgentRunEnded(server.Logger, runId, served.Name, session.Id, outcome);
        if (!http.RequestAborted.IsCancellationRequested)
        {
            foreach (var e in events.Finish())
            {
                await Sse.WriteAsync(http.Response, e, CancellationToken.None).ConfigureAwait(false);
            }

            await Sse.WriteAsync(http.Response, last, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The run's messages as stored: tool results as their text (images saved as files), and no call left without a result.</summary>
    private static IEnumerable<ChatMessage> Completed(IList<ChatMessage> messages, Dictionary<string, string> storedResults)
    {
        var answered = messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToHashSet(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            var contents = new List<AIContent>();
            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case FunctionCallContent call when !answered.Contains(call.CallId):
                        break;
                    case FunctionResultContent result:
                        contents.Add(new FunctionResultContent(result.CallId, storedResults.TryGetValue(result.CallId, out var stored) ? stored : SessionView.ResultText(result.Result)));
                        break;
                    case UsageContent:
                        break;
                    default:
                        contents.Add(content);
                        break;
                }
            }

            if (contents.Count > 0)
            {
                yield return new ChatMessage(message.Role, contents) { AuthorName = message.AuthorName, MessageId = message.MessageId };
            }
        }
    }

    private static List<string> ReadToolNames(JsonObject body, SessionStore.Session session)
    {
        switch (body["tools"])
        {
            case null:
                return session.Tools;
            case JsonArray array when array.All(t => t?.GetValueKind() == JsonValueKind.String):
                return [.. array.Select(t => t!.GetValue<string>()).Distinct(StringComparer.Ordinal)];
            default:
                throw ApiException.BadRequest("tools", "'tools' must be an array of tool names.");
        }
    }

    private static string? OptionalString(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => throw ApiException.BadRequest(name, $"'{name}' must be a string."),
    };

    private static JsonObject Summary(SessionStore.Session session, SessionStore sessions) => new()
    {
        ["id"] = session.Id,
        ["title"] = session.Title,
        ["agent"] = session.Agent,
        ["tools"] = new JsonArray([.. session.Tools.Select(t => JsonValue.Create(t))]),
        ["created"] = session.Created,
        ["updated"] = session.Updated,
        ["running"] = sessions.IsRunning(session.Id),
    };

    private static string SafeCallId(string callId) =>
        Names.SafeFileName(callId) is { } safe && safe.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? safe : Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(callId)))[..16];

    private static string Extension(string mediaType) => mediaType switch
    {
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/gif" => ".gif",
        "image/webp" => ".webp",
        _ => ".bin",
    };

    private static string ContentType(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".gif" => "image/gif",
        ".webp" => "image/webp",
        ".pdf" => "application/pdf",
        ".txt" or ".md" or ".csv" or ".tsv" or ".json" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };

    private static (ServerContext Server, AgentCatalog Catalog, SessionStore Sessions) Services(HttpContext http) =>
        (http.RequestServices.GetRequiredService<ServerContext>(), http.RequestServices.GetRequiredService<AgentCatalog>(), http.RequestServices.GetRequiredService<SessionStore>());

    private static async Task WriteJsonAsync(HttpContext http, JsonNode json)
    {
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), http.RequestAborted).ConfigureAwait(false);
    }
}
