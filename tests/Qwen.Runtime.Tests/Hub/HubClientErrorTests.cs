namespace Qwen.Runtime.Tests;

/// <summary>Every way a Hub download fails, each with its kind and a message that says what to do, and a cache left consistent.</summary>
public sealed class HubClientErrorTests : IAsyncLifetime, IDisposable
{
    private readonly HubTestCache _cache = new();
    private FakeHub _hub = null!;

    public async Task InitializeAsync() => _hub = await FakeHub.StartAsync();

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task ResolveAsync_UnknownRepository_ThrowsRepositoryNotFound()
    {
        using var client = new HubClient(_cache.Options(_hub.Endpoint));

        var error = await Assert.ThrowsAsync<HubException>(() => client.ResolveAsync("nobody/no-such-model"));

        Assert.Equal(HubErrorKind.RepositoryNotFound, error.Kind);
        Assert.Contains("nobody/no-such-model was not found", error.Message);
        Assert.Contains(_hub.Endpoint, error.Message);
        Assert.False(Directory.Exists(_cache.RepoFolder("nobody/no-such-model")));
    }

    [Fact]
    public async Task ResolveAsync_UnknownRevision_ThrowsRevisionNotFound()
    {
        _hub.AddRepo("test-org/tiny", HubTestCache.TinyCheckpoint);
        using var client = new HubClient(_cache.Options(_hub.Endpoint));

        var error = await Assert.ThrowsAsync<HubException>(() => client.ResolveAsync("test-org/tiny@v9"));

        Assert.Equal(HubErrorKind.RevisionNotFound, error.Kind);
        Assert.Contains("'v9'", error.Message);
    }

    [Fact]
    public async Task ResolveAsync_GatedWithoutToken_ThrowsUnauthorizedSayingHowToSetTheToken()
    {
        _hub.AddRepo("test-org/gated", HubTestCache.TinyCheckpoint, requiredToken: "hf_secret");
        using var client = new HubClient(_cache.Options(_hub.Endpoint));

        var error = await Assert.ThrowsAsync<HubException>(() => client.ResolveAsync("test-org/gated"));

        Assert.Equal(HubErrorKind.Unauthorized, error.Kind);
        Assert.Contains("gated or private", error.Message);
        Assert.Contains("HF_TOKEN=", error.Message);
        Assert.False(Directory.Exists(_cache.RepoFolder("test-org/gated")));
    }

    [Fact]
    public async Task ResolveAsync_GatedWithAWrongToken_SaysTheTokenHasNoAccessWithoutShowingIt()
    {
        _hub.AddRepo("test-org/gated", HubTestCache.TinyCheckpoint, requiredToken: "hf_secret");
        var options = _cache.Options(_hub.Endpoint);
        options.Token = "hf_wrong_token";
        using var client = new HubClient(options);

        var error = await Assert.ThrowsAsync<HubException>(() => client.ResolveAsync("test-org/gated"));

        Assert.Equal(HubErrorKind.Unauthorized, error.Kind);
        Assert.Contains("has no access", error.Message);
        Assert.DoesNotContain("hf_wrong_token", error.Message);
    }

    [Theory]
    [InlineData("options")]
    [InlineData("HF_TOKEN")]
    [InlineData("token file")]
    public async Task ResolveAsync_GatedWithToken_Downloads(string source)
    {
        _hub.AddRepo("test-org/gated", HubTestCache.TinyCheckpoint, requiredToken: "hf_secret");
        var options = _cache.Options(_hub.Endpoint, source == "HF_TOKEN" ? new Dictionary<string, string> { ["HF_TOKEN"] = "hf_secret" } : null);
        if (source == "options")
        {
            options.Token = "hf_secret";
        }
        else if (source == "token file")
        {
            Directory.CreateDirectory(_cache.Home);
            File.WriteAllText(Path.Combine(_cache.Home, "token"), "hf_secret\n");
        }

        using var client = new HubClient(options);

        var snapshot = await client.ResolveAsync("test-org/gated");

        Assert.True(File.Exists(Path.Combine(snapshot, "model.safetensors")));
    }

    [Fact]
    public async Task ResolveAsync_HubUnreachable_ThrowsNetworkNamingTheHostAndTheWayOut()
    {
        var endpoint = HubTestCache.DeadEndpoint();
        using var client = new HubClient(_cache.Options(endpoint));

        var error = await Assert.ThrowsAsync<HubException>(() => client.ResolveAsync("test-org/tiny"));

        Assert.Equal(HubErrorKind.Network, error.Kind);
        Assert.Contains(new Uri(endpoint).Authority, error.Message);
        Assert.Contains("HF_HUB_OFFLINE=1", error.Message);
        Assert.Contains("local checkpoint folder", error.Message);
    }

    [Fact]
    public async Task ResolveAsync_NoSafetensors_RefusesBeforeDownloadingAnything()
    {
        _hub.AddRepo("test-org/bin-only", new Dictionary<string, byte[]>
        {
            ["config.json"] = HubTestCache.TinyCheckpoint["config.json"],
            ["tokenizer.json"] = HubTestCache.TinyCheckpoint["tokenizer.json"],
            ["pytorch_model.bin"] = new byte[50_000],
        });
        using var client = new HubClient(_cache.Options(_hub.Endpoint));

        var error = await Assert.ThrowsAsync<HubException>(() => client.ResolveAsync("test-org/bin-only"));

        Assert.Equal(HubErrorKind.UnsupportedCheckpoint, error.Kind);
        Assert.Contains("no *.safetensors", error.Message);
        Assert.Contains("pytorch_model.bin", error.Message);
        Assert.Equal(["GET /api/models/test-org/bin-only/revision/main"], _hub.Requests);
    }

    [Fact]
    public async Task ResolveAsync_NoConfig_RefusesAsNotACheckpoint()
    {
        _hub.AddRepo("test-org/gguf", new Dictionary<string, byte[]> { ["model-q4.gguf"] = new byte[100] });
        using var client = new HubClient(_cache.Options(_hub.Endpoint));

        var error = await Assert.ThrowsAsync<HubException>(() => client.ResolveAsync("test-org/gguf"));

        Assert.Equal(HubErrorKind.UnsupportedCheckpoint, error.Kind);
        Assert.Contains("no config.json", error.Message);
    }

    [Fact]
    public async Task ResolveAsync_DiskTooSmall_ThrowsDiskFullBeforeTheWeightsStart()
    {
        _hub.AddRepo("test-org/tiny", HubTestCache.TinyCheckpoint);
        var options = _cache.Options(_hub.Endpoint);
        options.FreeSpaceProbe = _ => 10_000;
        using var client = new HubClient(options);

        var error = await Assert.ThrowsAsync<HubException>(() => client.ResolveAsync("test-org/tiny"));

        Assert.Equal(HubErrorKind.DiskFull, error.Kind);
        Assert.Contains("Not enough disk space", error.Message);
        Assert.Contains("HF_HUB_CACHE", error.Message);
        Assert.Equal(0, _hub.Count("GET /lfs/"));
        Assert.Equal(0, _hub.Count("GET /test-org/tiny/resolve/"));
        Assert.False(Directory.Exists(Path.Combine(_cache.RepoFolder("test-org/tiny"), "snapshots")));
    }

    [Fact]
    public async Task ResolveAsync_OfflineAndNotCached_ThrowsNotCachedWithoutARequest()
    {
        _hub.AddRepo("test-org/tiny", HubTestCache.TinyCheckpoint);
        using var client = new HubClient(_cache.Options(_hub.Endpoint, new Dictionary<string, string> { ["HF_HUB_OFFLINE"] = "1" }));

        var error = await Assert.ThrowsAsync<HubException>(() => client.ResolveAsync("test-org/tiny"));

        Assert.True(client.Offline);
        Assert.Equal(HubErrorKind.NotCached, error.Kind);
        Assert.Contains("HF_HUB_OFFLINE=1", error.Message);
        Assert.Contains("qwen download test-org/tiny", error.Message);
        Assert.Empty(_hub.Requests);
    }

    [Theory]
    [InlineData("./not-here")]
    [InlineData("~/models/not-here")]
    [InlineData("a/b/c")]
    [InlineData("org/na me")]
    public async Task ResolveAsync_NeitherFolderNorName_ThrowsArgumentException(string model)
    {
        using var client = new HubClient(_cache.Options(_hub.Endpoint));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.ResolveAsync(model));

        Assert.Contains("neither a folder nor a Hugging Face model name", error.Message);
        Assert.Empty(_hub.Requests);
    }
}
