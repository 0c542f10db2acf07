using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Qwen.Core;

/// <summary>What a chat template renders besides the messages: tools, the generation prompt, Qwen3's thinking switch, extra variables.</summary>
public sealed class ChatTemplateOptions
{
    /// <summary>Gets or sets the functions offered to the model; each becomes <c>{"type": "function", "function": {"name", "description", "parameters"}}</c> in the template's <c>tools</c>.</summary>
    /// <value>The default is <see langword="null"/> (no tools).</value>
    public IReadOnlyList<AIFunctionDeclaration>? Tools { get; set; }

    /// <summary>Gets or sets tools already in the template's JSON shape (<c>{"type": "function", "function": {...}}</c>), placed before <see cref="Tools"/>.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public JsonArray? ToolsJson { get; set; }

    /// <summary>Gets or sets a value indicating whether to end the prompt with the opening of the assistant's turn (the template's <c>add_generation_prompt</c>).</summary>
    /// <value>The default is <see langword="false"/>, as in transformers.</value>
    public bool AddGenerationPrompt { get; set; }

    /// <summary>Gets or sets Qwen3's <c>enable_thinking</c>: <see langword="false"/> asks the model to answer without reasoning; <see langword="null"/> leaves the variable undefined (the template's default).</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public bool? EnableThinking { get; set; }

    /// <summary>Gets or sets more template variables (for templates that read others, e.g. <c>date_string</c>). .NET values, <see cref="JsonNode"/> and <see cref="System.Text.Json.JsonElement"/> are accepted.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public IReadOnlyDictionary<string, object?>? ExtraVariables { get; set; }

    /// <summary>Gets or sets the clock <c>strftime_now(...)</c> reads.</summary>
    /// <value>The default is <see langword="null"/>, meaning <see cref="TimeProvider.System"/>.</value>
    public TimeProvider? TimeProvider { get; set; }
}
