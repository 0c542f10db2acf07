namespace Qwen.Agents;

/// <summary>The language of an agent's built-in prompts (keyword generation, knowledge headings, limit messages).</summary>
public enum AgentLanguage
{
    /// <summary>Chinese when the conversation holds Chinese characters, English otherwise (as Qwen-Agent decides).</summary>
    Auto,

    /// <summary>English prompts.</summary>
    English,

    /// <summary>Chinese prompts.</summary>
    Chinese,
}
