using Microsoft.Extensions.Logging;

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

    /// <summary>Gets or sets the logger for load-time information.</summary>
    /// <value>The default value is null (no logging).</value>
    public ILogger? Logger { get; set; }
}
