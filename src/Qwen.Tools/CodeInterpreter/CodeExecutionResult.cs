using System.Text;

namespace Qwen.Tools;

/// <summary>What one code interpreter call produced: printed output, the value of the last expression, an error, images.</summary>
public sealed class CodeExecutionResult
{
    /// <summary>Everything the code printed (<c>console.log</c>, <c>print</c>), cut at <see cref="CodeInterpreterOptions.MaxOutputChars"/>.</summary>
    public string Output { get; init; } = string.Empty;

    /// <summary>The value of the code's last expression as text, or <see langword="null"/> when it is <c>undefined</c> or the code failed.</summary>
    public string? Value { get; init; }

    /// <summary>Whether <see cref="Output"/> (with <see cref="Value"/>) was cut at the output limit.</summary>
    public bool OutputTruncated { get; init; }

    /// <summary>How many characters the cut removed, when <see cref="OutputTruncated"/>.</summary>
    public long OmittedChars { get; init; }

    /// <summary>The error that ended the call, or <see langword="null"/> when it completed.</summary>
    public CodeExecutionError? Error { get; init; }

    /// <summary>The images (charts) the call wrote, in the order it wrote them.</summary>
    public IReadOnlyList<GeneratedImage> Images { get; init; } = [];

    /// <summary>A note about the session itself, for example that it was restarted and lost its variables; <see langword="null"/> when there is nothing to say.</summary>
    public string? Notice { get; init; }

    /// <summary>How long the call took, as the host measured it.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Whether the call completed without an error.</summary>
    public bool Succeeded => Error is null;

    /// <summary>Formats the result the way a model reads it: notice, output, value, error, then the image paths.</summary>
    /// <returns>The text of the result; <c>(no output)</c> when the call printed and returned nothing.</returns>
    public string ToText()
    {
        var text = new StringBuilder();
        AppendBlock(text, Notice is null ? null : "Note: " + Notice);
        AppendBlock(text, Output.TrimEnd('\n'));
        AppendBlock(text, Value);
        if (OutputTruncated)
        {
            AppendBlock(text, $"[output truncated: {OmittedChars} more characters were not shown]");
        }

        AppendBlock(text, Error is null ? null : "Error: " + Error);
        foreach (var image in Images)
        {
            AppendBlock(text, $"[image: {image.Path}]");
        }

        return text.Length == 0 ? "(no output)" : text.ToString();
    }

    private static void AppendBlock(StringBuilder text, string? block)
    {
        if (string.IsNullOrEmpty(block))
        {
            return;
        }

        if (text.Length > 0)
        {
            text.Append('\n');
        }

        text.Append(block);
    }
}
