namespace Qwen.Runtime;

/// <summary>How <c>AddQwenChatClient</c> loads and serves a local model; binds from configuration (for example the <c>Qwen</c> section of appsettings.json).</summary>
public sealed class QwenHostingOptions
{
    /// <summary>Gets or sets the checkpoint folder (config.json, safetensors, tokenizer.json, tokenizer_config.json) or a Hugging Face model name such as <c>Qwen/Qwen3-0.6B</c> (optionally <c>@REVISION</c>), downloaded into the cache when it is not there. Required.</summary>
    /// <value>The default value is null.</value>
    public string? ModelPath { get; set; }

    /// <summary>Gets or sets the device: <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <value>The default value is <c>auto</c>.</value>
    public string Device { get; set; } = "auto";

    /// <summary>Gets or sets the weight dtype; null picks bfloat16 on CUDA and float32 on the CPU.</summary>
    /// <value>The default value is null.</value>
    public ModelDType? DType { get; set; }

    /// <summary>Gets or sets the number of CPU threads torch uses; null for one per core.</summary>
    /// <value>The default value is null.</value>
    public int? Threads { get; set; }

    /// <summary>Gets or sets whether the model loads when the host starts (otherwise on the first request).</summary>
    /// <value>The default value is false.</value>
    public bool LoadAtStart { get; set; }

    /// <summary>Gets or sets the request defaults of the client.</summary>
    /// <value>The default value is a new <see cref="QwenChatClientOptions"/>.</value>
    public QwenChatClientOptions Chat { get; set; } = new();

    /// <summary>Gets or sets where a model name is looked up and downloaded: endpoint, cache, token, offline mode (unset values come from the <c>HF_*</c> environment variables).</summary>
    /// <value>The default value is a new <see cref="HubOptions"/>.</value>
    public HubOptions Hub { get; set; } = new();

    /// <summary>Gets or sets a callback for download progress when <see cref="ModelPath"/> is a model name not yet in the cache (not bound from configuration).</summary>
    /// <value>The default value is null.</value>
    public IProgress<DownloadProgress>? DownloadProgress { get; set; }

    /// <summary>Gets or sets a callback for load progress (not bound from configuration).</summary>
    /// <value>The default value is null.</value>
    public IProgress<LoadProgress>? LoadProgress { get; set; }
}
