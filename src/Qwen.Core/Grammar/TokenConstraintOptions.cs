namespace Qwen.Core;

/// <summary>Where in the output a <see cref="TokenConstraint"/>'s grammar applies: from the start, after a reasoning block, or lazily after a trigger.</summary>
public sealed class TokenConstraintOptions
{
    /// <summary>Gets or sets the text that may open a free-text reasoning block as the very first token (Qwen3: <c>&lt;think&gt;</c>); null for none.</summary>
    /// <value>The default value is null.</value>
    public string? ReasoningStart { get; set; }

    /// <summary>Gets or sets the text that closes the reasoning block (Qwen3: <c>&lt;/think&gt;</c>); the grammar applies after it. Forced when the token budget runs low.</summary>
    /// <value>The default value is null.</value>
    public string? ReasoningEnd { get; set; }

    /// <summary>Gets or sets whether the output starts inside the reasoning block (the prompt already opened it).</summary>
    /// <value>The default value is false.</value>
    public bool StartsInReasoning { get; set; }

    /// <summary>
    /// Gets or sets a trigger that makes the constraint lazy: the output is free text until the trigger appears (for example
    /// <c>&lt;tool_call&gt;</c>), then follows the grammar, then is free again. Null: the grammar applies from the start.
    /// </summary>
    /// <value>The default value is null.</value>
    public string? Trigger { get; set; }
}
