namespace Qwen.Runtime;

/// <summary>Finds Qwen checkpoints by name: resolves <c>Qwen/Qwen3-0.6B[@revision]</c> to a folder in the standard Hugging Face cache, downloading what is missing.</summary>
/// <remarks>
/// The cache is the one Python's huggingface_hub uses (<c>models--{org}--{name}/blobs</c>, <c>snapshots/{commit}</c>, <c>refs/{revision}</c>),
/// so a model fetched by either is used by the other without a download. Only the files the runtime needs are fetched:
/// config.json, generation_config.json, tokenizer.json, tokenizer_config.json, chat_template.jinja and the safetensors weights
/// with their index. Downloads resume with HTTP ranges, every file is verified (sha256 for LFS files, size otherwise), and
/// processes fetching the same model share the work through file locks. Safe to use from several threads.
/// </remarks>
public sealed class HubClient : IDisposable
{
    private readonly HubSettings _settings;
    private readonly HubCache _cache;
    private readonly Lazy<HubHttp> _http;

    /// <summary>Creates a client; unset options are read from the environment (<c>HF_ENDPOINT</c>, <c>HF_HUB_CACHE</c>, <c>HF_HOME</c>, <c>HF_TOKEN</c>, <c>HF_HUB_OFFLINE</c>).</summary>
    /// <param name="options">The endpoint, cache, token and offline mode; null for the environment's.</param>
    /// <exception cref="ArgumentException">The endpoint is not an http(s) URL, or a timeout or retry count is out of range.</exception>
    public HubClient(HubOptions? options = null)
    {
        _settings = HubSettings.From(options);
        _cache = new HubCache(_settings.CacheDirectory);
        _http = new Lazy<HubHttp>(() => new HubHttp(_settings), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets the cache folder (the one holding <c>models--{org}--{name}</c> folders).</summary>
    public string CacheDirectory => _settings.CacheDirectory;

    /// <summary>Gets the Hub's base URL.</summary>
    public Uri Endpoint => _settings.Endpoint;

    /// <summary>Gets whether the client uses only the cache.</summary>
    public bool Offline => _settings.Offline;

    /// <summary>Turns a checkpoint folder or a model name into a checkpoint folder: an existing folder as it is, a name through the cache, downloading it when it is not (completely) there.</summary>
    /// <param name="model">A folder, or a name such as <c>Qwen/Qwen3-0.6B</c> or <c>Qwen/Qwen3-0.6B@REVISION</c>. A name that is also an existing folder means the folder.</param>
    /// <param name="progress">Receives download progress; nothing is reported when the cache already has the model.</param>
    /// <param name="cancellationToken">Cancels the download (the partial file is kept and resumes next time).</param>
    /// <returns>The folder to load.</returns>
    /// <remarks>A branch or tag already in the cache is used without asking the Hub whether it moved; <see cref="DownloadAsync"/> asks.</remarks>
    /// <exception cref="ArgumentException"><paramref name="model"/> is neither an existing folder nor a model name.</exception>
    /// <exception cref="HubException">The model could not be found, fetched or verified; <see cref="HubException.Kind"/> says why.</exception>
    public async Task<string> ResolveAsync(string model, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        if (Directory.Exists(model))
        {
            return model;
        }

        if (!ModelReference.TryParse(model, out var reference))
        {
            throw new ArgumentException($"'{model}' is neither a folder nor a Hugging Face model name such as Qwen/Qwen3-0.6B.", nameof(model));
        }

        return FindCached(reference) ?? await DownloadAsync(reference, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finds a model in the cache without any request: the snapshot its revision last pointed at, when it holds a complete checkpoint.</summary>
    /// <param name="model">The model and revision.</param>
    /// <returns>The snapshot folder, or null when the model is not (completely) cached.</returns>
    public string? FindCached(ModelReference model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return _cache.FindCompleteSnapshot(model);
    }

    /// <summary>Brings a model's checkpoint files up to date in the cache: asks the Hub which commit the revision is at and fetches the files that are missing.</summary>
    /// <param name="model">The model and revision.</param>
    /// <param name="progress">Receives download progress.</param>
    /// <param name="cancellationToken">Cancels the download (the partial file is kept and resumes next time).</param>
    /// <returns>The snapshot folder, <c>{cache}/models--{org}--{name}/snapshots/{commit}</c>.</returns>
    /// <remarks>Offline, the cached snapshot is returned without any request, or <see cref="HubErrorKind.NotCached"/> is thrown.</remarks>
    /// <exception cref="HubException">The model could not be found, fetched or verified; <see cref="HubException.Kind"/> says why.</exception>
    public Task<string> DownloadAsync(ModelReference model, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (_settings.Offline)
        {
            return _cache.FindCompleteSnapshot(model) is { } snapshot
                ? Task.FromResult(snapshot)
                : throw new HubException(HubErrorKind.NotCached,
                    $"{model} is not in the cache {_settings.CacheDirectory}{(_cache.ResolveCommit(model) is null ? string.Empty : " completely")} and offline mode is on (HF_HUB_OFFLINE=1 or HubOptions.Offline). Download it once with the network on (qwen download {model}), or pass a local checkpoint folder.");
        }

        return new ModelDownload(_settings, _cache, _http.Value, model, progress).RunAsync(cancellationToken);
    }

    /// <summary>Lists the complete snapshots of Qwen checkpoints (the architectures the runtime loads) in the cache, whoever downloaded them.</summary>
    /// <returns>The snapshots, by model id then revision.</returns>
    public IReadOnlyList<CachedModel> GetCachedModels() => _cache.List();

    /// <summary>Releases the HTTP connections.</summary>
    public void Dispose()
    {
        if (_http.IsValueCreated)
        {
            _http.Value.Dispose();
        }
    }

    /// <summary>The folder for <paramref name="model"/> as <see cref="QwenModel.Load"/> takes it: an existing folder as it is, a model name resolved through the cache; anything else is returned unchanged for the loader to report.</summary>
    internal static string ResolveForLoad(string model, HubOptions? options, IProgress<DownloadProgress>? progress)
    {
        if (Directory.Exists(model) || !ModelReference.TryParse(model, out _))
        {
            return model;
        }

        using var client = new HubClient(options);

        // Load is synchronous; the download's awaits all use ConfigureAwait(false), so blocking here cannot deadlock.
        return client.ResolveAsync(model, progress).GetAwaiter().GetResult();
    }
}
