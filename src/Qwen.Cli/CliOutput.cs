using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Qwen.Tools;

namespace Qwen.Cli;

/// <summary>Shared output of the commands: JSON on stdout (indented, CJK unescaped) and page ranges in words.</summary>
internal static class CliOutput
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task WriteJsonAsync(JsonNode node) => Console.Out.WriteLineAsync(node.ToJsonString(Options));

    /// <summary>The pages a chunk spans, in words: "page 3" or "pages 3-4".</summary>
    public static string Pages(DocumentChunk chunk) =>
        chunk.Page == chunk.LastPage ? $"page {chunk.Page}" : $"pages {chunk.Page}-{chunk.LastPage}";

    /// <summary>Retrieved chunks as JSON: <c>[{"source", "page", "lastPage", "score", "tokens", "text"}]</c>.</summary>
    public static JsonArray ChunksJson(IEnumerable<RetrievedChunk> results) => new([.. results.Select(r => (JsonNode)new JsonObject
    {
        ["source"] = r.Chunk.Source,
        ["page"] = r.Chunk.Page,
        ["lastPage"] = r.Chunk.LastPage,
        ["score"] = Math.Round(r.Score, 4),
        ["tokens"] = r.Chunk.Tokens,
        ["text"] = r.Chunk.Text,
    })]);

    /// <summary>Prints retrieved chunks as text: a header line each (file, pages, score, tokens), then the chunk.</summary>
    public static async Task WriteChunksAsync(IEnumerable<RetrievedChunk> results)
    {
        foreach (var result in results)
        {
            var chunk = result.Chunk;
            await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"--- {chunk.Source} ({Pages(chunk)}, score {result.Score:0.###}, {chunk.Tokens} tokens)")).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(chunk.Text).ConfigureAwait(false);
        }
    }
}
