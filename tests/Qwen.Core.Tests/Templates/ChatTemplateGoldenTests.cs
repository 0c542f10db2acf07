using Qwen.Core;

namespace Qwen.Core.Tests;

/// <summary>The chat template reproduces, byte for byte, what independent implementations render for real Qwen templates.</summary>
public sealed class ChatTemplateGoldenTests
{
    private static readonly string[] Models = ["qwen2.5", "qwen3"];

    public static TheoryData<string, string> SharedCases() => Cases("chat-template", "golden_{0}.jsonl");

    public static TheoryData<string, string> ExtraCases() => Cases("jinja", "golden_extra_{0}.jsonl");

    [Theory]
    [MemberData(nameof(SharedCases))]
    public void RenderJson_SharedGoldenCase_MatchesTransformersByteForByte(string model, string name) =>
        AssertGolden(model, name, TemplateFixtures.ReadArray("chat-template", "cases.json"), TemplateFixtures.PathOf("chat-template", $"golden_{model}.jsonl"));

    [Theory]
    [MemberData(nameof(ExtraCases))]
    public void RenderJson_ExtraGoldenCase_MatchesReferenceJinjaByteForByte(string model, string name) =>
        AssertGolden(model, name, TemplateFixtures.ReadArray("jinja", "chat_cases_extra.json"), TemplateFixtures.PathOf("jinja", $"golden_extra_{model}.jsonl"));

    [Fact]
    public void GoldenFiles_CoverEveryCase()
    {
        var shared = TemplateFixtures.ReadArray("chat-template", "cases.json");
        var extra = TemplateFixtures.ReadArray("jinja", "chat_cases_extra.json");

        Assert.Equal(shared.Count * Models.Length, SharedCases().Count);
        Assert.Equal(extra.Count * Models.Length, ExtraCases().Count);
    }

    private static void AssertGolden(string model, string name, System.Text.Json.Nodes.JsonArray cases, string goldenPath)
    {
        var template = ChatTemplate.FromDirectory(TemplateFixtures.ModelDirectory(model));
        var testCase = TemplateFixtures.Case(cases, name);
        var expected = File.ReadAllLines(goldenPath)
            .Select(line => System.Text.Json.Nodes.JsonNode.Parse(line)!)
            .Single(line => line["name"]!.GetValue<string>() == name)["text"]!.GetValue<string>();

        var text = template.RenderJson(TemplateFixtures.MessagesOf(testCase), TemplateFixtures.OptionsOf(testCase));

        Assert.Equal(expected, text);
    }

    private static TheoryData<string, string> Cases(string folder, string pattern)
    {
        var data = new TheoryData<string, string>();
        foreach (var model in Models)
        {
            foreach (var line in TemplateFixtures.ReadLines(folder, string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, model)))
            {
                data.Add(model, line["name"]!.GetValue<string>());
            }
        }

        return data;
    }
}
