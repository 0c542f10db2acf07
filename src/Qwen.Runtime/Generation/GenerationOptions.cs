namespace Qwen.Runtime;

/// <summary>What <see cref="QwenModel.GenerateAsync"/> generates: how many tokens, how they are chosen, and when to stop.</summary>
public sealed class GenerationOptions
{
    /// <summary>Gets or sets the most tokens to generate.</summary>
    /// <value>The default value is 256.</value>
    public int MaxNewTokens { get; set; } = 256;

    /// <summary>Gets or sets the sampling; null uses the checkpoint's generation_config.json (greedy unless it samples).</summary>
    /// <value>The default value is null.</value>
    public SamplingOptions? Sampling { get; set; }

    /// <summary>Gets or sets ids that end generation, in addition to the model's end-of-sequence ids.</summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyList<int> StopTokenIds { get; set; } = [];

    /// <summary>Gets or sets whether the model's end-of-sequence ids are ignored (only stop ids, stop strings and the length end it).</summary>
    /// <value>The default value is false.</value>
    public bool IgnoreEos { get; set; }

    /// <summary>Gets or sets strings that end generation when they appear in the text (matched across token boundaries; not included in the text). Needs <see cref="Decoder"/>.</summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyList<string> StopStrings { get; set; } = [];

    /// <summary>Gets or sets the decoder that turns ids into text; without one, updates carry ids only.</summary>
    /// <value>The default value is null.</value>
    public ITokenDecoder? Decoder { get; set; }

    /// <summary>
    /// Gets or sets a grammar the generated ids must follow (constrained decoding, for example a JSON schema); each request gets
    /// its own matcher state, and the output is steered to a complete match before <see cref="MaxNewTokens"/> runs out.
    /// Needs an end id to finish on (the model's end-of-sequence ids or <see cref="StopTokenIds"/>).
    /// </summary>
    /// <value>The default value is null (unconstrained).</value>
    public Qwen.Core.TokenConstraint? Constraint { get; set; }
}
