namespace Qwen.Runtime.Diagnostics;

/// <summary>What <see cref="RuntimeBenchmark"/> measures: prompt and generation lengths, repeats, and where the model runs.</summary>
public sealed class BenchmarkOptions
{
    /// <summary>Gets or sets the prompt length timed for prefill.</summary>
    /// <value>The default value is 512.</value>
    public int PromptTokens { get; set; } = 512;

    /// <summary>Gets or sets the number of single-token decode steps timed.</summary>
    /// <value>The default value is 64.</value>
    public int GenTokens { get; set; } = 64;

    /// <summary>Gets or sets the number of timed repeats of each measurement (after one warm-up); medians are reported.</summary>
    /// <value>The default value is 3.</value>
    public int Repeats { get; set; } = 3;

    /// <summary>Gets or sets the number of parallel requests timed together after the single-request measurements; 1 times none.</summary>
    /// <value>The default value is 1.</value>
    /// <remarks>Each request has its own <see cref="PromptTokens"/>-token prompt and generates <see cref="GenTokens"/> tokens after its first.</remarks>
    public int Concurrency { get; set; } = 1;

    /// <summary>Gets or sets where and how the model is loaded.</summary>
    /// <value>The default value is the default <see cref="QwenModelOptions"/>.</value>
    public QwenModelOptions Model { get; set; } = new();
}
