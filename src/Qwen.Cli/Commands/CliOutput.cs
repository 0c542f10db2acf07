using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Qwen.Cli;

/// <summary>Writes command results as JSON on stdout, readable (indented, CJK unescaped).</summary>
internal static class CliOutput
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task WriteJsonAsync(JsonNode node) => Console.Out.WriteLineAsync(node.ToJsonString(Options));
}
