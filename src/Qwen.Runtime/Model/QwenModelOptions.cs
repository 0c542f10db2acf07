namespace Qwen.Runtime;

/// <summary>Where and how <see cref="QwenModel.Load"/> places a model.</summary>
public sealed class QwenModelOptions
{
    /// <summary>Gets or sets the device: <c>auto</c> (CUDA when available, else CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <value>The default value is <c>auto</c>.</value>
    public string Device { get; set; } = "auto";

    /// <summary>Gets or sets the weight and activation dtype; null picks bfloat16 on CUDA and float32 on the CPU.</summary>
    /// <value>The default value is null.</value>
    public ModelDType? DType { get; set; }

    /// <summary>Gets or sets the number of CPU threads torch uses; null leaves torch's default (one per core).</summary>
    /// <value>The default value is null.</value>
    /// <remarks>The setting is process-wide in libtorch: the last model loaded with a value decides.</remarks>
    public int? Threads { get; set; }

    /// <summary>Gets or sets whether single-token steps on the CPU use the runtime's own vectorised mat-vec kernel (AVX-512) instead of libtorch's GEMM.</summary>
    /// <value>The default value is true. The kernel is used only where the CPU supports 512-bit vectors.</value>
    public bool CpuKernels { get; set; } = true;

    /// <summary>Gets or sets the most sequences decoded together in one batched step; further concurrent requests wait for a free slot.</summary>
    /// <value>The default value is 32.</value>
    /// <remarks>Each active sequence holds its own KV cache; a larger batch reads the weights once for more tokens per step.</remarks>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>Gets or sets where a model name passed to <see cref="QwenModel.Load"/> is looked up and downloaded (endpoint, cache, token, offline mode).</summary>
    /// <value>The default value is null: the Hugging Face environment variables (<c>HF_ENDPOINT</c>, <c>HF_HUB_CACHE</c>, <c>HF_HOME</c>, <c>HF_TOKEN</c>, <c>HF_HUB_OFFLINE</c>).</value>
    public HubOptions? Hub { get; set; }

    /// <summary>Gets or sets a callback for download progress when a model name has to be downloaded first.</summary>
    /// <value>The default value is null.</value>
    public IProgress<DownloadProgress>? DownloadProgress { get; set; }

    /// <summary>Checks every setting; the one place these options are validated, for <see cref="QwenModel.Load"/> and for hosting's start-time validation.</summary>
    /// <param name="name">How messages name these options, such as <c>QwenModelOptions</c> or <c>QwenHostingOptions.Model</c>.</param>
    /// <returns>One message per bad setting, naming it; empty when all are valid.</returns>
    internal List<string> Validate(string name = nameof(QwenModelOptions))
    {
        var errors = new List<string>();
        if (!DeviceRequest.TryParse(Device, out _))
        {
            errors.Add($"{name}.Device '{Device}' is not one of {DeviceRequest.Choices}.");
        }

        if (DType is { } dtype && !Enum.IsDefined(dtype))
        {
            errors.Add($"{name}.DType {dtype} is not one of {string.Join(", ", Enum.GetNames<ModelDType>())}.");
        }

        if (Threads is < 1)
        {
            errors.Add($"{name}.Threads must be at least 1, found {Threads}.");
        }

        if (MaxBatchSize < 1)
        {
            errors.Add($"{name}.MaxBatchSize must be at least 1, found {MaxBatchSize}.");
        }

        if (Hub is not null)
        {
            try
            {
                _ = HubSettings.From(Hub);
            }
            catch (ArgumentException e)
            {
                errors.Add($"{name}.Hub: {e.Message}");
            }
        }

        return errors;
    }
}
