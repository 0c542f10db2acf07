using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Qwen.Tools;

/// <summary>
/// What an MCP tool does when called, apart from the <see cref="AIFunction"/> shell: calls the server, forwards its progress,
/// turns the result into contents (text, images, resource links) and every failure into an error text the model can read.
/// </summary>
internal static class McpToolInvocation
{
    public static async Task<List<AIContent>> InvokeAsync(McpServerConnection connection, string tool, string exposedName, IEnumerable<KeyValuePair<string, object?>> arguments, CancellationToken cancellationToken)
    {
        if (connection.IsDisposed)
        {
            return Error($"Error: tool '{exposedName}' cannot be called: its MCP host has been disposed (the server is stopped and will not be restarted).");
        }

        var values = arguments.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(connection.Options.CallTimeout);
        var progress = new ProgressForwarder(connection, exposedName);
        try
        {
            var result = await connection.CallToolAsync(tool, values, progress, timeout.Token).ConfigureAwait(false);
            var contents = result.Content.Select(ToContent).ToList();
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
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && connection.IsDisposed)
        {
            return Error($"Error: the call to '{exposedName}' was cancelled because its MCP host was disposed.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            return Error($"Error: tool '{exposedName}' did not answer within {connection.Options.CallTimeout}.");
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Neither our caller nor our time limit: the session itself was cancelled (the server or the transport closed it).
            return Error($"Error: MCP server '{connection.Name}' closed the session during '{tool}' ({e.Message}). It will be reconnected on the next call.");
        }
        catch (JsonException e)
        {
            return Error($"Error: MCP server '{connection.Name}' answered '{tool}' with a message this client could not read: {e.Message}");
        }
        catch (Exception e) when (e is not OperationCanceledException && IsConnectionFailure(e))
        {
            return connection.IsDisposed
                ? Error($"Error: tool '{exposedName}' cannot be called: its MCP host has been disposed.")
                : Error($"Error: MCP server '{connection.Name}' could not complete '{tool}': {e.Message}. It will be reconnected on the next call.");
        }
    }

    /// <summary>
    /// One content block as an <see cref="AIContent"/>, keeping the block in <see cref="AIContent.RawRepresentation"/> and its
    /// annotations (audience, priority) in <see cref="AIContent.AdditionalProperties"/>. Text, images and audio are converted
    /// here: the SDK's own conversion (2.4.0) fails on any block that carries annotations ("Cannot insert the values of
    /// 'TypeInfoResolver'"). A resource link becomes text naming the link, so the model can read it and ask for the resource.
    /// </summary>
    internal static AIContent ToContent(ContentBlock block)
    {
        AIContent content = block switch
        {
            TextContentBlock text => new TextContent(text.Text),
            ImageContentBlock image => new DataContent(image.DecodedData, image.MimeType),
            AudioContentBlock audio => new DataContent(audio.DecodedData, audio.MimeType),
            ResourceLinkBlock link => new TextContent(
                $"Resource link: {link.Title ?? link.Name} <{link.Uri}>{(link.MimeType is { } mime ? $" ({mime})" : string.Empty)}{(link.Description is { } d ? $": {d}" : string.Empty)}"),
            EmbeddedResourceBlock embedded => embedded.Resource.ToAIContent(),
            _ => new TextContent($"[unsupported MCP content '{block.Type}']"),
        };
        content.RawRepresentation = block;
        if (block.Annotations is { } annotations)
        {
            content.AdditionalProperties ??= [];
            if (annotations.Audience is { Count: > 0 } audience)
            {
                content.AdditionalProperties["audience"] = audience.Select(r => r.ToString().ToLowerInvariant()).ToArray();
            }

            if (annotations.Priority is { } priority)
            {
                content.AdditionalProperties["priority"] = priority;
            }
        }

        return content;
    }

    private static bool IsConnectionFailure(Exception e) =>
        e is McpException or IOException or ObjectDisposedException or InvalidOperationException or HttpRequestException
            or System.ComponentModel.Win32Exception or TimeoutException;

    private static List<AIContent> Error(string text) => [new TextContent(text)];

    /// <summary>Forwards a call's progress notifications to the log and to <see cref="McpToolHostOptions.Progress"/>.</summary>
    private sealed class ProgressForwarder(McpServerConnection connection, string tool) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value)
        {
            ToolsLog.McpToolProgress(connection.Logger, tool, value.Progress, value.Total, value.Message);
            connection.Options.Progress?.Report(new McpToolProgress(tool, value.Progress, value.Total, value.Message));
        }
    }
}
