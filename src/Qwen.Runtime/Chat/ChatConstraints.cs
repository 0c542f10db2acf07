using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Qwen.Core;

namespace Qwen.Runtime;

/// <summary>
/// Chooses the grammar a chat request's answer must follow: the JSON schema of <see cref="ChatOptions.ResponseFormat"/>, the
/// forced tool call of a required <see cref="ChatOptions.ToolMode"/>, or, with tools and an automatic tool mode, a lazy one
/// for the arguments after the model opens a <c>&lt;tool_call&gt;</c>. Compiled constraints are cached per tokenizer.
/// </summary>
internal static class ChatConstraints
{
    private const string CallOpen = "<tool_call>";
    private const string CallSuffix = "\n</tool_call>";
    private const int CacheLimit = 128;

    private static readonly ConditionalWeakTable<QwenTokenizer, ConcurrentDictionary<string, TokenConstraint>> Cache = [];

    /// <summary>The constraint for the request, or null when its answer is free text.</summary>
    /// <param name="options">The request's options.</param>
    /// <param name="tools">The functions offered (after <see cref="NoneChatToolMode"/> removed them).</param>
    /// <param name="forcedCall">Whether the prompt ends with a forced call's start (see <c>ChatRequest.ForcedCallStart</c>).</param>
    /// <param name="thinking">Whether Qwen3 thinking may come first (false when the template closed it).</param>
    /// <param name="startInReasoning">Whether the prompt ends inside an open <c>&lt;think&gt;</c>.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="jsonCalls">Whether the template writes calls as Hermes JSON; calls in another format (Qwen3-Coder's XML) are not constrained.</param>
    /// <exception cref="JsonGrammarException">A schema is malformed or uses a keyword constrained decoding cannot honour.</exception>
    public static TokenConstraint? For(ChatOptions? options, IReadOnlyList<AIFunctionDeclaration> tools, bool forcedCall, bool thinking, bool startInReasoning, QwenTokenizer tokenizer, bool jsonCalls = true)
    {
        if (forcedCall && !jsonCalls)
        {
            return null;
        }

        if (forcedCall)
        {
            // The prompt already ends with "<tool_call>\n" (and, for a named function, with its name): the rest is grammar.
            var named = ((RequiredChatToolMode)options!.ToolMode!).RequiredFunctionName;
            if (named is not null)
            {
                var function = tools.First(t => t.Name == named);
                return Get(tokenizer, "args:" + function.JsonSchema.GetRawText(), () => JsonGrammar.FromSchema(function.JsonSchema, "}" + CallSuffix), null);
            }

            return Get(tokenizer, "call:" + Signature(tools), () => JsonGrammar.ForToolCall(tools, CallSuffix), null);
        }

        if (options?.ResponseFormat is ChatResponseFormatJson json)
        {
            var reasoning = thinking || startInReasoning ? Reasoning(tokenizer, startInReasoning) : null;
            var key = (json.Schema is { } schema ? "schema:" + schema.GetRawText() : "json") + "|" + Describe(reasoning);
            if (jsonCalls && tools.Count > 0 && options.ToolMode is null or AutoChatToolMode)
            {
                // Tools on offer: the answer is the JSON, or a call first (FunctionInvokingChatClient runs it and asks again).
                return Get(tokenizer, key + "|tools:" + Signature(tools), () => JsonGrammar.ForAnswerOrToolCall(json.Schema, tools, CallOpen, CallSuffix), reasoning);
            }

            return Get(tokenizer, key, () => json.Schema is { } s ? JsonGrammar.FromSchema(s) : JsonGrammar.AnyValue, reasoning);
        }

        if (jsonCalls && tools.Count > 0 && options?.ToolMode is null or AutoChatToolMode)
        {
            // Free text until the model opens a call; then its JSON must be a call to one of the tools.
            return Get(tokenizer, "lazy:" + Signature(tools), () => JsonGrammar.ForToolCall(tools, CallSuffix), new TokenConstraintOptions { Trigger = CallOpen });
        }

        return null;
    }

    private static TokenConstraintOptions? Reasoning(QwenTokenizer tokenizer, bool startInReasoning) =>
        tokenizer.TokenToId("<think>") is not null && tokenizer.TokenToId("</think>") is not null
            ? new TokenConstraintOptions { ReasoningStart = "<think>", ReasoningEnd = "</think>", StartsInReasoning = startInReasoning }
            : null;

    private static string Describe(TokenConstraintOptions? options) =>
        options is null ? "-" : $"{options.ReasoningStart}{options.ReasoningEnd}{options.StartsInReasoning}{options.Trigger}";

    private static string Signature(IReadOnlyList<AIFunctionDeclaration> tools) =>
        JsonSerializer.Serialize(tools.Select(t => new[] { t.Name, t.JsonSchema.GetRawText() }));

    private static TokenConstraint Get(QwenTokenizer tokenizer, string key, Func<JsonGrammar> compile, TokenConstraintOptions? options)
    {
        var cache = Cache.GetOrCreateValue(tokenizer);
        key += "|" + Describe(options);
        if (cache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        if (cache.Count >= CacheLimit)
        {
            cache.Clear();
        }

        var constraint = TokenConstraint.Create(compile(), tokenizer, options);
        return cache.GetOrAdd(key, constraint);
    }
}
