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
}
