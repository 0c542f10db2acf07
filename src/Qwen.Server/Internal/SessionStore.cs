using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Qwen.Server;

/// <summary>The agent API's sessions on disk: <c>{work}/sessions/{id}.json</c> (the conversation) and <c>{id}/</c> (its files), plus the runs in progress.</summary>
/// <remarks>Conversations are stored as Microsoft.Extensions.AI messages, so a session resumes after a restart.</remarks>
internal sealed class SessionStore
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _runs = new();
    private readonly Lock _fileGate = new();

    public SessionStore(ServerContext server)
    {
        Root = Path.Combine(server.WorkDirectory, "sessions");
    }

    /// <summary>Gets the directory that holds every session.</summary>
    public string Root { get; }

    /// <summary>Makes and saves a new, empty session.</summary>
    public Session Create(string? agent)
    {
        var session = new Session(Guid.NewGuid().ToString("N"), agent, DateTimeOffset.UtcNow);
        System.IO.Directory.CreateDirectory(SessionDirectory(session.Id));
        Save(session);
        return session;
    }

    /// <summary>Loads a session.</summary>
    /// <exception cref="ApiException">No session has this id (404).</exception>
    public Session Load(string id)
    {
        var path = Names.IsSessionId(id) ? Path.Combine(Root, id + ".json") : null;
        if (path is null || !File.Exists(path))
        {
            throw new ApiException(new ApiError(404, $"No session '{id}'.", Param: "id", Code: "session_not_found"));
        }

        lock (_fileGate)
        {
            return Session.FromJson(JsonNode.Parse(File.ReadAllText(path))!.AsObject());
        }
    }

    /// <summary>Every session, newest first.</summary>
    public List<Session> List()
    {
        if (!System.IO.Directory.Exists(Root))
        {
            return [];
        }

        var sessions = new List<Session>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Root, "*.json"))
        {
            var id = Path.GetFileNameWithoutExtension(file);
            if (Names.IsSessionId(id))
            {
                try
                {
                    sessions.Add(Load(id));
                }
                catch (JsonException)
                {
                    // A damaged file is skipped, not fatal to the listing.
                }
            }
        }

        return [.. sessions.OrderByDescending(s => s.Updated)];
    }

    /// <summary>Writes a session (atomically: a reader never sees half a file).</summary>
    public void Save(Session session)
    {
        System.IO.Directory.CreateDirectory(Root);
        var path = Path.Combine(Root, session.Id + ".json");
        var temp = path + ".tmp";
        lock (_fileGate)
        {
            File.WriteAllText(temp, session.ToJson().ToJsonString());
            File.Move(temp, path, overwrite: true);
        }
    }

    /// <summary>Deletes a session, its files, and stops its run.</summary>
    /// <exception cref="ApiException">No session has this id (404).</exception>
    public void Delete(string id)
    {
        Load(id);
        Stop(id);
        lock (_fileGate)
        {
            File.Delete(Path.Combine(Root, id + ".json"));
            if (System.IO.Directory.Exists(SessionDirectory(id)))
            {
                System.IO.Directory.Delete(SessionDirectory(id), recursive: true);
            }
        }
    }

    /// <summary>The session's files directory (uploads, charts, tool files).</summary>
    public string SessionDirectory(string id) => Path.Combine(Root, id);

    /// <summary>The names of the session's files, top level only, in name order.</summary>
    public List<string> Files(string id) =>
        System.IO.Directory.Exists(SessionDirectory(id))
            ? [.. System.IO.Directory.EnumerateFiles(SessionDirectory(id)).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>A path inside the session's directory for a (cleaned) file name, checked to stay inside it.</summary>
    /// <exception cref="ApiException">The name is unusable or leaves the directory (400).</exception>
    public string FilePath(string id, string? name, string subdirectory = "")
    {
        var safe = Names.SafeFileName(name) ?? throw ApiException.BadRequest("name", $"'{name}' is not a usable file name.");
        var folder = Path.GetFullPath(Path.Combine(SessionDirectory(id), subdirectory));
        var full = Path.GetFullPath(Path.Combine(folder, safe));
        if (!full.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw ApiException.BadRequest("name", $"'{name}' leaves the session's directory.");
        }

        return full;
    }

    /// <summary>Registers a run for a session; null when one is already running.</summary>
    public CancellationTokenSource? StartRun(string id, CancellationToken requestToken)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(requestToken);
        if (_runs.TryAdd(id, cts))
        {
            return cts;
        }

        cts.Dispose();
        return null;
    }

    /// <summary>Forgets a finished run.</summary>
    public void EndRun(string id, CancellationTokenSource run)
    {
        _runs.TryRemove(new KeyValuePair<string, CancellationTokenSource>(id, run));
        run.Dispose();
    }

    /// <summary>Cancels the session's run, if any; returns whether one was running.</summary>
    public bool Stop(string id)
    {
        if (!_runs.TryGetValue(id, out var run))
        {
            return false;
        }

        try
        {
            run.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        return true;
    }

    /// <summary>Whether the session has a run in progress.</summary>
    public bool IsRunning(string id) => _runs.ContainsKey(id);

    /// <summary>One conversation with its settings.</summary>
    internal sealed class Session(string id, string? agent, DateTimeOffset created)
    {
        public string Id { get; } = id;

        public string? Agent { get; set; } = agent;

        public List<string> Tools { get; set; } = [];

        public string Title { get; set; } = "New chat";

        public DateTimeOffset Created { get; } = created;

        public DateTimeOffset Updated { get; set; } = created;

        public List<ChatMessage> Messages { get; set; } = [];

        /// <summary>Files already named to the model in a user message.</summary>
        public List<string> AnnouncedFiles { get; set; } = [];

        public static Session FromJson(JsonObject json) => new(json["id"]!.GetValue<string>(), json["agent"]?.GetValue<string>(), json["created"]!.GetValue<DateTimeOffset>())
        {
            Tools = json["tools"]?.Deserialize<List<string>>() ?? [],
            Title = json["title"]?.GetValue<string>() ?? "New chat",
            Updated = json["updated"]!.GetValue<DateTimeOffset>(),
            Messages = json["messages"]?.Deserialize<List<ChatMessage>>(AIJsonUtilities.DefaultOptions) ?? [],
            AnnouncedFiles = json["announcedFiles"]?.Deserialize<List<string>>() ?? [],
        };

        public JsonObject ToJson() => new()
        {
            ["id"] = Id,
            ["title"] = Title,
            ["agent"] = Agent,
            ["tools"] = new JsonArray([.. Tools.Select(t => JsonValue.Create(t))]),
            ["created"] = Created,
            ["updated"] = Updated,
            ["announcedFiles"] = new JsonArray([.. AnnouncedFiles.Select(t => JsonValue.Create(t))]),
            ["messages"] = JsonSerializer.SerializeToNode(Messages, AIJsonUtilities.DefaultOptions),
        };
    }
}
