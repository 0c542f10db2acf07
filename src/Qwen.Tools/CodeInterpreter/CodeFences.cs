using System.Text.RegularExpressions;

namespace Qwen.Tools;

/// <summary>Takes code out of the Markdown code fences models like to wrap it in.</summary>
internal static partial class CodeFences
{
    /// <summary>
    /// When <paramref name="text"/> starts with a fence (<c>```js</c>), returns the fenced blocks' contents joined by
    /// new lines; otherwise returns the text as it is (a fence inside code, in a string, is left alone).
    /// </summary>
    public static string Strip(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            return text;
        }

        var blocks = FencedBlock().Matches(trimmed).Select(m => m.Groups["code"].Value).ToList();
        if (blocks.Count > 0)
        {
            return string.Join("\n", blocks);
        }

        // An opening fence that is never closed: the model was cut off or forgot it; run what follows.
        var firstLineEnd = trimmed.IndexOf('\n', StringComparison.Ordinal);
        return firstLineEnd < 0 ? string.Empty : trimmed[(firstLineEnd + 1)..];
    }

    [GeneratedRegex(@"^```[^\n`]*\n(?<code>.*?)\n?^```[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();
}
