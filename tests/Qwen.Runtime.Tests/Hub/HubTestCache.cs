namespace Qwen.Runtime.Tests;

/// <summary>A fresh cache and Hugging Face home for one test, with options that read nothing from the process environment.</summary>
internal sealed class HubTestCache : IDisposable
{
    private readonly TempDirectory _root = new();

    public HubTestCache()
    {
        Home = Path.Combine(_root.Path, "hf-home");
        Cache = Path.Combine(Home, "hub");
    }

    public string Home { get; }

    public string Cache { get; }

    /// <summary>Options for <paramref name="endpoint"/> with this cache, no token and an empty environment (unless <paramref name="environment"/> gives one).</summary>
    public HubOptions Options(string endpoint, IReadOnlyDictionary<string, string>? environment = null) => new()
    {
        Endpoint = endpoint,
        HomeDirectory = Home,
        EnvironmentReader = name => environment is not null && environment.TryGetValue(name, out var value) ? value : null,
        Timeout = TimeSpan.FromSeconds(10),
    };

    public string RepoFolder(string repoId) => Path.Combine(Cache, "models--" + repoId.Replace("/", "--", StringComparison.Ordinal));

    public void Dispose() => _root.Dispose();

    /// <summary>The files of a tiny random-weight Qwen2 checkpoint (byte-level tokenizer, ChatML template), written once per test run.</summary>
    public static IReadOnlyDictionary<string, byte[]> TinyCheckpoint => Tiny.Value;

    private static readonly Lazy<IReadOnlyDictionary<string, byte[]>> Tiny = new(() =>
    {
        using var folder = new TempDirectory();
        TinyModelWriter.Write(folder.Path, new TinyModelOptions { Seed = 5 });
        return Directory.GetFiles(folder.Path).ToDictionary(f => Path.GetFileName(f), f => File.ReadAllBytes(f));
    });

    /// <summary>The tiny checkpoint plus files a Hub repository has that the runtime does not need.</summary>
    public static Dictionary<string, byte[]> TinyRepository() => new(TinyCheckpoint)
    {
        ["README.md"] = "# tiny\n"u8.ToArray(),
        ["pytorch_model.bin"] = new byte[3000],
        ["onnx/model.onnx"] = new byte[100],
    };

    /// <summary>A loopback address where nothing listens.</summary>
    public static string DeadEndpoint()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }
}
