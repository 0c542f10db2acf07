using System.Text.Json;
using Microsoft.Extensions.AI;
using Qwen.Core;

namespace Qwen.Runtime;

/// <summary>One chat request turned into what generation needs: the prompt ids, generation options and how to read the output.</summary>
/// <remarks>Built from copies: the caller's messages and <see cref="ChatOptions"/> are only read.</remarks>
internal sealed class ChatRequest
{
    private ChatRequest(int[] promptIds, string prefill, bool startInReasoning, bool hasTools, bool allowMultipleToolCalls, bool emitReasoning, GenerationOptions generation)
    {
        PromptIds = promptIds;
        Prefill = prefill;
        StartInReasoning = startInReasoning;
        HasTools = hasTools;
        AllowMultipleToolCalls = allowMultipleToolCalls;
        EmitReasoning = emitReasoning;
        Generation = generation;
    }

    /// <summary>Gets the prompt's token ids (including <see cref="Prefill"/>).</summary>
    public int[] PromptIds { get; }

    /// <summary>Gets the start of the answer written into the prompt (a forced <c>&lt;tool_call&gt;</c>); the parser reads it first.</summary>
    public string Prefill { get; }

    /// <summary>Gets whether the prompt ends inside an open <c>&lt;think&gt;</c> block.</summary>
    public bool StartInReasoning { get; }

    /// <summary>Gets whether any function was declared; without one, tool-call markup is plain text.</summary>
    public bool HasTools { get; }

    /// <summary>Gets whether generation goes on after the first complete tool call.</summary>
    public bool AllowMultipleToolCalls { get; }

    /// <summary>Gets whether reasoning is reported as <see cref="TextReasoningContent"/> (otherwise dropped).</summary>
    public bool EmitReasoning { get; }

    /// <summary>Gets the generation options.</summary>
    public GenerationOptions Generation { get; }

    public static ChatRequest Create(
        IEnumerable<ChatMessage> messages, ChatOptions? options, QwenChatClientOptions defaults, ChatTemplate template, QwenTokenizer tokenizer, ITokenGenerator generator, IReadOnlyList<int> stopIds, ITokenDecoder decoder, FunctionCallFormat callFormat = FunctionCallFormat.Hermes)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var conversation = messages.ToList();
        if (conversation.Count == 0)
        {
            throw new ArgumentException("At least one chat message is needed.", nameof(messages));
        }

        CheckOptions(options);
        if (!string.IsNullOrWhiteSpace(options?.Instructions))
        {
            conversation = WithInstructions(conversation, options.Instructions);
        }

        var tools = options?.ToolMode is NoneChatToolMode ? [] : Declarations(options?.Tools);
        var prefill = ForcedCallStart(options?.ToolMode, tools, callFormat);
        var thinking = EnableThinking(options) ?? defaults.EnableThinking;
        if (prefill.Length > 0)
        {
            // The answer starts with a forced call, so there is no place for a reasoning block before it.
            thinking = false;
        }

        var prompt = template.Render(conversation, new ChatTemplateOptions
        {
            Tools = tools.Count > 0 ? tools : null,
            AddGenerationPrompt = true,
            EnableThinking = thinking,
        });
        var startInReasoning = prompt.TrimEnd().EndsWith("<think>", StringComparison.Ordinal);
        int[] ids = [.. tokenizer.EncodeToIds(prompt + prefill)];
        if (ids.Length >= generator.ContextLength)
        {
            throw new ContextLengthExceededException(ids.Length, generator.ContextLength);
        }

        var generation = new GenerationOptions
        {
            MaxNewTokens = options?.MaxOutputTokens ?? defaults.DefaultMaxOutputTokens,
            Sampling = Sampling(options, generator.GenerationConfig),
            StopTokenIds = stopIds,
            StopStrings = [.. options?.StopSequences ?? []],
            Decoder = decoder,
            Constraint = ChatConstraints.For(options, tools, prefill.Length > 0, thinking != false, startInReasoning, tokenizer, jsonCalls: callFormat == FunctionCallFormat.Hermes),
        };
        return new ChatRequest(
            ids, prefill, startInReasoning, tools.Count > 0, options?.AllowMultipleToolCalls ?? true, options?.Reasoning?.Output != ReasoningOutput.None, generation);
    }

    private static void CheckOptions(ChatOptions? options)
    {
        if (options is null)
        {
            return;
        }

        static void Check(bool ok, string name, object? value, string expected)
        {
            if (!ok)
            {
                throw new ArgumentOutOfRangeException(nameof(options), value, $"ChatOptions.{name} must be {expected}.");
            }
        }

        Check(options.Temperature is null or >= 0 && float.IsFinite(options.Temperature ?? 0), nameof(options.Temperature), options.Temperature, "a finite number >= 0");
        Check(options.TopP is null or > 0 and <= 1, nameof(options.TopP), options.TopP, "in (0, 1]");
        Check(options.TopK is null or >= 0, nameof(options.TopK), options.TopK, ">= 0");
        Check(options.MaxOutputTokens is null or >= 1, nameof(options.MaxOutputTokens), options.MaxOutputTokens, "at least 1");
        Check(float.IsFinite(options.FrequencyPenalty ?? 0), nameof(options.FrequencyPenalty), options.FrequencyPenalty, "finite");
        Check(float.IsFinite(options.PresencePenalty ?? 0), nameof(options.PresencePenalty), options.PresencePenalty, "finite");
        if (options.StopSequences?.Any(string.IsNullOrEmpty) == true)
        {
            throw new ArgumentException("ChatOptions.StopSequences must not contain null or empty strings.", nameof(options));
        }

        if (options.AdditionalProperties?.TryGetValue(QwenChatClient.EnableThinkingKey, out var value) == true && ReadBool(value) is null)
        {
            throw new ArgumentException(
                $"ChatOptions.AdditionalProperties[\"{QwenChatClient.EnableThinkingKey}\"] is '{value}'; expected true or false.", nameof(options));
        }
    }

    private static List<ChatMessage> WithInstructions(List<ChatMessage> conversation, string instructions)
    {
        // Qwen templates give the first system message a place of its own, so instructions join it rather than add a second.
        if (conversation[0].Role == ChatRole.System)
        {
            var merged = new ChatMessage(ChatRole.System, [new TextContent(instructions + "\n\n"), .. conversation[0].Contents]);
            return [merged, .. conversation.Skip(1)];
        }

        return [new ChatMessage(ChatRole.System, instructions), .. conversation];
    }

    private static List<AIFunctionDeclaration> Declarations(IList<AITool>? tools)
    {
        var declarations = new List<AIFunctionDeclaration>();
        foreach (var tool in tools ?? [])
        {
            declarations.Add(tool as AIFunctionDeclaration ?? throw new NotSupportedException(
                $"ChatOptions.Tools contains '{tool?.Name}' ({tool?.GetType().Name ?? "null"}); the embedded Qwen runtime supports function tools (AIFunctionDeclaration) only."));
        }

        return declarations;
    }

    private static string ForcedCallStart(ChatToolMode? mode, List<AIFunctionDeclaration> tools, FunctionCallFormat callFormat)
    {
        if (mode is not RequiredChatToolMode required)
        {
            return string.Empty;
        }

        if (tools.Count == 0)
        {
            throw new ArgumentException("ChatOptions.ToolMode requires a tool call, but ChatOptions.Tools declares no function.", "options");
        }

        if (required.RequiredFunctionName is not { } name)
        {
            return "<tool_call>\n";
        }

        if (!tools.Any(t => t.Name == name))
        {
            throw new ArgumentException(
                $"ChatOptions.ToolMode requires function '{name}', which is not among ChatOptions.Tools ({string.Join(", ", tools.Select(t => t.Name))}).", "options");
        }

        // Written exactly as the templates render a call, so the model only chooses the arguments.
        if (callFormat == FunctionCallFormat.Xml)
        {
            return $"{XmlFunctionCallFormat.CallOpen}\n{XmlFunctionCallFormat.FunctionOpen}{name}>\n";
        }

        return "<tool_call>\n{\"name\": " + JsonSerializer.Serialize(name, AIJsonUtilities.DefaultOptions) + ", \"arguments\": ";
    }

    private static bool? EnableThinking(ChatOptions? options)
    {
        if (options?.AdditionalProperties?.TryGetValue(QwenChatClient.EnableThinkingKey, out var value) == true)
        {
            return ReadBool(value);
        }

        return options?.Reasoning?.Effort == ReasoningEffort.None ? false : null;
    }

    private static bool? ReadBool(object? value) => value switch
    {
        bool b => b,
        string s when bool.TryParse(s, out var b) => b,
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.False } => false,
        _ => null,
    };

    private static SamplingOptions Sampling(ChatOptions? options, GenerationConfig config)
    {
        var defaults = SamplingOptions.FromGenerationConfig(config);
        if (options is null)
        {
            return defaults;
        }

        // A greedy checkpoint default with only top-p/top-k asked for would ignore them: sample at temperature 1 then.
        var temperature = options.Temperature ?? (defaults.IsGreedy && (options.TopP is not null || options.TopK is not null) ? 1 : defaults.Temperature);
        return defaults with
        {
            Temperature = temperature,
            TopP = options.TopP ?? defaults.TopP,
            TopK = options.TopK ?? defaults.TopK,
            PresencePenalty = options.PresencePenalty ?? defaults.PresencePenalty,
            FrequencyPenalty = options.FrequencyPenalty ?? defaults.FrequencyPenalty,
            Seed = options.Seed is { } seed ? unchecked((int)seed ^ (int)(seed >> 32)) : defaults.Seed,
        };
    }
}
