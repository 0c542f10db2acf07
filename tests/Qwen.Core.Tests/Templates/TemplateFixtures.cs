using System.Text.Json.Nodes;
using Qwen.Core;

namespace Qwen.Core.Tests;

/// <summary>Reads the chat-template fixtures copied next to the test assembly.</summary>
internal static class TemplateFixtures
{
    public static string PathOf(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    public static string ModelDirectory(string model) => PathOf("tokenizers", model);

    public static JsonArray ReadArray(params string[] parts) => JsonNode.Parse(File.ReadAllText(PathOf(parts)))!.AsArray();

    public static List<JsonObject> ReadLines(params string[] parts) =>
        [.. File.ReadAllLines(PathOf(parts)).Where(line => line.Length > 0).Select(line => JsonNode.Parse(line)!.AsObject())];

    public static JsonObject Case(JsonArray cases, string name) =>
        cases.Select(c => c!.AsObject()).Single(c => c["name"]!.GetValue<string>() == name);

    /// <summary>The options a case in cases.json asks for: tools, add_generation_prompt, enable_thinking.</summary>
    public static ChatTemplateOptions OptionsOf(JsonObject testCase) => new()
    {
        AddGenerationPrompt = testCase["add_generation_prompt"]?.GetValue<bool>() ?? false,
        EnableThinking = testCase["enable_thinking"]?.GetValue<bool>(),
        ToolsJson = (JsonArray?)testCase["tools"]?.DeepClone(),
    };

    public static JsonArray MessagesOf(JsonObject testCase) => (JsonArray)testCase["messages"]!.DeepClone();
}
