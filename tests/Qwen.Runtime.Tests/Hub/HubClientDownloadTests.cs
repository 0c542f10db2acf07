namespace Qwen.Runtime.Tests;

/// <summary>Downloads from a loopback fake Hub into the standard cache layout: first run, cached run, resume, verification, concurrency.</summary>
public sealed class HubClientDownloadTests : IAsyncLifetime, IDisposable
{
    private const string RepoId = "test-org/tiny-qwen";
    private readonly HubTestCache _cache = new();
    private FakeHub _hub = null!;
    private FakeRepo _repo = null!;

    public async Task InitializeAsync()
    {
        _hub = await FakeHub.StartAsync();
        _repo = _hub.AddRepo(RepoId, HubTestCache.TinyRepository());
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    public void Dispose() => _cache.Dispose();

    private static string WeightsSha => FakeHub.Sha256(HubTestCache.TinyCheckpoint["model.safetensors"]);

    [Fact]
    public async Task DownloadAsync_FirstRun_WritesThePythonCacheLayoutWithOnlyTheNeededFiles()
    {
        var reports = new List<DownloadProgress>();
        using var client = new HubClient(_cache.Options(_hub.Endpoint));

        var snapshot = await client.DownloadAsync(ModelReference.Parse(RepoId), new SyncProgress<DownloadProgress>(reports.Add));

        var repoFolder = _cache.RepoFolder(RepoId);
        Assert.Equal(Path.Combine(repoFolder, "snapshots", _repo.Commit), snapshot);
        Assert.Equal(_repo.Commit, File.ReadAllText(Path.Combine(repoFolder, "refs", "main")));
        Assert.Equal(HubTestCache.TinyCheckpoint.Keys.Order(), Directory.GetFiles(snapshot).Select(Path.GetFileName).Order());
        foreach (var (name, content) in HubTestCache.TinyCheckpoint)
        {
            var link = new FileInfo(Path.Combine(snapshot, name));
            Assert.StartsWith("../../blobs/", link.LinkTarget);
            Assert.Equal(content, File.ReadAllBytes(link.FullName));
        }

        Assert.Equal("../../blobs/" + WeightsSha, new FileInfo(Path.Combine(snapshot, "model.safetensors")).LinkTarget);
        Assert.Empty(Directory.GetFiles(Path.Combine(repoFolder, "blobs"), "*.incomplete"));
        Assert.DoesNotContain(_hub.Requests, r => r.Contains("pytorch_model.bin", StringComparison.Ordinal) || r.Contains("README", StringComparison.Ordinal) || r.Contains("onnx", StringComparison.Ordinal));
        var last = reports[^1];
        Assert.Equal(HubTestCache.TinyCheckpoint.Values.Sum(v => (long)v.Length), last.TotalBytes);
        Assert.Equal(last.TotalBytes, last.BytesDownloaded);
        Assert.Equal(HubTestCache.TinyCheckpoint.Count, last.FilesDone);
        Assert.Contains(reports, r => r.File == "model.safetensors");
    }

    [Fact]
    public async Task ResolveAsync_SecondRun_UsesTheCacheWithNoRequests()
    {
        using (var first = new HubClient(_cache.Options(_hub.Endpoint)))
        {
            await first.ResolveAsync(RepoId);
        }

        _hub.Requests.Clear();
        using var second = new HubClient(_cache.Options(_hub.Endpoint));

        var snapshot = await second.ResolveAsync(RepoId);
        var byCommit = await second.ResolveAsync($"{RepoId}@{_repo.Commit}");

        Assert.Empty(_hub.Requests);
        Assert.Equal(Path.Combine(_cache.RepoFolder(RepoId), "snapshots", _repo.Commit), snapshot);
        Assert.Equal(snapshot, byCommit);
    }

    [Fact]
    public async Task DownloadAsync_AgainWithEverythingCached_AsksForTheCommitOnly()
    {
        using var client = new HubClient(_cache.Options(_hub.Endpoint));
        await client.DownloadAsync(ModelReference.Parse(RepoId));
        _hub.Requests.Clear();

        await client.DownloadAsync(ModelReference.Parse(RepoId));

        Assert.Equal([$"GET /api/models/{RepoId}/revision/main"], _hub.Requests);
    }

    [Fact]
    public async Task DownloadAsync_ConnectionDropsMidFile_ResumesWithARange()
    {
        _hub.DropOnce("model.safetensors", 40_000);
        using var client = new HubClient(_cache.Options(_hub.Endpoint));

        var snapshot = await client.DownloadAsync(ModelReference.Parse(RepoId));

        Assert.Equal(HubTestCache.TinyCheckpoint["model.safetensors"], File.ReadAllBytes(Path.Combine(snapshot, "model.safetensors")));
        var lfsGets = _hub.Requests.Where(r => r.StartsWith("GET /lfs/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lfsGets.Count);
        Assert.Matches(@"bytes=\d+-$", lfsGets[1]);
    }

    [Fact]
    public async Task DownloadAsync_DropWithNoRetries_FailsKeepingThePartThenResumesNextRun()
    {
        _hub.DropOnce("model.safetensors", 40_000);
        var options = _cache.Options(_hub.Endpoint);
        options.MaxRetries = 0;
        using var client = new HubClient(options);

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadAsync(ModelReference.Parse(RepoId)));

        Assert.Equal(HubErrorKind.Network, error.Kind);
        Assert.Contains(new Uri(_hub.Endpoint).Authority, error.Message);
        Assert.Contains("model.safetensors", error.Message);
        var partial = new FileInfo(Path.Combine(_cache.RepoFolder(RepoId), "blobs", WeightsSha + ".incomplete"));
        Assert.InRange(partial.Length, 1, 40_000);
        Assert.False(Directory.Exists(Path.Combine(_cache.RepoFolder(RepoId), "snapshots")));
        Assert.False(File.Exists(Path.Combine(_cache.RepoFolder(RepoId), "refs", "main")));

        var snapshot = await client.DownloadAsync(ModelReference.Parse(RepoId));

        Assert.Equal($"GET /lfs/{WeightsSha} bytes={partial.Length}-", _hub.Requests.Last(r => r.StartsWith("GET /lfs/", StringComparison.Ordinal)));
        Assert.Equal(HubTestCache.TinyCheckpoint["model.safetensors"], File.ReadAllBytes(Path.Combine(snapshot, "model.safetensors")));
    }

    [Fact]
    public async Task DownloadAsync_CorruptedBody_ThrowsChecksumMismatchAndLeavesNoSnapshot()
    {
        _hub.Corrupt("model.safetensors");
        using var client = new HubClient(_cache.Options(_hub.Endpoint));

        var error = await Assert.ThrowsAsync<HubException>(() => client.DownloadAsync(ModelReference.Parse(RepoId)));

        Assert.Equal(HubErrorKind.ChecksumMismatch, error.Kind);
        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains("sha256", error.Message);
        Assert.Contains(WeightsSha, error.Message);
        var repoFolder = _cache.RepoFolder(RepoId);
        Assert.False(Directory.Exists(Path.Combine(repoFolder, "snapshots")));
        Assert.False(File.Exists(Path.Combine(repoFolder, "refs", "main")));
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(repoFolder, "blobs")), f => Path.GetFileName(f).StartsWith(WeightsSha, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadAsync_TwoClientsAtOnce_FetchEachFileOnceAndAgree()
    {
        _hub.ChunkDelay = TimeSpan.FromMilliseconds(2);
        using var first = new HubClient(_cache.Options(_hub.Endpoint));
        using var second = new HubClient(_cache.Options(_hub.Endpoint));

        var snapshots = await Task.WhenAll(
            Task.Run(() => first.DownloadAsync(ModelReference.Parse(RepoId))),
            Task.Run(() => second.DownloadAsync(ModelReference.Parse(RepoId))));

        Assert.Equal(snapshots[0], snapshots[1]);
        Assert.Equal(1, _hub.Count("GET /lfs/"));
        Assert.Equal(1, _hub.Count($"GET /{RepoId}/resolve/{_repo.Commit}/config.json"));
        foreach (var (name, content) in HubTestCache.TinyCheckpoint)
        {
            Assert.Equal(content, File.ReadAllBytes(Path.Combine(snapshots[0], name)));
        }
    }

    [Fact]
    public async Task DownloadAsync_Revision_FetchesThatCommitAndWritesItsRef()
    {
        var older = _hub.AddRepo("test-org/other", HubTestCache.TinyCheckpoint);
        older.Branches["v1.0"] = older.Commit;
        using var client = new HubClient(_cache.Options(_hub.Endpoint));

        var snapshot = await client.DownloadAsync(new ModelReference("test-org/other", "v1.0"));

        Assert.EndsWith(older.Commit, snapshot);
        Assert.Equal(older.Commit, File.ReadAllText(Path.Combine(_cache.RepoFolder("test-org/other"), "refs", "v1.0")));
        Assert.False(File.Exists(Path.Combine(_cache.RepoFolder("test-org/other"), "refs", "main")));
    }

    [Fact]
    public async Task GetCachedModels_AfterDownload_ListsIdRevisionPathAndBytes()
    {
        using var client = new HubClient(_cache.Options(_hub.Endpoint));
        var snapshot = await client.ResolveAsync(RepoId);

        var models = client.GetCachedModels();

        var model = Assert.Single(models);
        Assert.Equal(new CachedModel(RepoId, "main", _repo.Commit, snapshot, HubTestCache.TinyCheckpoint.Values.Sum(v => (long)v.Length)), model);
    }
}
