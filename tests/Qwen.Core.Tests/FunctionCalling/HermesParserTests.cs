using Qwen.Core;

namespace Qwen.Core.Tests.FunctionCalling;

public sealed class HermesParserTests
{
    private const FunctionCallFormat Hermes = FunctionCallFormat.Hermes;

    [Fact]
    public void Parse_TextCallsAndTextAfter_ReportsEachInOrder()
    {
        var events = ParserHarness.ParseInEverySplit(
            Hermes,
            "Checking both.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n"
            + "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\"}}\n</tool_call>\nDone.");

        Assert.Equal(["text Checking both.", "call get_weather {\"city\":\"Paris\"}", "call get_weather {\"city\":\"Rome\"}", "text Done."], events);
    }

    [Fact]
    public void Parse_Qwen3ThinkingOutput_SeparatesReasoningFromCall()
    {
        var events = ParserHarness.ParseInEverySplit(
            Hermes, "<think>\nThe user wants weather. <tool_call> is how I call.\n</think>\n\n<tool_call>\n{\"name\": \"w\", \"arguments\": {}}\n</tool_call>");

        Assert.Equal(["reasoning The user wants weather. <tool_call> is how I call.", "call w {}"], events);
    }

    [Fact]
    public void Parse_StartInReasoning_ReportsReasoningUntilThinkCloses()
    {
        var events = ParserHarness.ParseInEverySplit(Hermes, "step 1\nstep 2\n</think>\n\nAnswer: 4", startInReasoning: true);

        Assert.Equal(["reasoning step 1\nstep 2", "text Answer: 4"], events);
    }

    [Fact]
    public void Parse_StartInReasoningWithoutClose_IsAllReasoning()
    {
        Assert.Equal(["reasoning still thinking <tool_call>"], ParserHarness.ParseInEverySplit(Hermes, "still thinking <tool_call>", startInReasoning: true));
    }

    [Fact]
    public void Parse_GarbageBetweenCalls_IsKeptAsText()
    {
        var events = ParserHarness.ParseInEverySplit(
            Hermes, "<tool_call>{\"name\": \"a\", \"arguments\": {}}</tool_call> ~~ junk ~~ <tool_call>{\"name\": \"b\", \"arguments\": {}}</tool_call>");

        Assert.Equal(["call a {}", "text ~~ junk ~~", "call b {}"], events);
    }

    [Fact]
    public void Parse_UnterminatedCallAtEnd_IsParseErrorKeepingTheText()
    {
        var events = ParserHarness.Run(Hermes, ["Sure.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Pa"]);

        Assert.Equal(["text Sure.", "error get_weather <<<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Pa>>"], ParserHarness.Describe(events));
        Assert.Contains("before </tool_call>", Assert.IsType<ToolCallParseErrorEvent>(events[1]).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TruncatedJsonInsideClosedCall_IsRepaired()
    {
        Assert.Equal(
            ["call add {\"a\":1,\"b\":2}"],
            ParserHarness.ParseInEverySplit(Hermes, "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}\n</tool_call>"));
    }

    [Fact]
    public void Parse_NewCallBeforeClosingTag_EndsThePreviousCall()
    {
        var events = ParserHarness.ParseInEverySplit(Hermes, "<tool_call>{\"name\": \"a\", \"arguments\": {\"x\": 1}}\n<tool_call>{\"name\": \"b\"}</tool_call>");

        Assert.Equal(["call a {\"x\":1}", "call b {}"], events);
    }

    [Theory]
    [InlineData("{\"name\": \"f\", \"arguments\": \"{\\\"x\\\": 1}\"}", "call f {\"x\":1}")] // arguments encoded as a string
    [InlineData("{\"name\": \"f\", \"parameters\": {\"x\": 1}}", "call f {\"x\":1}")] // "parameters" instead of "arguments"
    [InlineData("{\"name\": \"f\", \"arguments\": \"\"}", "call f {}")]
    [InlineData("{'name': 'f', 'arguments': {'x': True,},}", "call f {\"x\":true}")]
    [InlineData("```json\n{\"name\": \"f\", \"arguments\": {}}\n```", "call f {}")]
    [InlineData("{\"name\": \"f\", \"arguments\": {\"x\": 1}} trailing words", "call f {\"x\":1}")]
    public void Parse_RepairableCallBody_GivesTheCall(string body, string expected)
    {
        Assert.Equal([expected], ParserHarness.Parse(Hermes, $"<tool_call>\n{body}\n</tool_call>"));
    }

    [Theory]
    [InlineData("not json at all", "the <tool_call> body is not valid JSON", null)]
    [InlineData("[1, 2]", "must be an object with \"name\"", null)]
    [InlineData("{\"arguments\": {}}", "no \"name\" string", null)]
    [InlineData("{\"name\": 5}", "no \"name\" string", null)]
    [InlineData("{\"name\": \"f\", \"arguments\": [1]}", "must be a JSON object but are an array", "f")]
    [InlineData("{\"name\": \"f\", \"arguments\": \"city=Paris\"}", "are a string that is not a JSON object", "f")]
    public void Parse_UnrepairableCallBody_GivesParseErrorWithRawTextAndReason(string body, string reasonPart, string? name)
    {
        var raw = $"<tool_call>\n{body}\n</tool_call>";

        var error = Assert.IsType<ToolCallParseErrorEvent>(ParserHarness.Run(Hermes, ["Hi ", raw]).Skip(1).Single());

        Assert.Equal(raw, error.RawText);
        Assert.Contains(reasonPart, error.Reason, StringComparison.Ordinal);
        Assert.Equal(name, error.Name);
    }

    [Fact]
    public void Parse_StrayThinkClose_IsDroppedAndSeparatesParagraphs()
    {
        Assert.Equal(["text a\n\nb"], ParserHarness.ParseInEverySplit(Hermes, "a\n</think>\nb"));
    }
}
