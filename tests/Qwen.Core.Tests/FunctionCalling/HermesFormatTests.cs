using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Qwen.Core;

namespace Qwen.Core.Tests.FunctionCalling;

public sealed class HermesFormatTests
{
    public static TheoryData<string, string> GoldenToolCases => new()
    {
        { "golden_qwen2.5.jsonl", "tools_call_and_response" },
        { "golden_qwen2.5.jsonl", "tools_with_system" },
        { "golden_qwen3.jsonl", "tools_call_and_response" },
        { "golden_qwen3.jsonl", "tools_with_system" },
    };

    [Theory]
    [MemberData(nameof(GoldenToolCases))]
    public void RenderToolsSystemText_GoldenCase_MatchesTemplateOutputExactly(string golden, string caseName)
    {
        var text = GoldenText(golden, caseName);
        var start = text.IndexOf("# Tools", StringComparison.Ordinal);
        var expected = text[start..text.IndexOf("<|im_end|>", start, StringComparison.Ordinal)];

        Assert.Equal(expected, HermesFormat.RenderToolsSystemText(CaseTools(caseName)));
    }

    [Theory]
    [InlineData("golden_qwen2.5.jsonl")]
    [InlineData("golden_qwen3.jsonl")]
    public void RenderCallAndResult_GoldenToolCase_MatchTemplateOutputExactly(string golden)
    {
        var text = GoldenText(golden, "tools_call_and_response");
        var calls = CaseMessages("tools_call_and_response")
            .Where(m => m["tool_calls"] is not null)
            .SelectMany(m => m["tool_calls"]!.AsArray())
            .Select(c => TestTools.Call(c!["function"]!["name"]!.GetValue<string>(), c["function"]!["arguments"]!.ToJsonString()));
        var results = CaseMessages("tools_call_and_response")
            .Where(m => m["role"]!.GetValue<string>() == "tool")
            .Select(m => new FunctionResultContent("call_test", m["content"]!.GetValue<string>()));

        Assert.Contains("<|im_start|>assistant\n" + string.Join("\n", calls.Select(HermesFormat.RenderCall)) + "<|im_end|>", text, StringComparison.Ordinal);
        Assert.Contains("<|im_start|>user\n" + string.Join("\n", results.Select(HermesFormat.RenderResult)) + "<|im_end|>", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("golden_qwen2.5.jsonl")]
    [InlineData("golden_qwen3.jsonl")]
    public void Parse_GoldenAssistantTurn_GivesTheCallsOfTheCase(string golden)
    {
        var text = GoldenText(golden, "tools_call_and_response");
        var start = text.IndexOf("<|im_start|>assistant\n", StringComparison.Ordinal) + "<|im_start|>assistant\n".Length;
        var turn = text[start..text.IndexOf("<|im_end|>", start, StringComparison.Ordinal)];

        var events = ParserHarness.ParseInEverySplit(FunctionCallFormat.Hermes, turn);

        Assert.Equal(
            ["call get_weather {\"city\":\"Paris\"}", "call get_weather {\"city\":\"\\u5317\\u4EAC\",\"unit\":\"c\"}"],
            events);
    }

    [Fact]
    public void RenderCall_ThenParse_RoundTripsNameAndArguments()
    {
        var call = TestTools.Call("search", """{"query": "a \"quoted\"\nline\t中文", "n": 3, "exact": false, "filters": {"tags": ["x", "y"], "since": null}}""");

        var events = FunctionCallFormats.CreateParser(FunctionCallFormat.Hermes).Append("Let me look.\n" + HermesFormat.RenderCall(call));
        var parsed = Assert.IsType<ToolCallEvent>(Assert.Single(events, e => e is ToolCallEvent));

        Assert.Equal("search", parsed.Call.Name);
        Assert.Equal(JsonSerializer.Serialize(call.Arguments), JsonSerializer.Serialize(parsed.Call.Arguments));
    }

    [Fact]
    public void RenderCall_NonAsciiAndControlCharacters_WritesPythonStyleJson()
    {
        var call = TestTools.Call("f", """{"s": "é\u0001\"\\/", "list": [1, 2.5, true]}""");

        Assert.Equal(
            "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"s\": \"é\\u0001\\\"\\\\/\", \"list\": [1, 2.5, true]}}\n</tool_call>",
            HermesFormat.RenderCall(call));
    }

    [Fact]
    public void RenderCall_Arguments_WrittenByTheSameWriterAsTheTemplatesTojson()
    {
        // json.dumps(json.loads(...), ensure_ascii=False): floats as Python writes them (1.50 -> 1.5, 1e2 -> 100.0), ints as ints.
        const string Arguments = """{"f": 1.50, "e": 1e2, "i": -7, "s": "中\u0001", "n": null, "o": {"b": [true, false]}}""";
        var template = ChatTemplate.FromSource("{{ args | tojson }}");

        var fromTemplate = template.Render([], new ChatTemplateOptions { ExtraVariables = new Dictionary<string, object?> { ["args"] = JsonDocument.Parse(Arguments).RootElement } });

        Assert.Equal("""{"f": 1.5, "e": 100.0, "i": -7, "s": "中\u0001", "n": null, "o": {"b": [true, false]}}""", fromTemplate);
        Assert.Equal($"<tool_call>\n{{\"name\": \"f\", \"arguments\": {fromTemplate}}}\n</tool_call>", HermesFormat.RenderCall(TestTools.Call("f", Arguments)));
    }

    [Fact]
    public void RenderCall_ClrArgumentValues_SerializesThem()
    {
        var call = new FunctionCallContent("id", "f", new Dictionary<string, object?> { ["n"] = 3, ["s"] = "x", ["b"] = true, ["none"] = null, ["arr"] = new[] { 1, 2 } });

        Assert.Equal(
            "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"n\": 3, \"s\": \"x\", \"b\": true, \"none\": null, \"arr\": [1, 2]}}\n</tool_call>",
            HermesFormat.RenderCall(call));
    }

    [Fact]
    public void RenderResult_NonStringAndFailedResults_WritesJsonAndErrorText()
    {
        Assert.Equal("<tool_response>\n{\"temp\": 18}\n</tool_response>", HermesFormat.RenderResult(new FunctionResultContent("c", new Dictionary<string, int> { ["temp"] = 18 })));
        Assert.Equal("<tool_response>\nError: boom\n</tool_response>", HermesFormat.RenderResult(new FunctionResultContent("c", null) { Exception = new InvalidOperationException("boom") }));
    }

    [Fact]
    public void RenderToolsSystemText_ToolWithoutDescriptionOrSchema_WritesEmptyObjectSchema()
    {
        var text = HermesFormat.RenderToolsSystemText([AIFunctionFactory.CreateDeclaration("now", null, default)]);

        Assert.Contains("\n{\"type\": \"function\", \"function\": {\"name\": \"now\", \"parameters\": {\"type\": \"object\", \"properties\": {}}}}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderToolsSystemText_BadArguments_ThrowsNamingTheArgument()
    {
        Assert.Throws<ArgumentNullException>("tools", () => HermesFormat.RenderToolsSystemText(null!));
        Assert.Throws<ArgumentException>("tools", () => HermesFormat.RenderToolsSystemText([]));
        var error = Assert.Throws<ArgumentException>("tools", () => HermesFormat.RenderToolsSystemText([TestTools.Add, null!]));
        Assert.Contains("tools[1]", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>("call", () => HermesFormat.RenderCall(new FunctionCallContent("id", "")));
        Assert.Throws<ArgumentNullException>("result", () => HermesFormat.RenderResult(null!));
    }

    private static string GoldenText(string golden, string caseName) =>
        File.ReadLines(TestTools.FixturePath("chat-template", golden))
            .Select(line => JsonNode.Parse(line)!)
            .Single(node => node["name"]!.GetValue<string>() == caseName)["text"]!.GetValue<string>();

    private static JsonNode Case(string caseName) =>
        JsonNode.Parse(File.ReadAllText(TestTools.FixturePath("chat-template", "cases.json")))!.AsArray()
            .Single(node => node!["name"]!.GetValue<string>() == caseName)!;

    private static IEnumerable<JsonNode> CaseMessages(string caseName) => Case(caseName)["messages"]!.AsArray().Select(m => m!);

    private static List<AIFunctionDeclaration> CaseTools(string caseName) =>
        Case(caseName)["tools"]!.AsArray()
            .Select(tool => tool!["function"]!)
            .Select(f => TestTools.Declare(f["name"]!.GetValue<string>(), f["description"]!.GetValue<string>(), f["parameters"]!.ToJsonString()))
            .ToList();
}
