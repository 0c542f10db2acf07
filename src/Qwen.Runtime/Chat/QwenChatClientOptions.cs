namespace Qwen.Runtime;

/// <summary>Defaults a <see cref="QwenChatClient"/> applies where a request's <c>ChatOptions</c> leave a value unset.</summary>
public sealed class QwenChatClientOptions
{
    /// <summary>Gets or sets the most tokens a response may have when <c>ChatOptions.MaxOutputTokens</c> is unset.</summary>
    /// <value>The default value is 2048.</value>
    public int DefaultMaxOutputTokens { get; set; } = 2048;

    /// <summary>Gets or sets whether Qwen3 thinks before answering (the chat template's <c>enable_thinking</c>) when a request does not say; null leaves the template's default.</summary>
    /// <value>The default value is null.</value>
    public bool? EnableThinking { get; set; }

    /// <summary>Gets or sets the model id responses report; null uses the checkpoint directory's name.</summary>
    /// <value>The default value is null.</value>
    public string? ModelId { get; set; }

    /// <summary>Checks every setting; the one place these options are validated, for <see cref="QwenChatClient"/> and for hosting's start-time validation.</summary>
    /// <param name="name">How messages name these options, such as <c>QwenChatClientOptions</c> or <c>QwenHostingOptions.Chat</c>.</param>
    /// <returns>One message per bad setting, naming it; empty when all are valid.</returns>
    internal List<string> Validate(string name = nameof(QwenChatClientOptions))
    {
        var errors = new List<string>();
        if (DefaultMaxOutputTokens < 1)
        {
            errors.Add($"{name}.DefaultMaxOutputTokens must be at least 1, found {DefaultMaxOutputTokens}.");
        }

        return errors;
    }
}
