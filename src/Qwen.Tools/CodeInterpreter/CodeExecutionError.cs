using System.Globalization;
using System.Text;

namespace Qwen.Tools;

/// <summary>The error that ended a code interpreter call: what kind, the JavaScript error name and message, and where.</summary>
public sealed class CodeExecutionError
{
    /// <summary>Why the call failed.</summary>
    public required CodeErrorKind Kind { get; init; }

    /// <summary>The JavaScript error name (<c>TypeError</c>, <c>SyntaxError</c>, ...) or, for a limit, a name for it (<c>TimeoutError</c>, ...).</summary>
    public required string Name { get; init; }

    /// <summary>What went wrong, in words.</summary>
    public required string Message { get; init; }

    /// <summary>The 1-based line of the code where the error was raised, when known.</summary>
    public int? Line { get; init; }

    /// <summary>The 1-based column of the code where the error was raised, when known.</summary>
    public int? Column { get; init; }

    /// <summary>The JavaScript call stack at the error, when there is one worth showing.</summary>
    public string? StackTrace { get; init; }

    /// <summary>Formats the error as one line, <c>Name: message (line L, column C)</c>, followed by the call stack when there is one.</summary>
    /// <returns>The error as text for a model or a person to read.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Name).Append(": ").Append(Message);
        if (Line is { } line)
        {
            text.Append(CultureInfo.InvariantCulture, $" (line {line}");
            if (Column is { } column)
            {
                text.Append(CultureInfo.InvariantCulture, $", column {column}");
            }

            text.Append(')');
        }

        if (!string.IsNullOrWhiteSpace(StackTrace))
        {
            text.Append('\n').Append(StackTrace.TrimEnd());
        }

        return text.ToString();
    }
}
