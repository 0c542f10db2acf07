using System.Text;

namespace Qwen.Tools;

/// <summary>Takes code out of the Markdown code fences models like to wrap it in.</summary>
internal static class CodeFences
{
    private const string Fence = "```";

    /// <summary>
    /// When <paramref name="text"/> starts with a fence (<c>```js</c>), returns the fenced blocks' contents joined by
    /// new lines (an unclosed last block runs to the end); otherwise returns the text as it is, so a fence inside code,
    /// in a string, is left alone.
    /// </summary>
    /// <remarks>One pass over the lines: model output is untrusted, and a backtracking pattern over it could take quadratic time.</remarks>
    public static string Strip(string text)
    {
        if (!text.TrimStart().StartsWith(Fence, StringComparison.Ordinal))
        {
            return text;
        }

        var code = new StringBuilder();
        var inside = false;
        var first = true;
        foreach (var line in text.Trim().AsSpan().EnumerateLines())
        {
            var trimmed = line.Trim();
            if (!inside && trimmed.StartsWith(Fence, StringComparison.Ordinal))
            {
                inside = true;
            }
            else if (inside && trimmed.SequenceEqual(Fence))
            {
                inside = false;
            }
            else if (inside)
            {
                code.Append(first ? string.Empty : "\n").Append(line);
                first = false;
            }
        }

        return code.ToString();
    }
}
