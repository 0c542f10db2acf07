using System.Security.Cryptography;
using System.Text;

namespace Qwen.Runtime.Tests;

/// <summary>A cache written the way Python's huggingface_hub writes it is read as it is, with no network; offline mode and listing.</summary>
public sealed class HubCacheTests : IDisposable
{
    private const string RepoId = "Qwen/Tiny-Python";
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";
    private readonly HubTestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    /// <summary>Lays out the tiny checkpoint as huggingface_hub does: blobs named by etag, relative links under snapshots/{commit}, refs/main.</summary>
    private string WritePythonCache(string repoId = RepoId, IReadOnlyDictionary<string, byte[]>? files = null)
    {
        var repo = _cache.RepoFolder(repoId);
        var snapshot = Path.Combine(repo, "snapshots", Commit);
        Directory.CreateDirectory(Path.Combine(repo, "blobs"));
        Directory.CreateDirectory(snapshot);
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        foreach (var (name, content) in files ?? HubTestCache.TinyCheckpoint)
        {
            var etag = name.EndsWith(".safetensors", StringComparison.Ordinal)
                ? Convert.ToHexStringLower(SHA256.HashData(content))
                : Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {content.Length}\0"), .. content]));
            File.WriteAllBytes(Path.Combine(repo, "blobs", etag), content);
            File.CreateSymbolicLink(Path.Combine(snapshot, name), $"../../blobs/{etag}");
        }

        File.WriteAllText(Path.Combine(repo, "refs", "main"), Commit);
        return snapshot;
    }

    [Fact]
    public async Task ResolveAsync_CacheWrittenByPython_IsUsedWithoutTheNetwork()
    {
        var snapshot = WritePythonCache();
        using var client = new HubClient(_cache.Options(HubTestCache.DeadEndpoint()));

        Assert.Equal(snapshot, await client.ResolveAsync(RepoId));
        Assert.Equal(snapshot, await client.ResolveAsync($"{RepoId}@main"));
        Assert.Equal(snapshot, await client.ResolveAsync($"{RepoId}@{Commit}"));
    }

    [Fact]
    public void Load_ModelNameInAPythonCache_LoadsTheSnapshot()
    {
        var snapshot = WritePythonCache();

        using var model = QwenModel.Load(RepoId, new QwenModelOptions { Device = "cpu", Hub = _cache.Options(HubTestCache.DeadEndpoint()) });

        Assert.Equal(snapshot, model.Directory);
        Assert.Equal(2, model.Config.NumHiddenLayers);
    }

    [Fact]
    public async Task DownloadAsync_OfflineWithTheModelCached_ReturnsTheSnapshotWithoutARequest()
    {
        var snapshot = WritePythonCache();
        var options = _cache.Options(HubTestCache.DeadEndpoint());
        options.Offline = true;
        using var client = new HubClient(options);

        Assert.Equal(snapshot, await client.DownloadAsync(ModelReference.Parse(RepoId)));
    }

    [Fact]
    public async Task ResolveAsync_SnapshotMissingAWeightShard_CountsAsNotCached()
    {
        var files = new Dictionary<string, byte[]>(HubTestCache.TinyCheckpoint)
        {
            [CheckpointFiles.ShardIndex] = """{"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}"""u8.ToArray(),
            ["model-00001-of-00002.safetensors"] = [1, 2, 3],
        };
        files.Remove("model.safetensors");
        WritePythonCache(files: files);
        var options = _cache.Options(HubTestCache.DeadEndpoint());
        options.Offline = true;
        using var client = new HubClient(options);

        var error = await Assert.ThrowsAsync<HubException>(() => client.ResolveAsync(RepoId));

        Assert.Equal(HubErrorKind.NotCached, error.Kind);
        Assert.Contains("completely", error.Message);
    }

    [Fact]
    public async Task ResolveAsync_NameThatIsAlsoALocalFolder_MeansTheFolder()
    {
        var org = "hub-test-" + Guid.NewGuid().ToString("N")[..8];
        var folder = Path.Combine(Environment.CurrentDirectory, org, "model");
        Directory.CreateDirectory(folder);
        try
        {
            using var client = new HubClient(_cache.Options(HubTestCache.DeadEndpoint()));

            Assert.Equal($"{org}/model", await client.ResolveAsync($"{org}/model"));
        }
        finally
        {
            Directory.Delete(Path.Combine(Environment.CurrentDirectory, org), recursive: true);
        }
    }

    [Fact]
    public void GetCachedModels_MixedCache_ListsOnlyCompleteQwenSnapshots()
    {
        var snapshot = WritePythonCache();
        File.WriteAllText(Path.Combine(_cache.RepoFolder(RepoId), "refs", "v1"), Commit);
        var llama = new Dictionary<string, byte[]>(HubTestCache.TinyCheckpoint) { ["config.json"] = """{"architectures": ["LlamaForCausalLM"], "model_type": "llama"}"""u8.ToArray() };
        WritePythonCache("meta/llama", llama);
        var partial = new Dictionary<string, byte[]>(HubTestCache.TinyCheckpoint);
        partial.Remove("model.safetensors");
        WritePythonCache("Qwen/Partial", partial);
        Directory.CreateDirectory(Path.Combine(_cache.Cache, "datasets--x--y", "snapshots"));
        using var client = new HubClient(_cache.Options(HubTestCache.DeadEndpoint()));

        var model = Assert.Single(client.GetCachedModels());

        Assert.Equal(RepoId, model.Id);
        Assert.Equal("main", model.Revision);
        Assert.Equal(Commit, model.Commit);
        Assert.Equal(snapshot, model.Path);
        Assert.Equal(HubTestCache.TinyCheckpoint.Values.Sum(v => (long)v.Length), model.Bytes);
    }

    [Fact]
    public void GetCachedModels_NoCacheFolder_IsEmpty()
    {
        using var client = new HubClient(_cache.Options(HubTestCache.DeadEndpoint()));

        Assert.Empty(client.GetCachedModels());
    }
}
