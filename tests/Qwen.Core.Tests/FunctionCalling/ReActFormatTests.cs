using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Qwen.Core;

namespace Qwen.Core.Tests.FunctionCalling;

public sealed class ReActFormatTests
{
    private const FunctionCallFormat ReAct = FunctionCallFormat.ReAct;

    [Fact]
    public void RenderPrompt_WithoutPrimedThought_MatchesQwenAgentReActChat()
    {
        Assert.Equal(Expected("react_add"), ReActFormat.RenderPrompt([TestTools.Add], "add 2 and 3", primeThought: false));
    }

    [Fact]
    public void RenderPrompt_ChineseToolText_UsesChineseTemplateForThatTool()
    {
        Assert.Equal(Expected("react_weather"), ReActFormat.RenderPrompt([TestTools.Weather, TestTools.Add], "Weather?", primeThought: false));
    }

    [Fact]
    public void RenderPrompt_Default_EndsWithThoughtPrompt()
    {
        Assert.Equal(Expected("react_add") + "\nThought: ", ReActFormat.RenderPrompt([TestTools.Add], "add 2 and 3"));
    }

    [Fact]
    public void RenderPrompt_BadArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>("query", () => ReActFormat.RenderPrompt([TestTools.Add], null!));
        Assert.Throws<ArgumentException>("tools", () => ReActFormat.RenderPrompt([], "q"));
    }

    [Fact]
    public void RenderCallAndObservation_ThenParse_RoundTrips()
    {
        var call = TestTools.Call("add", """{"a": 2, "b": 3}""");
        Assert.Equal("Action: add\nAction Input: {\"a\": 2, \"b\": 3}", ReActFormat.RenderCall(call));
        Assert.Equal("\nObservation: 5\nThought: ", ReActFormat.RenderObservation(new FunctionResultContent("c", "5")));

        var events = ParserHarness.ParseInEverySplit(ReAct, "I need to add.\n" + ReActFormat.RenderCall(call) + "\nObservation:");

        Assert.Equal(["reasoning I need to add.", "call add {\"a\":2,\"b\":3}"], events);
    }

    [Fact]
    public void Parse_ThoughtsThenFinalAnswer_ReportsReasoningThenText()
    {
        var events = ParserHarness.ParseInEverySplit(ReAct, "Thought: 2 plus 3.\nThought: I now know the final answer\nFinal Answer: It is 5.\nAction: ignored");

        Assert.Equal(["reasoning 2 plus 3.\nI now know the final answer", "text It is 5.\nAction: ignored"], events);
    }

    [Fact]
    public void Parse_OutputAfterPrimedThought_ReadsUnlabelledThought()
    {
        var events = ParserHarness.ParseInEverySplit(ReAct, "I should search.\nAction: search\nAction Input: {\"q\": \"x\"}\nObservation: fake result\nThought: more");

        Assert.Equal(["reasoning I should search.", "call search {\"q\":\"x\"}"], events);
    }

    [Fact]
    public void Parse_MultiLineActionInputWithoutStopWord_EndsAtEndOfOutput()
    {
        var events = ParserHarness.ParseInEverySplit(ReAct, "Thought: go\nAction: add\nAction Input: {\n  \"a\": 1,\n  \"b\": 2\n}\n");

        Assert.Equal(["reasoning go", "call add {\"a\":1,\"b\":2}"], events);
    }

    [Fact]
    public void Parse_ActionWithoutInput_IsParseErrorAndParsingGoesOn()
    {
        var events = ParserHarness.ParseInEverySplit(ReAct, "Action: add\nThought: oops\nFinal Answer: no");

        Assert.Equal(["error add <<Action: add>>", "reasoning oops", "text no"], events);
        Assert.Equal(["error - <<Action:>>"], ParserHarness.Parse(ReAct, "Action:"));
    }

    [Fact]
    public void Parse_NonJsonActionInput_IsParseErrorWithRawText()
    {
        var error = Assert.IsType<ToolCallParseErrorEvent>(Assert.Single(ParserHarness.Run(ReAct, ["Action: search\nAction Input: cheap flights\nObservation:"])));

        Assert.Equal("Action: search\nAction Input: cheap flights", error.RawText);
        Assert.Equal("search", error.Name);
        Assert.Contains("unexpected word 'cheap'", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TwoActionsWithoutObservation_GivesTwoCalls()
    {
        var events = ParserHarness.ParseInEverySplit(ReAct, "Action: a\nAction Input: {}\nAction: b\nAction Input: {\"x\": 1}");

        Assert.Equal(["call a {}", "call b {\"x\":1}"], events);
    }

    [Fact]
    public void Parse_ObservationAtStart_StopsWithNothing()
    {
        var parser = FunctionCallFormats.CreateParser(ReAct);

        Assert.Empty(parser.Append("Observation: made up"));
        Assert.True(parser.IsStopped);
        Assert.Empty(parser.Complete());
    }

    [Fact]
    public void Parse_ThinkBlockBeforeThought_IsReasoning()
    {
        var events = ParserHarness.ParseInEverySplit(ReAct, "<think>\nhmm\n</think>\n\nThought: ok\nFinal Answer: 5");

        Assert.Equal(["reasoning hmm\n\nok", "text 5"], events);
    }

    [Fact]
    public void Parse_LabelInsideALine_IsNotALabel()
    {
        Assert.Equal(["reasoning I will not use Action: here"], ParserHarness.ParseInEverySplit(ReAct, "I will not use Action: here"));
    }

    private static string Expected(string key) =>
        JsonNode.Parse(File.ReadAllText(TestTools.FixturePath("function-calling", "qwen_agent_prompts.json")))![key]!.GetValue<string>();
}
