using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Qwen.Tools;

/// <summary>
/// What the <c>code_interpreter</c> tool does with its arguments and result, apart from the <see cref="AIFunction"/>
/// shell around it, so another tool base class can reuse it as it is.
/// </summary>
internal static class CodeInterpreterInvocation
{
    public const string CodeArgument = "code";

    /// <summary>The code from the tool's arguments (a string, or a JSON string), with Markdown fences removed.</summary>
    /// <exception cref="ArgumentException">There is no <c>code</c> argument, or it is not text.</exception>
    public static string ReadCode(IEnumerable<KeyValuePair<string, object?>> arguments)
    {
        var value = arguments.FirstOrDefault(a => a.Key == CodeArgument).Value;
        var code = value switch
        {
            string text => text,
            JsonElement { ValueKind: JsonValueKind.String } element => element.GetString()!,
            _ => throw new ArgumentException(
                $"code_interpreter: argument '{CodeArgument}' must be a string of JavaScript; got {(value is null ? "nothing" : value is JsonElement e ? e.ValueKind.ToString() : value.GetType().Name)}.",
                nameof(arguments)),
        };
        return CodeFences.Strip(code);
    }

    /// <summary>The result as a model sees it: one text block (output, value, error, image paths), then each image.</summary>
    public static List<AIContent> ToContents(CodeExecutionResult result)
    {
        var contents = new List<AIContent> { new TextContent(result.ToText()) };
        foreach (var image in result.Images)
        {
            contents.Add(new DataContent(image.Data, image.MediaType) { Name = Path.GetFileName(image.Path) });
        }

        return contents;
    }
}
