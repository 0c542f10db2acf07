using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Qwen.Agents;

/// <summary>
/// Finds the documents attached to messages: <see cref="UriContent"/> (a <c>file://</c> or <c>http(s)</c> URI),
/// <see cref="DataContent"/> with a <see cref="DataContent.Name"/> (its extension tells the format), and, in a user
/// message's text, a Markdown link labelled <c>file</c> or <c>文件</c>: <c>[file](/path/report.pdf)</c>. Images are not documents.
/// </summary>
internal static partial class MessageFiles
{
    public static List<string> Extract(IEnumerable<ChatMessage> messages, DocumentLibrary library)
    {
        var files = new List<string>();
        foreach (var message in messages)
        {
            foreach (var content in message.Contents)
            {
                var file = content switch
                {
                    UriContent uri when !uri.HasTopLevelMediaType("image") => uri.Uri.IsFile ? uri.Uri.LocalPath
                        : uri.Uri.Scheme is "http" or "https" ? uri.Uri.AbsoluteUri
                        : null,
                    DataContent data when data.Name is { Length: > 0 } name && !data.HasTopLevelMediaType("image") => library.Materialize(data, name),
                    _ => null,
                };
                if (file is not null)
                {
                    files.Add(file);
                }

                if (content is TextContent userText && message.Role == ChatRole.User)
                {
                    files.AddRange(FileLink().Matches(userText.Text).Select(m => m.Groups["path"].Value.Trim()));
                }
            }
        }

        return files;
    }

    /// <summary>Joins the configured files and the attached ones, first occurrence first.</summary>
    public static List<string> All(IEnumerable<string> configured, IEnumerable<ChatMessage> messages, DocumentLibrary library) =>
        [.. configured.Concat(Extract(messages, library)).Distinct(StringComparer.Ordinal)];

    [GeneratedRegex(@"\[(?:file|文件)\]\(\s*<?(?<path>[^)<>\r\n]+?)>?\s*\)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FileLink();
}
