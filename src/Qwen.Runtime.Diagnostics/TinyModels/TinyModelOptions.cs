namespace Qwen.Runtime.Diagnostics;

/// <summary>The shape of a random-weight checkpoint written by <see cref="TinyModelWriter"/>; defaults give a tiny Qwen2.</summary>
public sealed class TinyModelOptions
{
    /// <summary>Gets or sets the architecture: <c>qwen2</c> or <c>qwen3</c>.</summary>
    /// <value>The default value is <c>qwen2</c>.</value>
    public string Architecture { get; set; } = "qwen2";

    /// <summary>Gets or sets the random seed; the same options and seed give byte-identical files.</summary>
    /// <value>The default value is 1234.</value>
    public int Seed { get; set; } = 1234;

    /// <summary>Gets or sets the number of decoder layers.</summary>
    /// <value>The default value is 2.</value>
    public int Layers { get; set; } = 2;

    /// <summary>Gets or sets the model width.</summary>
    /// <value>The default value is 64.</value>
    public int Hidden { get; set; } = 64;

    /// <summary>Gets or sets the number of query heads.</summary>
    /// <value>The default value is 4.</value>
    public int Heads { get; set; } = 4;

    /// <summary>Gets or sets the number of key/value heads.</summary>
    /// <value>The default value is 2.</value>
    public int KvHeads { get; set; } = 2;

    /// <summary>Gets or sets the head width; null for hidden / heads. Qwen3 writes it to config.json explicitly.</summary>
    /// <value>The default value is null.</value>
    public int? HeadDim { get; set; }

    /// <summary>Gets or sets the MLP's inner width.</summary>
    /// <value>The default value is 160.</value>
    public int Intermediate { get; set; } = 160;

    /// <summary>Gets or sets the number of embedding rows; null for exactly the tokenizer's size. Larger values pad, like real checkpoints.</summary>
    /// <value>The default value is null.</value>
    public int? Vocab { get; set; }

    /// <summary>Gets or sets whether the output layer reuses the embedding matrix (no lm_head tensor).</summary>
    /// <value>The default value is false.</value>
    public bool Tie { get; set; }

    /// <summary>Gets or sets the storage dtype of the weights: <see cref="ModelDType.Float32"/> or <see cref="ModelDType.BFloat16"/>.</summary>
    /// <value>The default value is <see cref="ModelDType.Float32"/>.</value>
    public ModelDType DType { get; set; } = ModelDType.Float32;

    /// <summary>Gets or sets a directory whose tokenizer.json (and tokenizer_config.json) are copied; null writes a byte-level tokenizer (256 byte tokens and ChatML specials).</summary>
    /// <value>The default value is null.</value>
    public string? TokenizerDirectory { get; set; }

    /// <summary>Gets or sets the number of safetensors shards (more than one writes model.safetensors.index.json).</summary>
    /// <value>The default value is 1.</value>
    public int Shards { get; set; } = 1;

    /// <summary>Gets or sets the RoPE base.</summary>
    /// <value>The default value is 1000000.</value>
    public double RopeTheta { get; set; } = 1_000_000;

    /// <summary>Gets or sets the context length written as max_position_embeddings.</summary>
    /// <value>The default value is 4096.</value>
    public int MaxPositionEmbeddings { get; set; } = 4096;
}
