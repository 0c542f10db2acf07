using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Qwen.Runtime.Tests;

/// <summary>
/// A loopback server that answers like the Hugging Face Hub, for tests: <c>GET /api/models/{repo}/revision/{rev}</c>
/// (sha, siblings), <c>HEAD</c>/<c>GET /{repo}/resolve/{rev}/{file}</c> (X-Repo-Commit, ETag, X-Linked-Etag, X-Linked-Size,
/// a redirect to <c>/lfs/{sha256}</c> for LFS files), ranges, 401 for gated repositories and 404 for unknown ones, and
/// injected faults (a connection dropped mid-file, a corrupted body, slow bodies).
/// </summary>
internal sealed class FakeHub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakeRepo> _repos = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _lfs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _drops = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _corrupt = new(StringComparer.Ordinal);

    private FakeHub(WebApplication app) => _app = app;

    /// <summary>Gets the base URL, for <c>HF_ENDPOINT</c> or <see cref="HubOptions.Endpoint"/>.</summary>
    public string Endpoint { get; private set; } = string.Empty;

    /// <summary>Gets every request: method, path and Range header.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Gets or sets a pause after each 4 KiB of a file body, so concurrent downloads really overlap.</summary>
    public TimeSpan ChunkDelay { get; set; }

    public static async Task<FakeHub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var hub = new FakeHub(app);
        app.Run(hub.HandleAsync);
        await app.StartAsync();
        hub.Endpoint = app.Urls.First();
        return hub;
    }

    /// <summary>Serves <paramref name="files"/> as repository <paramref name="repoId"/> at a new commit on <c>main</c>; with a token, the repository is gated.</summary>
    public FakeRepo AddRepo(string repoId, IReadOnlyDictionary<string, byte[]> files, string? requiredToken = null)
    {
        var repo = new FakeRepo(repoId, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)), files, requiredToken);
        foreach (var (name, content) in files)
        {
            if (FakeRepo.IsLfs(name))
            {
                _lfs[Sha256(content)] = content;
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

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        Requests.Enqueue($"{request.Method} {path} {request.Headers.Range}".TrimEnd());
        const string api = "/api/models/";
        if (path.StartsWith(api, StringComparison.Ordinal))
        {
            await RevisionAsync(context, path[api.Length..]);
        }
        else if (path.StartsWith("/lfs/", StringComparison.Ordinal) && _lfs.TryGetValue(path[5..], out var content))
        {
            var file = _repos.Values.SelectMany(r => r.Files).First(f => FakeRepo.IsLfs(f.Key) && Sha256(f.Value) == path[5..]).Key;
            await ServeBodyAsync(context, file, content);
        }
        else if (path.Split('/') is [_, var org, var name, "resolve", var rev, .. var fileParts] && fileParts.Length > 0)
        {
            await ResolveAsync(context, $"{org}/{name}", Uri.UnescapeDataString(rev), string.Join('/', fileParts.Select(Uri.UnescapeDataString)));
        }
        else
        {
            context.Response.StatusCode = 404;
        }
    }

    private async Task RevisionAsync(HttpContext context, string rest)
    {
        var parts = rest.Split('/');
        if (parts.Length < 4 || parts[2] != "revision")
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (Find(context, $"{parts[0]}/{parts[1]}", Uri.UnescapeDataString(string.Join('/', parts[3..]))) is not var (repo, commit))
        {
            return;
        }

        var body = new JsonObject
        {
            ["id"] = repo.Id,
            ["sha"] = commit,
            ["siblings"] = new JsonArray([.. repo.Files.Keys.Order(StringComparer.Ordinal).Select(f => (JsonNode)new JsonObject { ["rfilename"] = f })]),
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private async Task ResolveAsync(HttpContext context, string repoId, string revision, string file)
    {
        if (Find(context, repoId, revision) is not var (repo, commit))
        {
            return;
        }

        var response = context.Response;
        if (!repo.Files.TryGetValue(file, out var content))
        {
            response.StatusCode = 404;
            response.Headers["X-Error-Code"] = "EntryNotFound";
            return;
        }

        response.Headers["X-Repo-Commit"] = commit;
        response.Headers.ETag = $"\"{GitBlobId(content)}\"";
        if (FakeRepo.IsLfs(file))
        {
            var sha = Sha256(content);
            response.Headers["X-Linked-Etag"] = $"\"{sha}\"";
            response.Headers["X-Linked-Size"] = content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.StatusCode = StatusCodes.Status302Found;
            response.Headers.Location = $"/lfs/{sha}";
            return;
        }

        await ServeBodyAsync(context, file, content);
    }

    /// <summary>The repository and commit a request names, or null after writing the Hub's error answer.</summary>
    private (FakeRepo Repo, string Commit)? Find(HttpContext context, string repoId, string revision)
    {
        var response = context.Response;
        if (!_repos.TryGetValue(repoId, out var repo))
        {
            response.StatusCode = 404;
            response.Headers["X-Error-Code"] = "RepoNotFound";
            response.Headers["X-Error-Message"] = "Repository not found";
            return null;
        }

        if (repo.RequiredToken is { } token && context.Request.Headers.Authorization.ToString() != $"Bearer {token}")
        {
            response.StatusCode = 401;
            response.Headers["X-Error-Code"] = "GatedRepo";
            response.Headers["X-Error-Message"] = $"Access to model {repoId} is restricted. You must have access to it and be authenticated to access it. Please log in.";
            return null;
        }

        var commit = repo.Branches.TryGetValue(revision, out var head) ? head : revision == repo.Commit ? repo.Commit : null;
        if (commit is null)
        {
            response.StatusCode = 404;
            response.Headers["X-Error-Code"] = "RevisionNotFound";
            response.Headers["X-Error-Message"] = "Invalid rev id: " + revision;
            return null;
        }

        return (repo, commit);
    }

    private async Task ServeBodyAsync(HttpContext context, string file, byte[] content)
    {
        var response = context.Response;
        response.Headers.AcceptRanges = "bytes";
        long start = 0;
        if (context.Request.Headers.Range.ToString() is { Length: > 0 } range && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            start = long.Parse(range[6..^1], System.Globalization.CultureInfo.InvariantCulture);
            if (start >= content.Length)
            {
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                return;
            }

            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {start}-{content.Length - 1}/{content.Length}";
        }

        response.ContentLength = content.Length - start;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        var body = content;
        if (_corrupt.ContainsKey(file))
        {
            body = (byte[])content.Clone();
            body[body.Length / 2] ^= 0xFF;
        }

        var stopAt = _drops.TryRemove(file, out var drop) ? drop : long.MaxValue;
        for (var offset = start; offset < body.Length; offset += 4096)
        {
            var count = (int)Math.Min(4096, body.Length - offset);
            if (offset + count > stopAt)
            {
                await response.Body.WriteAsync(body.AsMemory((int)offset, (int)(stopAt - offset)));
                await response.Body.FlushAsync();

                // Give the client time to read what was sent: a reset discards data it has not read yet.
                await Task.Delay(200);
                context.Abort();
                return;
            }

            await response.Body.WriteAsync(body.AsMemory((int)offset, count));
            if (ChunkDelay > TimeSpan.Zero)
            {
                await response.Body.FlushAsync();
                await Task.Delay(ChunkDelay);
            }
        }
    }

    private static string GitBlobId(byte[] content) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {content.Length}\0"), .. content]));
}

/// <summary>A repository the fake Hub serves.</summary>
internal sealed record FakeRepo(string Id, string Commit, IReadOnlyDictionary<string, byte[]> Files, string? RequiredToken)
{
    /// <summary>Gets the branches and tags; <c>main</c> points at <see cref="Commit"/>.</summary>
    public ConcurrentDictionary<string, string> Branches { get; } = new(StringComparer.Ordinal) { ["main"] = Commit };

    public static bool IsLfs(string file) => file.EndsWith(".safetensors", StringComparison.Ordinal) || file.EndsWith(".bin", StringComparison.Ordinal) || file.EndsWith(".gguf", StringComparison.Ordinal);
}
