using System.Text.Json;
using Qwen.Runtime;
using Qwen.Runtime.Diagnostics;
using Qwen.Runtime.Tests;

namespace Qwen.Cli.Tests;

/// <summary>End to end against a loopback fake Hugging Face Hub: <c>qwen chat --model ORG/NAME</c>, the default model, <c>qwen download</c> and <c>qwen models</c>.</summary>
public sealed class HubCommandTests : IAsyncLifetime, IDisposable
{
    private const string RepoId = "test-org/tiny-chat";
    private readonly string _root = Directory.CreateTempSubdirectory("qwen-cli-hub-").FullName;
    private FakeHub _hub = null!;

    private string Cache => Path.Combine(_root, "cache");

    public async Task InitializeAsync()
    {
        var checkpoint = Path.Combine(_root, "checkpoint");
        TinyModelWriter.Write(checkpoint, new TinyModelOptions { Seed = 7 });
        _hub = await FakeHub.StartAsync();
        _hub.AddRepoFromFolder(RepoId, checkpoint);
        _hub.AddRepoFromFolder(CliModels.DefaultModel, checkpoint);
        _hub.AddRepoFromFolder("test-org/gated", checkpoint, requiredToken: "hf_cli_secret");
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>The environment of a user whose Hub is the fake one and whose cache is this test's.</summary>
    private Dictionary<string, string?> Environment(string? endpoint = null) => new()
    {
        ["HF_ENDPOINT"] = endpoint ?? _hub.Endpoint,
        ["HF_HUB_CACHE"] = Cache,
        ["HF_HOME"] = Path.Combine(_root, "home"),
        ["HF_HUB_OFFLINE"] = null,
        ["HF_TOKEN"] = null,
    };

    [Fact]
    public async Task Chat_ModelName_DownloadsOnceThenAnswersFromTheCache()
    {
        string[] args = ["chat", "--model", RepoId, "--device", "cpu", "--temperature", "0", "--max-tokens", "8", "Hello there"];

        var first = await CliRunner.RunWithEnvironmentAsync(Environment(), args);
        _hub.Requests.Clear();
        var second = await CliRunner.RunWithEnvironmentAsync(Environment(), args);

        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.StartsWith($"qwen: downloading {RepoId} (", first.StdErr);
        Assert.NotEqual(string.Empty, first.StdOut.Trim());
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(string.Empty, second.StdErr);
        Assert.Equal(first.StdOut, second.StdOut);
        Assert.Empty(_hub.Requests);
    }

    [Fact]
    public async Task Chat_NoModelNoEndpoint_SaysSoAndUsesTheDefaultModel()
    {
        var result = await CliRunner.RunWithEnvironmentAsync(Environment(), "chat", "--device", "cpu", "--max-tokens", "4", "Why is the sky blue?");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"qwen: no --model given, so using {CliModels.DefaultModel}", result.StdErr);
        Assert.True(Directory.Exists(Path.Combine(Cache, "models--Qwen--Qwen3-0.6B", "snapshots")));
    }

    [Fact]
    public async Task Chat_DefaultModelOfflineAndNotCached_FailsSayingHowToGetIt()
    {
        var environment = Environment();
        environment["HF_HUB_OFFLINE"] = "1";

        var result = await CliRunner.RunWithEnvironmentAsync(environment, "chat", "hi");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.StdOut);
        var lines = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("not in the cache", lines[1]);
        Assert.Contains("HF_HUB_OFFLINE=1", lines[1]);
        Assert.Empty(_hub.Requests);
    }

    [Fact]
    public async Task Download_ThenModels_PrintTheSnapshotAndListIt()
    {
        var download = await CliRunner.RunWithEnvironmentAsync(Environment(), "download", RepoId, "--revision", "main");
        var json = await CliRunner.RunWithEnvironmentAsync(Environment(), "models", "--json");
        var table = await CliRunner.RunWithEnvironmentAsync(Environment(), "models");

        Assert.Equal(0, download.ExitCode);
        var snapshot = download.StdOut.Trim();
        Assert.StartsWith(Path.Combine(Cache, "models--test-org--tiny-chat", "snapshots") + Path.DirectorySeparatorChar, snapshot);
        Assert.True(File.Exists(Path.Combine(snapshot, "model.safetensors")));
        Assert.Equal(0, json.ExitCode);
        using var doc = JsonDocument.Parse(json.StdOut);
        var model = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal(["id", "revision", "path", "bytes"], model.EnumerateObject().Select(p => p.Name));
        Assert.Equal(RepoId, model.GetProperty("id").GetString());
        Assert.Equal("main", model.GetProperty("revision").GetString());
        Assert.Equal(snapshot, model.GetProperty("path").GetString());
        Assert.Equal(Directory.GetFiles(snapshot).Sum(f => File.ReadAllBytes(f).LongLength), model.GetProperty("bytes").GetInt64());
        Assert.Contains(RepoId, table.StdOut);
        Assert.Contains(snapshot, table.StdOut);
    }

    [Fact]
    public async Task Download_TwoProcessesAtOnce_BothSucceedAndFetchTheWeightsOnce()
    {
        _hub.ChunkDelay = TimeSpan.FromMilliseconds(1);

        var results = await Task.WhenAll(
            CliRunner.RunWithEnvironmentAsync(Environment(), "download", RepoId),
            CliRunner.RunWithEnvironmentAsync(Environment(), "download", RepoId));

        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        Assert.Equal(results[0].StdOut, results[1].StdOut);
        Assert.Equal(1, _hub.Count("GET /lfs/"));
    }

    [Fact]
    public async Task Tokenize_ModelNameAfterDownload_WorksOffline()
    {
        await CliRunner.RunWithEnvironmentAsync(Environment(), "download", RepoId);
        var environment = Environment();
        environment["HF_HUB_OFFLINE"] = "1";
        _hub.Requests.Clear();

        var result = await CliRunner.RunWithEnvironmentAsync(environment, "tokenize", "--model", RepoId, "--count", "hi");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("2", result.StdOut.Trim());
        Assert.Empty(_hub.Requests);
    }

    [Fact]
    public async Task Models_EmptyCache_SaysHowToDownloadOne()
    {
        var table = await CliRunner.RunWithEnvironmentAsync(Environment(), "models");
        var json = await CliRunner.RunWithEnvironmentAsync(Environment(), "models", "--json");

        Assert.Equal(0, table.ExitCode);
        Assert.Equal(string.Empty, table.StdOut);
        Assert.Contains($"qwen download {CliModels.DefaultModel}", table.StdErr);
        Assert.Equal("[]", json.StdOut.Trim());
    }

    [Theory]
    [InlineData("was not found", "download", "nobody/nothing")]
    [InlineData("HF_TOKEN=", "download", "test-org/gated")]
    [InlineData("has no branch, tag or commit 'v7'", "download", "test-org/tiny-chat", "--revision", "v7")]
    [InlineData("not both", "download", "test-org/tiny-chat@main", "--revision", "v1")]
    [InlineData("is not a Hugging Face model name", "download", "./some/folder")]
    [InlineData("was not found", "chat", "--model", "nobody/nothing", "hi")]
    public async Task Download_BadModel_OneLineError(string expected, params string[] args)
    {
        var result = await CliRunner.RunWithEnvironmentAsync(Environment(), args);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.StdOut);
        var line = Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("qwen: ", line);
        Assert.Contains(expected, line);
    }

    [Fact]
    public async Task Download_HubUnreachable_NamesTheHostAndSuggestsOfflineMode()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await CliRunner.RunWithEnvironmentAsync(Environment($"http://127.0.0.1:{port}"), "download", RepoId);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"127.0.0.1:{port}", result.StdErr);
        Assert.Contains("HF_HUB_OFFLINE=1", result.StdErr);
    }

    [Fact]
    public async Task Download_GatedWithHfToken_Downloads()
    {
        var environment = Environment();
        environment["HF_TOKEN"] = "hf_cli_secret";

        var result = await CliRunner.RunWithEnvironmentAsync(environment, "download", "test-org/gated");

        Assert.Equal(0, result.ExitCode);
        Assert.True(File.Exists(Path.Combine(result.StdOut.Trim(), "config.json")));
    }
}
