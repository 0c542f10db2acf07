using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Qwen.Tools;

namespace Qwen.Cli;

/// <summary>
/// Shows an agent's streamed updates in <c>qwen chat</c>: the answer on stdout, reasoning, tool calls and tool results on
/// stderr as they happen (with a status line while a tool runs when stderr is a terminal), images that tools return saved to
/// files whose paths are printed; or, with <c>--json</c>, the turn's messages as one JSON line on stdout.
/// </summary>
internal sealed class ChatRenderer(bool json, string chartDirectory)
{
    private const int MaxShownResultChars = 300;
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions OneLine = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };
    private readonly bool _statusLine = !json && !Console.IsErrorRedirected;
    private readonly Dictionary<string, string> _callNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _savedFiles = new(StringComparer.Ordinal);

    /// <summary>Streams one turn and returns its updates.</summary>
    public async Task<List<AgentResponseUpdate>> RenderAsync(IAsyncEnumerable<AgentResponseUpdate> updates, CancellationToken cancellationToken)
    {
        var all = new List<AgentResponseUpdate>();
        var thinking = false;
        var statusShown = false;
        var running = new List<string>();
        try
        {
            await foreach (var update in updates.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                all.Add(update);
                foreach (var content in update.Contents)
                {
                    if (content is FunctionResultContent finished)
                    {
                        SaveImages(finished);
                    }

                    if (json)
                    {
                        continue;
                    }

                    if (statusShown)
                    {
                        await Console.Error.WriteAsync("\r\u001b[2K").ConfigureAwait(false);
                        statusShown = false;
                    }

                    switch (content)
                    {
                        case TextReasoningContent reasoning:
                            thinking = true;
                            await Console.Error.WriteAsync(reasoning.Text).ConfigureAwait(false);
                            break;
                        case TextContent { Text: var delta }:
                            if (thinking)
                            {
                                await Console.Error.WriteLineAsync().ConfigureAwait(false);
                                thinking = false;
                            }

                            await Console.Out.WriteAsync(delta).ConfigureAwait(false);
                            await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
                            break;
                        case FunctionCallContent call:
                            thinking = EndThinking(thinking);
                            _callNames[call.CallId] = call.Name;
                            running.Add(call.CallId);
                            await Console.Error.WriteLineAsync($"[tool call {call.CallId}] {call.Name} {JsonSerializer.Serialize(call.Arguments, OneLine)}").ConfigureAwait(false);
                            break;
                        case FunctionResultContent result:
                            thinking = EndThinking(thinking);
                            await Console.Error.WriteLineAsync($"[tool result {result.CallId}] {NameOf(result.CallId)}: {Shorten(ResultText(result))}").ConfigureAwait(false);
                            running.Remove(result.CallId);
                            foreach (var path in _savedFiles.GetValueOrDefault(result.CallId) ?? [])
                            {
                                await Console.Error.WriteLineAsync($"[chart saved] {path}").ConfigureAwait(false);
                            }

                            break;
                    }

                    // The status line sits below the last line written and is redrawn after each, while tools run.
                    if (_statusLine && running.Count > 0)
                    {
                        await Console.Error.WriteAsync($"… running {string.Join(", ", running.Select(NameOf))}").ConfigureAwait(false);
                        statusShown = true;
                    }
                }
            }
        }
        finally
        {
            if (statusShown)
            {
                await Console.Error.WriteAsync("\r\u001b[2K").ConfigureAwait(false);
            }
        }

        if (json)
        {
            await Console.Out.WriteLineAsync(ToJson(all.ToAgentResponse().Messages)).ConfigureAwait(false);
        }
        else
        {
            await Console.Out.WriteLineAsync().ConfigureAwait(false);
        }

        return all;
    }

    /// <summary>The messages as <c>--json</c> prints them: <c>{"messages":[{"role","author","text","reasoning","tool_calls":[{"id","name","arguments"}],"tool_results":[{"id","name","result","files"}]}]}</c>.</summary>
    public string ToJson(IEnumerable<ChatMessage> messages)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("messages");
            foreach (var message in messages)
            {
                WriteMessage(writer, message);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private void WriteMessage(Utf8JsonWriter writer, ChatMessage message)
    {
        writer.WriteStartObject();
        writer.WriteString("role", message.Role.Value);
        if (message.AuthorName is { } author)
        {
            writer.WriteString("author", author);
        }

        writer.WriteString("text", string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text)));
        var reasoning = string.Concat(message.Contents.OfType<TextReasoningContent>().Select(t => t.Text));
        if (reasoning.Length > 0)
        {
            writer.WriteString("reasoning", reasoning);
        }

        var calls = message.Contents.OfType<FunctionCallContent>().ToList();
        if (calls.Count > 0)
        {
            writer.WriteStartArray("tool_calls");
            foreach (var call in calls)
            {
                _callNames[call.CallId] = call.Name;
                writer.WriteStartObject();
                writer.WriteString("id", call.CallId);
                writer.WriteString("name", call.Name);
                writer.WritePropertyName("arguments");
                JsonSerializer.Serialize(writer, call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        var results = message.Contents.OfType<FunctionResultContent>().ToList();
        if (results.Count > 0)
        {
            writer.WriteStartArray("tool_results");
            foreach (var result in results)
            {
                writer.WriteStartObject();
                writer.WriteString("id", result.CallId);
                writer.WriteString("name", NameOf(result.CallId));
                writer.WriteString("result", ResultText(result));
                if (_savedFiles.TryGetValue(result.CallId, out var files))
                {
                    writer.WriteStartArray("files");
                    foreach (var file in files)
                    {
                        writer.WriteStringValue(file);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static bool EndThinking(bool thinking)
    {
        if (thinking)
        {
            Console.Error.WriteLine();
        }

        return false;
    }

    private static string ResultText(FunctionResultContent result) => result.Exception is { } e ? $"Error: {e.Message}" : ToolResult.FromValue(result.Result).Text;

    private static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= MaxShownResultChars ? line : string.Concat(line.AsSpan(0, MaxShownResultChars), "…");
    }

    private string NameOf(string callId) => _callNames.GetValueOrDefault(callId) ?? "?";

    /// <summary>Writes the images a tool returned (code interpreter charts) under the chart directory, once per result.</summary>
    private void SaveImages(FunctionResultContent result)
    {
        if (_savedFiles.ContainsKey(result.CallId) || result.Result is not IEnumerable<AIContent> contents)
        {
            return;
        }

        var saved = new List<string>();
        foreach (var image in contents.OfType<DataContent>().Where(d => d.HasTopLevelMediaType("image")))
        {
            Directory.CreateDirectory(chartDirectory);
            var name = Path.GetFileName(image.Name) is { Length: > 0 } given ? given : $"chart-{result.CallId}.png";
            var path = Path.Combine(chartDirectory, name);
            for (var n = 2; File.Exists(path); n++)
            {
                path = Path.Combine(chartDirectory, $"{Path.GetFileNameWithoutExtension(name)}-{n}{Path.GetExtension(name)}");
            }

            File.WriteAllBytes(path, image.Data.ToArray());
            saved.Add(Path.GetFullPath(path));
        }

        if (saved.Count > 0)
        {
            _savedFiles[result.CallId] = saved;
        }
    }
}
