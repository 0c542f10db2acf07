namespace Qwen.Runtime.Tests;

/// <summary>Unset <see cref="HubOptions"/> come from the HF_* environment variables as huggingface_hub reads them; set ones win.</summary>
public sealed class HubSettingsTests
{
    private static HubSettings From(Dictionary<string, string> environment, Action<HubOptions>? configure = null)
    {
        var options = new HubOptions { EnvironmentReader = name => environment.TryGetValue(name, out var value) ? value : null };
        configure?.Invoke(options);
        return HubSettings.From(options);
    }

    [Fact]
    public void From_EmptyEnvironment_UsesTheHubAndTheHomeCache()
    {
        var settings = From([]);

        Assert.Equal("https://huggingface.co", settings.EndpointText);
        Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "huggingface", "hub"), settings.CacheDirectory);
        Assert.False(settings.Offline);
    }

    [Fact]
    public void From_HfVariables_SetEndpointCacheTokenAndOffline()
    {
        var settings = From(new() { ["HF_ENDPOINT"] = "https://hf-mirror.com/", ["HF_HOME"] = "/data/hf", ["HF_TOKEN"] = " hf_abc\n", ["HF_HUB_OFFLINE"] = "true" });

        Assert.Equal("https://hf-mirror.com", settings.EndpointText);
        Assert.Equal(Path.GetFullPath("/data/hf/hub"), settings.CacheDirectory);
        Assert.Equal("hf_abc", settings.Token);
        Assert.True(settings.Offline);
    }

    [Fact]
    public void From_HubCacheAndXdg_HubCacheWinsOverHome()
    {
        var settings = From(new() { ["XDG_CACHE_HOME"] = "/xdg", ["HF_HUB_CACHE"] = "/models/cache" });

        Assert.Equal(Path.GetFullPath("/models/cache"), settings.CacheDirectory);
        Assert.Equal(Path.GetFullPath("/xdg/huggingface/hub"), From(new() { ["XDG_CACHE_HOME"] = "/xdg" }).CacheDirectory);
    }

    [Fact]
    public void From_OptionsSet_WinOverTheEnvironment()
    {
        var settings = From(
            new() { ["HF_ENDPOINT"] = "https://env.example", ["HF_HUB_CACHE"] = "/env", ["HF_TOKEN"] = "hf_env", ["HF_HUB_OFFLINE"] = "1" },
            o => { o.Endpoint = "http://127.0.0.1:1"; o.CacheDirectory = "/opt"; o.Token = ""; o.Offline = false; });

        Assert.Equal("http://127.0.0.1:1", settings.EndpointText);
        Assert.Equal(Path.GetFullPath("/opt"), settings.CacheDirectory);
        Assert.Null(settings.Token);
        Assert.False(settings.Offline);
    }

    [Theory]
    [InlineData("0", false)]
    [InlineData("no", false)]
    [InlineData("ON", true)]
    [InlineData("yes", true)]
    public void From_OfflineValues_ReadLikeHuggingfaceHub(string value, bool offline) =>
        Assert.Equal(offline, From(new() { ["HF_HUB_OFFLINE"] = value }).Offline);

    [Theory]
    [InlineData("huggingface.co")]
    [InlineData("ftp://mirror.example")]
    public void From_EndpointNotHttp_ThrowsNamingTheVariable(string endpoint)
    {
        var error = Assert.Throws<ArgumentException>(() => From(new() { ["HF_ENDPOINT"] = endpoint }));

        Assert.Contains("HF_ENDPOINT", error.Message);
        Assert.Contains(endpoint, error.Message);
    }

    [Fact]
    public void From_NegativeRetries_Throws() =>
        Assert.Contains("MaxRetries", Assert.Throws<ArgumentException>(() => From([], o => o.MaxRetries = -1)).Message);
}
