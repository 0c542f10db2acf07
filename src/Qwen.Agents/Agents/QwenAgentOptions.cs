using Microsoft.Extensions.AI;

namespace Qwen.Agents;

/// <summary>Options shared by every Qwen agent: who it is, its system message, its prompt language and its default model options.</summary>
public class QwenAgentOptions
{
    /// <summary>Gets or sets the agent's name (shown as the author of its messages and used when it becomes a tool of another agent).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Name { get; set; }

    /// <summary>Gets or sets what the agent does, in one sentence (a router and a calling agent read it).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Description { get; set; }

    /// <summary>Gets or sets the agent's system message. A system message in the input follows it after a blank line, as in Qwen-Agent.</summary>
    /// <value>The default value is <see langword="null"/> (no system message of the agent's own).</value>
    public string? Instructions { get; set; }

    /// <summary>Gets or sets the language of the built-in prompts.</summary>
    /// <value>The default value is <see cref="AgentLanguage.Auto"/>: Chinese when the conversation holds Chinese characters.</value>
    public AgentLanguage Language { get; set; }

    /// <summary>Gets or sets the model options every model call starts from (temperature, maximum output tokens, ...); per-run
    /// <c>ChatClientAgentRunOptions.ChatOptions</c> override them.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public ChatOptions? ChatOptions { get; set; }
}
