using System.Collections;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Qwen.Tools;

/// <summary>What a tool call produced: text or richer content (images, files), or an error text the model can read and act on.</summary>
public sealed class ToolResult
{
    private ToolResult(IReadOnlyList<AIContent> contents, bool isError)
    {
        Contents = contents;
        IsError = isError;
        Text = Render(contents);
    }

    /// <summary>Gets the content of the result, in order.</summary>
    public IReadOnlyList<AIContent> Contents { get; }

    /// <summary>Gets a value indicating whether the call failed; <see cref="Text"/> then says why, for the model to correct its call.</summary>
    public bool IsError { get; }

    /// <summary>Gets the result as text: the text contents joined, with a one-line placeholder for each non-text content.</summary>
    public string Text { get; }

    /// <summary>Creates a text result.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The result.</returns>
    public static ToolResult FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ToolResult([new TextContent(text)], isError: false);
    }

    /// <summary>Creates a result from content items (text, images, files).</summary>
    /// <param name="contents">The content items.</param>
    /// <returns>The result.</returns>
    public static ToolResult FromContents(IEnumerable<AIContent> contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        return new ToolResult([.. contents], isError: false);
    }

    /// <summary>Creates an error result whose text tells the model what went wrong.</summary>
    /// <param name="message">What went wrong, naming the tool, the argument and the rule where it applies.</param>
    /// <returns>The result.</returns>
    public static ToolResult FromError(string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        var text = message.StartsWith("Error:", StringComparison.Ordinal) ? message : "Error: " + message;
        return new ToolResult([new TextContent(text)], isError: true);
    }

    /// <summary>Creates a result from whatever an <see cref="AIFunction"/> returned.</summary>
    /// <param name="value">A string, an <see cref="AIContent"/>, a sequence of them, a <see cref="JsonElement"/>, <see langword="null"/>, or any serializable value.</param>
    /// <param name="options">The serializer options for other values; <see cref="AIJsonUtilities.DefaultOptions"/> when <see langword="null"/>.</param>
    /// <returns>The result.</returns>
    public static ToolResult FromValue(object? value, JsonSerializerOptions? options = null) => value switch
    {
        null => FromText(string.Empty),
        ToolResult result => result,
        string text => FromText(text),
        AIContent content => FromContents([content]),
        IEnumerable<AIContent> contents => FromContents(contents),
        JsonElement { ValueKind: JsonValueKind.String } element => FromText(element.GetString()!),
        JsonElement element => FromText(element.GetRawText()),
        IEnumerable sequence when sequence.Cast<object?>().All(item => item is AIContent) => FromContents(sequence.Cast<AIContent>()),
        _ => FromText(JsonSerializer.Serialize(value, value.GetType(), options ?? AIJsonUtilities.DefaultOptions)),
    };

    /// <summary>Returns the value an <see cref="AIFunction"/> hands back: the text when the result is text only, otherwise the content list.</summary>
    /// <returns>A <see cref="string"/> or an <see cref="IList{AIContent}"/>.</returns>
    public object ToFunctionResult() => Contents.All(c => c is TextContent) ? Text : Contents.ToList();

    /// <inheritdoc />
    public override string ToString() => Text;

    private static string Render(IReadOnlyList<AIContent> contents)
    {
        if (contents.Count == 1 && contents[0] is TextContent single)
        {
            return single.Text;
        }

        var builder = new StringBuilder();
        foreach (var content in contents)
        {
            if (builder.Length > 0)
            {
                builder.Append('\n');
            }

            builder.Append(content switch
            {
                TextContent text => text.Text,
                DataContent data => $"[{data.MediaType}{(data.Name is null ? string.Empty : " " + data.Name)}, {data.Data.Length} bytes]",
                UriContent uri => $"[{uri.MediaType}: {uri.Uri}]",
                HostedFileContent file => $"[file {file.Name ?? file.FileId}]",
                _ => $"[{content.GetType().Name}]",
            });
        }

        return builder.ToString();
    }
}
