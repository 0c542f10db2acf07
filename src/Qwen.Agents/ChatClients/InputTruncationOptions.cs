using Microsoft.ML.Tokenizers;

namespace Qwen.Agents;

/// <summary>Options of <see cref="InputTruncatingChatClient"/>: the input token limit and how tokens are counted.</summary>
public sealed class InputTruncationOptions
{
    /// <summary>The limit when neither <see cref="MaxInputTokens"/> nor <see cref="ContextLength"/> is set: Qwen-Agent's default for a server.</summary>
    public const int DefaultMaxInputTokens = 58_000;

    /// <summary>Gets or sets the most tokens the input (messages and tool declarations) may have.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="ContextLength"/> minus the output budget when the context is known, else <see cref="DefaultMaxInputTokens"/>.</value>
    public int? MaxInputTokens { get; set; }

    /// <summary>Gets or sets the model's context length in tokens, when known (the embedded runtime knows it from config.json).</summary>
    /// <value>The default value is <see langword="null"/> (unknown, as for most servers).</value>
    public int? ContextLength { get; set; }

    /// <summary>Gets or sets the output budget subtracted from <see cref="ContextLength"/> when a request does not set <c>ChatOptions.MaxOutputTokens</c>.</summary>
    /// <value>The default value is 2048 (the embedded runtime's default response length).</value>
    public int DefaultOutputTokens { get; set; } = 2048;

    /// <summary>Gets or sets the least a shortened tool result keeps (head and tail together), in tokens.</summary>
    /// <value>The default value is 256.</value>
    public int MinToolResultTokens { get; set; } = 256;

    /// <summary>Gets or sets the tokenizer that counts tokens: the checkpoint's <c>QwenTokenizer</c> when there is one.</summary>
    /// <value>The default value is <see langword="null"/>: the inner client's <c>QwenTokenizer</c> service when it offers one (the embedded runtime does), else <c>Qwen.Core.ApproximateTokenizer.Instance</c>.</value>
    public Tokenizer? Tokenizer { get; set; }
}
