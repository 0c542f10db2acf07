using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Runtime.Tests;

/// <summary>
/// A loopback server that answers like the Hugging Face Hub, for tests: <c>GET /api/models/{repo}/revision/{rev}</c>
/// (sha, siblings), <c>HEAD</c>/<c>GET /{repo}/resolve/{rev}/{file}</c> (X-Repo-Commit, ETag, X-Linked-Etag, X-Linked-Size,
/// a redirect to <c>/lfs/{sha256}</c> for LFS files), ranges, 401 for gated repositories and 404 for unknown ones, and
/// injected faults (a connection dropped mid-file, a corrupted body, slow bodies).
/// </summary>
/// <remarks>
/// Plain HTTP/1.1 over <see cref="LoopbackTcpServer"/>, one request per connection: no ASP.NET Core, so the CLI tests'
/// output folder keeps the assemblies the <c>qwen</c> child process needs.
/// </remarks>
internal sealed class FakeHub : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, FakeRepo> _repos = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string File, byte[] Content)> _lfs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _drops = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _corrupt = new(StringComparer.Ordinal);
    private readonly LoopbackTcpServer _server;

    private FakeHub()
    {
        _server = new LoopbackTcpServer(ServeAsync);
        Endpoint = $"http://127.0.0.1:{_server.Port}";
    }

    /// <summary>Gets the base URL, for <c>HF_ENDPOINT</c> or <see cref="HubOptions.Endpoint"/>.</summary>
    public string Endpoint { get; }

    /// <summary>Gets every request: method, path and Range header.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Gets or sets a pause after each 4 KiB of a file body, so concurrent downloads really overlap.</summary>
    public TimeSpan ChunkDelay { get; set; }

    public static Task<FakeHub> StartAsync() => Task.FromResult(new FakeHub());

    /// <summary>Serves <paramref name="files"/> as repository <paramref name="repoId"/> at a new commit on <c>main</c>; with a token, the repository is gated.</summary>
    public FakeRepo AddRepo(string repoId, IReadOnlyDictionary<string, byte[]> files, string? requiredToken = null)
    {
        var repo = new FakeRepo(repoId, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)), files, requiredToken);
        foreach (var (name, content) in files)
        {
            if (FakeRepo.IsLfs(name))
            {
                _lfs[Sha256(content)] = (name, content);
            }
        }

        _repos[repoId] = repo;
        return repo;
    }

    /// <summary>Serves every file of a folder (a checkpoint written by <see cref="TinyModelWriter"/>, say).</summary>
    public FakeRepo AddRepoFromFolder(string repoId, string folder, string? requiredToken = null) =>
        AddRepo(repoId, Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), f => File.ReadAllBytes(f)), requiredToken);

    /// <summary>Makes the next GET of <paramref name="file"/>'s body close the connection after <paramref name="afterBytes"/> bytes of it.</summary>
    public void DropOnce(string file, long afterBytes) => _drops[file] = afterBytes;

    /// <summary>Makes every GET of <paramref name="file"/>'s body flip one byte (same length, wrong sha256).</summary>
    public void Corrupt(string file) => _corrupt[file] = true;

    /// <summary>Counts the requests whose line starts with <paramref name="prefix"/>, such as <c>GET /lfs/</c>.</summary>
    public int Count(string prefix) => Requests.Count(r => r.StartsWith(prefix, StringComparison.Ordinal));

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task ServeAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        if (await ReadRequestAsync(stream) is not var (method, path, headers))
        {
            return;
        }

        headers.TryGetValue("Range", out var range);
        Requests.Enqueue($"{method} {path} {range}".TrimEnd());
        await WriteAsync(stream, method, Route(method, path, headers));
    }

    private static async Task<(string Method, string Path, Dictionary<string, string> Headers)?> ReadRequestAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 65536 && !(bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return null;
            }

            bytes.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. bytes]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var start = lines[0].Split(' ');
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        return (start[0], start[1].Split('?')[0], headers);
    }

    private Response Route(string method, string path, Dictionary<string, string> headers)
    {
        const string api = "/api/models/";
        if (method == "GET" && path.StartsWith(api, StringComparison.Ordinal))
        {
            return Revision(path[api.Length..], headers);
        }

        if (path.StartsWith("/lfs/", StringComparison.Ordinal) && _lfs.TryGetValue(path[5..], out var lfs))
        {
            return Body(lfs.File, lfs.Content, headers);
        }

        if (path.Split('/') is [_, var org, var name, "resolve", var rev, .. var fileParts] && fileParts.Length > 0)
        {
            return Resolve($"{org}/{name}", Uri.UnescapeDataString(rev), string.Join('/', fileParts.Select(Uri.UnescapeDataString)), headers);
        }

        return new Response(404);
    }

    private Response Revision(string rest, Dictionary<string, string> headers)
    {
        var parts = rest.Split('/');
        if (parts.Length < 4 || parts[2] != "revision")
        {
            return new Response(404);
        }

        if (Find($"{parts[0]}/{parts[1]}", Uri.UnescapeDataString(string.Join('/', parts[3..])), headers, out var repo, out var commit) is { } error)
        {
            return error;
        }

        var body = new JsonObject
        {
            ["id"] = repo.Id,
            ["sha"] = commit,
            ["siblings"] = new JsonArray([.. repo.Files.Keys.Order(StringComparer.Ordinal).Select(f => (JsonNode)new JsonObject { ["rfilename"] = f })]),
        };
        return new Response(200, new() { ["Content-Type"] = "application/json" }, Encoding.UTF8.GetBytes(body.ToJsonString()));
    }

    private Response Resolve(string repoId, string revision, string file, Dictionary<string, string> headers)
    {
        if (Find(repoId, revision, headers, out var repo, out var commit) is { } error)
        {
            return error;
        }

        if (!repo.Files.TryGetValue(file, out var content))
        {
            return new Response(404, new() { ["X-Error-Code"] = "EntryNotFound" });
        }

        var meta = new Dictionary<string, string> { ["X-Repo-Commit"] = commit, ["ETag"] = $"\"{GitBlobId(content)}\"" };
        if (!FakeRepo.IsLfs(file))
        {
            var body = Body(file, content, headers);
            foreach (var (name, value) in meta)
            {
                body.Headers[name] = value;
            }

            return body;
        }

        var sha = Sha256(content);
        meta["X-Linked-Etag"] = $"\"{sha}\"";
        meta["X-Linked-Size"] = content.Length.ToString(CultureInfo.InvariantCulture);
        meta["Location"] = $"/lfs/{sha}";
        return new Response(302, meta);
    }

    /// <summary>Null with the repository and commit a request names, or the Hub's error answer.</summary>
    private Response? Find(string repoId, string revision, Dictionary<string, string> headers, out FakeRepo repo, out string commit)
    {
        commit = string.Empty;
        if (!_repos.TryGetValue(repoId, out repo!))
        {
            return new Response(404, new() { ["X-Error-Code"] = "RepoNotFound", ["X-Error-Message"] = "Repository not found" });
        }

        if (repo.RequiredToken is { } token && (!headers.TryGetValue("Authorization", out var auth) || auth != $"Bearer {token}"))
        {
            return new Response(401, new() { ["X-Error-Code"] = "GatedRepo", ["X-Error-Message"] = $"Access to model {repoId} is restricted. You must have access to it and be authenticated to access it. Please log in." });
        }

        if (repo.Branches.TryGetValue(revision, out var head) || revision == repo.Commit)
        {
            commit = head ?? repo.Commit;
            return null;
        }

        return new Response(404, new() { ["X-Error-Code"] = "RevisionNotFound", ["X-Error-Message"] = "Invalid rev id: " + revision });
    }

    /// <summary>A file body from the requested range, with the faults set for it.</summary>
    private Response Body(string file, byte[] content, Dictionary<string, string> headers)
    {
        long start = 0;
        var responseHeaders = new Dictionary<string, string> { ["Accept-Ranges"] = "bytes" };
        var status = 200;
        if (headers.TryGetValue("Range", out var range) && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            start = long.Parse(range[6..^1], CultureInfo.InvariantCulture);
            if (start >= content.Length)
            {
                return new Response(416, new() { ["Content-Range"] = $"bytes */{content.Length}" });
            }

            status = 206;
            responseHeaders["Content-Range"] = $"bytes {start}-{content.Length - 1}/{content.Length}";
        }

        var body = content;
        if (_corrupt.ContainsKey(file))
        {
            body = (byte[])content.Clone();
            body[body.Length / 2] ^= 0xFF;
        }

        return new Response(status, responseHeaders, body, start, file);
    }

    private async Task WriteAsync(NetworkStream stream, string method, Response response)
    {
        var length = response.Body is null ? 0 : response.Body.Length - response.Start;
        var head = new StringBuilder($"HTTP/1.1 {response.Status} {(HttpStatusCode)response.Status}\r\n");
        foreach (var (name, value) in response.Headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        if (method == "HEAD" || response.Body is not { } body)
        {
            return;
        }

        // A dropped connection closes cleanly after part of the body: the client sees fewer bytes than Content-Length.
        var stopAt = response.File is not null && _drops.TryRemove(response.File, out var drop) ? drop : long.MaxValue;
        for (var offset = response.Start; offset < body.Length; offset += 4096)
        {
            var count = (int)Math.Min(4096, body.Length - offset);
            if (offset + count > stopAt)
            {
                await stream.WriteAsync(body.AsMemory((int)offset, (int)Math.Max(0, stopAt - offset)));
                return;
            }

            await stream.WriteAsync(body.AsMemory((int)offset, count));
            if (ChunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(ChunkDelay);
            }
        }
    }

    private static string GitBlobId(byte[] content) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {content.Length}\0"), .. content]));

    private sealed record Response(int Status, Dictionary<string, string>? ResponseHeaders = null, byte[]? Body = null, long Start = 0, string? File = null)
    {
        public Dictionary<string, string> Headers { get; init; } = ResponseHeaders ?? [];
    }
}

/// <summary>A repository the fake Hub serves.</summary>
internal sealed record FakeRepo(string Id, string Commit, IReadOnlyDictionary<string, byte[]> Files, string? RequiredToken)
{
    /// <summary>Gets the branches and tags; <c>main</c> points at <see cref="Commit"/>.</summary>
    public ConcurrentDictionary<string, string> Branches { get; } = new(StringComparer.Ordinal) { ["main"] = Commit };

    public static bool IsLfs(string file) => file.EndsWith(".safetensors", StringComparison.Ordinal) || file.EndsWith(".bin", StringComparison.Ordinal) || file.EndsWith(".gguf", StringComparison.Ordinal);
}
