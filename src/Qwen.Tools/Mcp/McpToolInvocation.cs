using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol;

namespace Qwen.Tools;

/// <summary>
/// What an MCP tool does when called, apart from the <see cref="AIFunction"/> shell: calls the server and turns the
/// result into contents (text and images), and every failure into an error text the model can read.
/// </summary>
internal static class McpToolInvocation
{
    public static async Task<List<AIContent>> InvokeAsync(McpServerConnection connection, string tool, string exposedName, IEnumerable<KeyValuePair<string, object?>> arguments, CancellationToken cancellationToken)
    {
        var values = arguments.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(connection.Options.CallTimeout);
        try
        {
            var result = await connection.CallToolAsync(tool, values, timeout.Token).ConfigureAwait(false);
            var contents = result.Content.ToAIContents().ToList();
            if (contents.Count == 0 && result.StructuredContent is { } structured)
            {
                contents.Add(new TextContent(structured.GetRawText()));
            }

            if (result.IsError == true)
            {
                var detail = string.Join("\n", contents.OfType<TextContent>().Select(t => t.Text));
                contents.RemoveAll(c => c is TextContent);
                contents.Insert(0, new TextContent($"Error: tool '{exposedName}' failed: {(detail.Length > 0 ? detail : "the server gave no reason")}"));
            }

            return contents;
        }
        catch (McpProtocolException e)
        {
            return Error($"Error: MCP server '{connection.Name}' refused the call to '{tool}': {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Error($"Error: tool '{exposedName}' did not answer within {connection.Options.CallTimeout}.");
        }
        catch (Exception e) when (e is not OperationCanceledException && IsConnectionFailure(e))
        {
            return Error($"Error: MCP server '{connection.Name}' could not complete '{tool}': {e.Message}. It will be reconnected on the next call.");
        }
    }

    private static bool IsConnectionFailure(Exception e) =>
        e is McpException or IOException or ObjectDisposedException or InvalidOperationException or HttpRequestException or JsonException
            or System.ComponentModel.Win32Exception or TimeoutException;

    private static List<AIContent> Error(string text) => [new TextContent(text)];
}
