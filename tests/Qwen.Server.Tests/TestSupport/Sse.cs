using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Qwen.Server.Tests;

/// <summary>Raw HTTP helpers: JSON posts and a strict reader of server-sent events.</summary>
internal static class SseClient
{
    public static HttpRequestMessage Post(string path, string json, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return request;
    }

    /// <summary>Reads a whole event stream as its events' data fields, checking the framing: every event is one <c>data: </c> line followed by a blank line.</summary>
    public static async Task<List<string>> ReadEventsAsync(HttpResponseMessage response)
    {
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\n\n", text);
        var events = new List<string>();
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var line = Assert.Single(block.Split('\n'));
            Assert.StartsWith("data: ", line);
            events.Add(line["data: ".Length..]);
        }

        return events;
    }

    /// <summary>The JSON chunks of an OpenAI stream, checking that it ends with <c>data: [DONE]</c>.</summary>
    public static async Task<List<JsonObject>> ReadChunksAsync(HttpResponseMessage response)
    {
        var events = await ReadEventsAsync(response);
        Assert.Equal("[DONE]", events[^1]);
        return [.. events.SkipLast(1).Select(e => (JsonObject)JsonNode.Parse(e)!)];
    }

    /// <summary>The text the chunks' deltas carry.</summary>
    public static string Content(IEnumerable<JsonObject> chunks, string field = "content") =>
        string.Concat(chunks.Select(c => c["choices"]!.AsArray().FirstOrDefault()?["delta"]?[field]?.GetValue<string>()));
}
