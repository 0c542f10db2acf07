namespace Qwen.Agents;

/// <summary>One agent as configuration describes it (a section under <c>QwenAgents:Agents:{name}</c>).</summary>
public sealed class QwenAgentDefinition
{
    /// <summary>Gets or sets the kind of agent.</summary>
    /// <value>The default value is <see cref="QwenAgentKind.FnCall"/>.</value>
    public QwenAgentKind Kind { get; set; } = QwenAgentKind.FnCall;

    /// <summary>Gets or sets what the agent does, in one sentence (a router reads it).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Description { get; set; }

    /// <summary>Gets or sets the agent's system message.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Instructions { get; set; }

    /// <summary>Gets or sets the language of the built-in prompts.</summary>
    /// <value>The default value is <see cref="AgentLanguage.Auto"/>.</value>
    public AgentLanguage Language { get; set; }

    /// <summary>Gets or sets the names of the tools the agent may call, looked up in Qwen.Tools' <c>ToolRegistry</c>
    /// (<c>AddQwenTools</c>, <c>AddQwenCodeInterpreter</c>, <c>AddQwenTool</c>).</summary>
    /// <value>The default value is no tools.</value>
    public IList<string> Tools { get; set; } = [];

    /// <summary>Gets or sets the files an <see cref="QwenAgentKind.Assistant"/> answers from (paths or URLs).</summary>
    /// <value>The default value is no files.</value>
    public IList<string> Files { get; set; } = [];

    /// <summary>Gets or sets the names of the configured agents a <see cref="QwenAgentKind.Router"/> chooses from.</summary>
    /// <value>The default value is no agents.</value>
    public IList<string> Agents { get; set; } = [];

    /// <summary>Gets or sets the most model calls one run makes.</summary>
    /// <value>The default value is 20. Allowed: 1 to 1,000.</value>
    public int MaxModelCalls { get; set; } = 20;

    /// <summary>Gets or sets how many tool calls of one model response run at the same time.</summary>
    /// <value>The default value is 4. Allowed: 1 to 256.</value>
    public int MaxConcurrentToolCalls { get; set; } = 4;

    /// <summary>Gets or sets the key of the keyed <c>IChatClient</c> service the agent talks to.</summary>
    /// <value>The default value is <see langword="null"/>: the app's unkeyed <c>IChatClient</c>.</value>
    public string? ChatClientKey { get; set; }
}
