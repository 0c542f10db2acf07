using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Qwen.Agents;

/// <summary>
/// Counts the tokens of a prompt as a Qwen chat template lays it out: each message's text, reasoning, tool calls and results,
/// plus its <c>&lt;|im_start|&gt;role\n…&lt;|im_end|&gt;\n</c> frame, the tools' schemas, and the generation prompt.
/// </summary>
internal static class PromptTokens
{
    /// <summary>The frame of one message: &lt;|im_start|&gt;, the role, a newline, &lt;|im_end|&gt;, a newline, with room to spare.</summary>
    public const int PerMessage = 6;

    /// <summary>The generation prompt (&lt;|im_start|&gt;assistant\n) and Qwen3's empty think block when thinking is off.</summary>
    public const int PerPrompt = 12;

    /// <summary>The fixed text a Qwen template writes around the tool list ("# Tools … &lt;tools&gt; … &lt;/tools&gt;" and how to call them).</summary>
    public const int ToolsPreamble = 128;

    public static int Count(Tokenizer tokenizer, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var total = PerPrompt;
        foreach (var message in messages)
        {
            total += PerMessage + CountMessage(tokenizer, message);
        }

        if (options?.Tools is { Count: > 0 })
        {
            total += ToolsPreamble;
        }

        foreach (var tool in options?.Tools ?? [])
        {
            total += tokenizer.CountTokens(tool.Name) + tokenizer.CountTokens(tool.Description ?? string.Empty) + PerMessage;
            if (tool is AIFunctionDeclaration function)
            {
                total += tokenizer.CountTokens(function.JsonSchema.GetRawText());
            }
        }

        return total;
    }

    public static int Count(Tokenizer tokenizer, string text) => tokenizer.CountTokens(text);

    private static int CountMessage(Tokenizer tokenizer, ChatMessage message)
    {
        var total = 0;
        foreach (var content in message.Contents)
        {
            total += content switch
            {
                TextContent text => tokenizer.CountTokens(text.Text),
                TextReasoningContent reasoning => tokenizer.CountTokens(reasoning.Text),
                FunctionCallContent call => PerMessage + tokenizer.CountTokens(call.Name) + tokenizer.CountTokens(JsonSerializer.Serialize(call.Arguments)),
                FunctionResultContent result => PerMessage + tokenizer.CountTokens(result.Result as string ?? JsonSerializer.Serialize(result.Result)),
                _ => 0,
            };
        }

        return total;
    }
}
