namespace Qwen.Runtime;

/// <summary>How <c>AddQwenChatClient</c> loads and serves a local model; binds from configuration (for example the <c>Qwen</c> section of appsettings.json, with <c>Qwen:Model:Device</c>, <c>Qwen:Chat:DefaultMaxOutputTokens</c>, ...).</summary>
public sealed class QwenHostingOptions
{
    /// <summary>Gets or sets the checkpoint folder (config.json, safetensors, tokenizer.json, tokenizer_config.json) or a Hugging Face model name such as <c>Qwen/Qwen3-0.6B</c> (optionally <c>@REVISION</c>), downloaded into the cache when it is not there. Required.</summary>
    /// <value>The default value is null.</value>
    public string? ModelPath { get; set; }

    /// <summary>Gets or sets how the model is loaded: device, dtype, threads, batch size, CPU kernels, and where a model name is downloaded from (<see cref="QwenModelOptions.Hub"/>).</summary>
    /// <value>The default value is a new <see cref="QwenModelOptions"/>.</value>
    public QwenModelOptions Model { get; set; } = new();

    /// <summary>Gets or sets the request defaults of the client.</summary>
    /// <value>The default value is a new <see cref="QwenChatClientOptions"/>.</value>
    public QwenChatClientOptions Chat { get; set; } = new();

    /// <summary>Gets or sets whether the model loads when the host starts (otherwise on the first request).</summary>
    /// <value>The default value is false.</value>
    public bool LoadAtStart { get; set; }

    /// <summary>Gets or sets a callback for load progress (not bound from configuration).</summary>
    /// <value>The default value is null.</value>
    public IProgress<LoadProgress>? LoadProgress { get; set; }

    /// <summary>Checks every setting, the nested <see cref="Model"/> and <see cref="Chat"/> options through their own validation.</summary>
    /// <returns>One message per bad setting, naming it (<c>QwenHostingOptions.Model.Threads</c>, ...); empty when all are valid.</returns>
    internal List<string> Validate()
    {
        const string Name = nameof(QwenHostingOptions);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ModelPath))
        {
            errors.Add($"{Name}.ModelPath is required: the checkpoint directory holding config.json, *.safetensors and tokenizer.json, or a model name such as Qwen/Qwen3-0.6B.");
        }
        else if (Directory.Exists(ModelPath) ? !File.Exists(Path.Combine(ModelPath, "config.json")) : !ModelReference.TryParse(ModelPath, out _))
        {
            errors.Add($"{Name}.ModelPath '{ModelPath}' is neither a checkpoint directory (with config.json) nor a Hugging Face model name such as Qwen/Qwen3-0.6B.");
        }

        if (Model is null)
        {
            errors.Add($"{Name}.Model must not be null.");
        }
        else
        {
            errors.AddRange(Model.Validate($"{Name}.{nameof(Model)}"));
        }

        if (Chat is null)
        {
            errors.Add($"{Name}.Chat must not be null.");
        }
        else
        {
            errors.AddRange(Chat.Validate($"{Name}.{nameof(Chat)}"));
        }

        return errors;
    }
}
