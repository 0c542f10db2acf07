using Microsoft.Extensions.AI;

namespace Qwen.Agents;

/// <summary>The model options and reply handling shared by the retrieval helpers' model calls (keywords, chunk reading).</summary>
internal static class HelperCalls
{
    /// <summary>Options for a helper call: thinking off (Qwen3's <c>enable_thinking</c> and reasoning effort none), at most
    /// <paramref name="maxOutputTokens"/> tokens in reply, the given stop words.</summary>
    public static ChatOptions NoThinking(int maxOutputTokens, params string[] stop) => new()
    {
        MaxOutputTokens = maxOutputTokens,
        AdditionalProperties = new AdditionalPropertiesDictionary { ["enable_thinking"] = false },
        Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None },
        StopSequences = stop.Length == 0 ? null : stop,
    };

    /// <summary>The reply's text without a <c>```json</c> fence around it (reasoning, if a server sent any anyway, is not part of it).</summary>
    public static string ReplyText(ChatResponse response)
    {
        var text = string.Concat(response.Messages.SelectMany(m => m.Contents).OfType<TextContent>().Select(t => t.Text)).Trim();
        if (text.StartsWith("```", StringComparison.Ordinal))
        {
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            text = newline < 0 ? text[3..] : text[(newline + 1)..];
        }

        if (text.EndsWith("```", StringComparison.Ordinal))
        {
            text = text[..^3];
        }

        return text.Trim();
    }
}
