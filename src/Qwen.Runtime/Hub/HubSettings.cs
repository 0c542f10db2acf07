namespace Qwen.Runtime;

/// <summary><see cref="HubOptions"/> with every unset value filled from the environment, as Python's huggingface_hub does.</summary>
internal sealed record HubSettings(Uri Endpoint, string CacheDirectory, string? Token, bool Offline, TimeSpan Timeout, int MaxRetries, Func<string, long> FreeSpaceProbe)
{
    public const string DefaultEndpoint = "https://huggingface.co";

    /// <summary>Resolves the options once.</summary>
    /// <exception cref="ArgumentException">The endpoint is not an http(s) URL, or a number is out of range.</exception>
    public static HubSettings From(HubOptions? options)
    {
        options ??= new HubOptions();
        var env = options.EnvironmentReader;
        string? Env(string name) => env(name) is { Length: > 0 } value ? value : null;

        var endpointText = options.Endpoint ?? Env("HF_ENDPOINT") ?? DefaultEndpoint;
        var endpointSource = options.Endpoint is not null ? "HubOptions.Endpoint" : "HF_ENDPOINT";
        if (!Uri.TryCreate(endpointText.TrimEnd('/') + "/", UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{endpointSource} '{endpointText}' is not an http(s) URL such as {DefaultEndpoint}.");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"HubOptions.Timeout must be positive, found {options.Timeout}.");
        }

        if (options.MaxRetries < 0)
        {
            throw new ArgumentException($"HubOptions.MaxRetries must be 0 or more, found {options.MaxRetries}.");
        }

        var home = ExpandHome(options.HomeDirectory ?? Env("HF_HOME")
            ?? Path.Combine(Env("XDG_CACHE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "huggingface"));
        var cache = ExpandHome(options.CacheDirectory ?? Env("HF_HUB_CACHE") ?? Env("HUGGINGFACE_HUB_CACHE") ?? Path.Combine(home, "hub"));
        var token = options.Token ?? Env("HF_TOKEN") ?? Env("HUGGING_FACE_HUB_TOKEN") ?? ReadTokenFile(ExpandHome(Env("HF_TOKEN_PATH") ?? Path.Combine(home, "token")));
        var offline = options.Offline ?? Env("HF_HUB_OFFLINE")?.Trim().ToUpperInvariant() is "1" or "ON" or "YES" or "TRUE";
        return new HubSettings(endpoint, Path.GetFullPath(cache), string.IsNullOrWhiteSpace(token) ? null : token.Trim(), offline, options.Timeout, options.MaxRetries, options.FreeSpaceProbe);
    }

    /// <summary>The endpoint without its trailing slash, as users write it.</summary>
    public string EndpointText => Endpoint.AbsoluteUri.TrimEnd('/');

    private static string? ReadTokenFile(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable token file is the same as none: public models still work, gated ones say how to set HF_TOKEN.
            return null;
        }
    }

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : string.Empty)
            : path;
}
