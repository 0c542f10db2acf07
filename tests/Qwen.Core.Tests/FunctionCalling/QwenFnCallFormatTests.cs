using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Qwen.Core;

namespace Qwen.Core.Tests.FunctionCalling;

public sealed class QwenFnCallFormatTests
{
    private const FunctionCallFormat Qwen = FunctionCallFormat.Qwen;

    [Theory]
    [InlineData("en", false, "qwen_en")]
    [InlineData("en", true, "qwen_en_parallel")]
    [InlineData("zh", false, "qwen_zh")]
    [InlineData("zh", true, "qwen_zh_parallel")]
    public void RenderSystemText_LanguageAndParallel_MatchesQwenAgentText(string language, bool parallel, string expectedKey)
    {
        var text = QwenFnCallFormat.RenderSystemText([TestTools.Weather, TestTools.CodeInterpreter], language, parallel);

        Assert.Equal(Expected(expectedKey), text);
    }

    [Fact]
    public void RenderSystemText_NameForHumanAndArgsFormat_ComeFromAdditionalProperties()
    {
        var tool = new TestTools.Annotated("img_gen", "Draws.", """{"type": "object"}""", new() { ["name_for_human"] = "Image Generator", ["args_format"] = "Use English." });

        var text = QwenFnCallFormat.RenderSystemText([tool]);

        Assert.Contains("### Image Generator\n\nimg_gen: Draws. Parameters: {\"type\": \"object\"} Use English.\n\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderSystemText_UnknownLanguage_ThrowsNamingTheArgument()
    {
        var error = Assert.Throws<ArgumentException>("language", () => QwenFnCallFormat.RenderSystemText([TestTools.Add], "fr"));
        Assert.Contains("\"fr\"", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>("language", () => QwenFnCallFormat.RenderSystemText([TestTools.Add], null!));
        Assert.Throws<ArgumentException>("tools", () => QwenFnCallFormat.RenderSystemText([]));
    }

    [Fact]
    public void RenderRound_CallsAndResults_LaysThemOutAsQwenAgent()
    {
        var round = QwenFnCallFormat.RenderRound(
            [TestTools.Call("get_weather", """{"city": "Paris"}"""), TestTools.Call("get_weather", """{"city": "北京"}""")],
            [new FunctionResultContent("a", "18"), new FunctionResultContent("b", "25")]);

        Assert.Equal(
            "✿FUNCTION✿: get_weather\n✿ARGS✿: {\"city\": \"Paris\"}\n✿FUNCTION✿: get_weather\n✿ARGS✿: {\"city\": \"北京\"}\n✿RESULT✿: 18\n✿RESULT✿: 25\n✿RETURN✿: ",
            round);
        Assert.Equal("✿FUNCTION✿: add\n✿ARGS✿: {}", QwenFnCallFormat.RenderRound([new FunctionCallContent("c", "add")], []));
        Assert.Throws<ArgumentException>("calls", () => QwenFnCallFormat.RenderRound([], []));
    }

    [Fact]
    public void RenderCall_ThenParse_RoundTripsParallelCalls()
    {
        FunctionCallContent[] calls =
        [
            TestTools.Call("get_weather", """{"city": "Paris", "unit": "c"}"""),
            TestTools.Call("add", """{"a": 2, "b": [3, {"deep": "x\ny"}]}"""),
        ];

        var output = "I will check both.\n" + string.Join("\n", calls.Select(QwenFnCallFormat.RenderCall)) + "\n✿RESULT✿: ";
        var events = ParserHarness.ParseInEverySplit(Qwen, output);

        Assert.Equal(
            ["text I will check both.", $"call get_weather {JsonSerializer.Serialize(calls[0].Arguments)}", $"call add {JsonSerializer.Serialize(calls[1].Arguments)}"],
            events);
    }

    [Fact]
    public void Parse_ModelWritesResultAndReturn_StopsAtThem()
    {
        var parser = FunctionCallFormats.CreateParser(Qwen);

        var events = ParserHarness.Describe(parser.Append("✿FUNCTION✿: add\n✿ARGS✿: {\"a\": 1, \"b\": 2}\n✿RESULT✿: 3\n✿RETURN✿: The sum is 3."));

        Assert.Equal(["call add {\"a\":1,\"b\":2}"], events);
        Assert.True(parser.IsStopped);
        Assert.Empty(parser.Append("more"));
        Assert.Empty(parser.Complete());
    }

    [Fact]
    public void Parse_SeveralArgsAfterOneName_GivesOneCallEach()
    {
        var events = ParserHarness.ParseInEverySplit(Qwen, "✿FUNCTION✿: get_weather\n✿ARGS✿: {\"city\": \"A\"}\n✿ARGS✿: {\"city\": \"B\"}");

        Assert.Equal(["call get_weather {\"city\":\"A\"}", "call get_weather {\"city\":\"B\"}"], events);
    }

    [Fact]
    public void Parse_NameWithoutArgs_GivesCallWithEmptyArguments()
    {
        Assert.Equal(["call now {}"], ParserHarness.ParseInEverySplit(Qwen, "✿FUNCTION✿: now\n"));
        Assert.Equal(["call now {}", "call add {\"a\":1}"], ParserHarness.ParseInEverySplit(Qwen, "✿FUNCTION✿: now\n✿FUNCTION✿: add\n✿ARGS✿: {a: 1}"));
    }

    [Fact]
    public void Parse_TrailingCommentAfterArguments_IsIgnoredAsQwenAgentDoes()
    {
        var events = ParserHarness.ParseInEverySplit(Qwen, "✿FUNCTION✿: add\n✿ARGS✿: {\"a\": 1} <!-- this is an example comment {x} -->\n");

        Assert.Equal(["call add {\"a\":1}"], events);
    }

    [Fact]
    public void Parse_CodeFenceArguments_BecomeCodeArgument()
    {
        var events = ParserHarness.ParseInEverySplit(Qwen, "✿FUNCTION✿: code_interpreter\n✿ARGS✿: ```py\nprint(\"hi\")\n```\n");

        Assert.Equal(["call code_interpreter {\"code\":\"print(\\u0022hi\\u0022)\"}"], events);
    }

    [Fact]
    public void Parse_MalformedArguments_RepairsOrReportsError()
    {
        Assert.Equal(["call add {\"a\":1,\"b\":2}"], ParserHarness.Parse(Qwen, "✿FUNCTION✿: add\n✿ARGS✿: {'a': 1, b: 2,"));
        Assert.Equal(["error add <<✿FUNCTION✿: add\n✿ARGS✿: a=1, b=2>>"], ParserHarness.Parse(Qwen, "✿FUNCTION✿: add\n✿ARGS✿: a=1, b=2\n"));

        var error = Assert.IsType<ToolCallParseErrorEvent>(Assert.Single(ParserHarness.Run(Qwen, ["✿FUNCTION✿: add\n✿ARGS✿: [1, 2]"])));
        Assert.Contains("the arguments of 'add' are not a JSON object", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyOrMultiLineName_IsParseError()
    {
        Assert.Equal(["error - <<✿FUNCTION✿:\n✿ARGS✿: {}>>"], ParserHarness.Parse(Qwen, "✿FUNCTION✿:\n✿ARGS✿: {}"));
        Assert.Equal(["text Sure.", "error - <<✿FUNCTION✿: add\nsome words>>"], ParserHarness.Parse(Qwen, "Sure.\n✿FUNCTION✿: add\nsome words"));
    }

    [Fact]
    public void Parse_ArgsMarkerInPlainText_IsText()
    {
        Assert.Equal(["text Write ✿ARGS✿: after the name."], ParserHarness.ParseInEverySplit(Qwen, "Write ✿ARGS✿: after the name."));
    }

    private static string Expected(string key) =>
        JsonNode.Parse(File.ReadAllText(TestTools.FixturePath("function-calling", "qwen_agent_prompts.json")))![key]!.GetValue<string>();
}
