using Qwen.Core;

namespace Qwen.Core.Tests.FunctionCalling;

public sealed class StreamingParserTests
{
    public static TheoryData<FunctionCallFormat, string> Outputs => new()
    {
        { FunctionCallFormat.Hermes, "Hi there!\n\nTwo lines.  Spaces kept. <tool not a marker> <tool_callx> < tool_call>" },
        { FunctionCallFormat.Hermes, "<think>\nplan\n</think>\n\nLet me call.\n<tool_call>\n{\"name\": \"f\", \"arguments\": {\"s\": \"</tool_\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"g\", " },
        { FunctionCallFormat.Qwen, "好的，我来查询。\n✿FUNCTION✿: get_weather\n✿ARGS✿: {\"city\": \"北京\"}\n✿FUNCTION✿: add\n✿ARGS✿: {a: 1, b: 2,}\n✿RESULT✿: hallucinated" },
        { FunctionCallFormat.Qwen, "<think>\nhmm ✿FUNCTION✿: no\n</think>\n\nNo tools needed ✿ here ✿FUN but ✿ARG" },
        { FunctionCallFormat.ReAct, "Thought: need math\nAction: add\nAction Input: {\"a\": 1,\n \"b\": 2}\nObservation: 3" },
        { FunctionCallFormat.Xml, "<think>\nplan <tool_call>\n</think>\n\nOK.\n<tool_call>\n<function=f>\n<parameter=s>\n</tool_\n</parameter>\n</function>\n</tool_call>\n<function=g>\n<parameter=n>\n1" },
        { FunctionCallFormat.Xml, "Plain <tool not a marker> <function x> <tool_callx> <function=" },
        { FunctionCallFormat.ReAct, "Thought: I know\nThought: I now know the final answer\nFinal Answer: Observation: stays\nAction: stays" },
    };

    [Theory]
    [MemberData(nameof(Outputs))]
    public void Append_AnySplitOfTheOutput_GivesTheSameEvents(FunctionCallFormat format, string output)
    {
        var events = ParserHarness.ParseInEverySplit(format, output);

        Assert.NotEmpty(events);
    }

    [Fact]
    public void Append_PartialHermesMarker_IsHeldBackUntilKnown()
    {
        var parser = FunctionCallFormats.CreateParser(FunctionCallFormat.Hermes);

        Assert.Equal(["text Hello"], ParserHarness.Describe(parser.Append("Hello <tool_")));
        Assert.Empty(parser.Append("ca"));
        Assert.Equal(["text  <tool_cab"], ParserHarness.Describe(parser.Append("b")));
        Assert.Empty(parser.Append(" <tool_call"));
        Assert.Empty(parser.Append(">{\"name\": \"f\"}</tool_"));
        Assert.Equal(["call f {}"], ParserHarness.Describe(parser.Append("call>")));
        Assert.Empty(parser.Complete());
    }

    [Fact]
    public void Append_PartialQwenMarker_IsHeldBackAndReleasedWhenItIsNot()
    {
        var parser = FunctionCallFormats.CreateParser(FunctionCallFormat.Qwen);

        Assert.Equal(["text Hi"], ParserHarness.Describe(parser.Append("Hi ✿FUN")));
        Assert.Equal(["text  ✿FUNNY"], ParserHarness.Describe(parser.Append("NY")));
        Assert.Empty(parser.Append("\n✿FUNCTION✿: f\n✿ARGS✿: {}"));
        Assert.Equal(["call f {}"], ParserHarness.Describe(parser.Complete()));
    }

    [Theory]
    [InlineData(FunctionCallFormat.Hermes, "Hello <tool_", "text", " <tool_")]
    [InlineData(FunctionCallFormat.Qwen, "Hello ✿FUNCTIO", "text", " ✿FUNCTIO")]
    [InlineData(FunctionCallFormat.ReAct, "Hello\nFinal Ans", "reasoning", "\nFinal Ans")]
    public void Complete_PartialMarkerAtEnd_IsReleasedByComplete(FunctionCallFormat format, string output, string kind, string heldBack)
    {
        var parser = FunctionCallFormats.CreateParser(format);
        var early = ParserHarness.Describe(parser.Append(output));

        var late = ParserHarness.Describe(parser.Complete());

        Assert.Equal([$"{kind} Hello"], early);
        Assert.Equal([$"{kind} {heldBack}"], late);
    }

    [Fact]
    public void Append_QwenStartInReasoning_ParsesCallsOnlyAfterThinkCloses()
    {
        var events = ParserHarness.ParseInEverySplit(
            FunctionCallFormat.Qwen, "maybe ✿FUNCTION✿: x\n</think>\n\n✿FUNCTION✿: add\n✿ARGS✿: {\"a\": 1}", startInReasoning: true);

        Assert.Equal(["reasoning maybe ✿FUNCTION✿: x", "call add {\"a\":1}"], events);
    }

    [Fact]
    public void Append_PlainText_IsReleasedImmediately()
    {
        var parser = FunctionCallFormats.CreateParser(FunctionCallFormat.Hermes);

        Assert.Equal(["text Hello wor"], ParserHarness.Describe(parser.Append("Hello wor")));
        Assert.Equal(["text ld"], ParserHarness.Describe(parser.Append("ld")));
    }

    [Fact]
    public void Append_TrailingWhitespace_IsHeldUntilMoreTextFollows()
    {
        var parser = FunctionCallFormats.CreateParser(FunctionCallFormat.Hermes);

        Assert.Equal(["text a"], ParserHarness.Describe(parser.Append("a\n")));
        Assert.Equal(["text \nb"], ParserHarness.Describe(parser.Append("b")));
        Assert.Empty(parser.Append("  \n"));
        Assert.Empty(parser.Complete());
    }

    [Fact]
    public void Append_LongOutputInManyDeltas_StaysFast()
    {
        var parser = FunctionCallFormats.CreateParser(FunctionCallFormat.Hermes);
        var count = 0;
        for (var i = 0; i < 200_000; i++)
        {
            count += parser.Append(i % 50 == 0 ? "<tool_call>{\"name\": \"f\", \"arguments\": {}}</tool_call>" : "word <").Count;
        }

        count += parser.Complete().Count;

        Assert.True(count >= 4000, $"only {count} events");
    }

    [Fact]
    public void Append_AfterComplete_Throws()
    {
        var parser = FunctionCallFormats.CreateParser(FunctionCallFormat.ReAct);
        parser.Complete();

        Assert.Throws<InvalidOperationException>(() => parser.Append("x"));
        Assert.Empty(parser.Complete());
    }

    [Fact]
    public void Append_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>("delta", () => FunctionCallFormats.CreateParser(FunctionCallFormat.Qwen).Append(null!));
    }

    [Fact]
    public void CallIds_DefaultGenerator_AreUniqueAndPrefixed()
    {
        var output = string.Concat(Enumerable.Repeat("<tool_call>{\"name\": \"f\"}</tool_call>", 50));

        var ids = ParserHarness.Run(FunctionCallFormat.Hermes, [output]).Cast<ToolCallEvent>().Select(e => e.Call.CallId).ToList();

        Assert.Equal(50, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^call_[0-9a-f]{24}$", id));
    }

    [Fact]
    public void CallIds_CustomGenerator_IsUsedOncePerCall()
    {
        var next = 0;
        var options = new FunctionCallParserOptions { CallIdGenerator = () => $"c{next++}" };

        var events = ParserHarness.Run(FunctionCallFormat.Qwen, ["✿FUNCTION✿: a\n✿ARGS✿: {}\n✿FUNCTION✿: b\n✿ARGS✿: nope\n✿FUNCTION✿: c\n"], options);

        Assert.Equal(["c0", "c1"], events.OfType<ToolCallEvent>().Select(e => e.Call.CallId));
        Assert.IsType<ToolCallParseErrorEvent>(events[1]);
    }

    [Fact]
    public void CallIds_GeneratorReturningEmpty_ThrowsNamingTheOption()
    {
        var parser = FunctionCallFormats.CreateParser(FunctionCallFormat.Hermes, new FunctionCallParserOptions { CallIdGenerator = () => "" });

        var error = Assert.Throws<InvalidOperationException>(() => parser.Append("<tool_call>{\"name\": \"f\"}</tool_call>"));
        Assert.Contains("CallIdGenerator", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToolCallEvent_RawText_IsTheModelsText()
    {
        const string raw = "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"x\": 1}}\n</tool_call>";

        var call = Assert.IsType<ToolCallEvent>(Assert.Single(ParserHarness.Run(FunctionCallFormat.Hermes, [raw])));

        Assert.Equal(raw, call.RawText);
        Assert.Equal(raw, call.Call.RawRepresentation);
    }

    [Fact]
    public void CreateParser_UndefinedFormat_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>("format", () => FunctionCallFormats.CreateParser((FunctionCallFormat)42));
        Assert.Throws<ArgumentOutOfRangeException>("format", () => FunctionCallFormats.GetStopSequences((FunctionCallFormat)42));
    }

    [Fact]
    public void GetStopSequences_EachFormat_ReturnsWhereToolResultsBegin()
    {
        Assert.Empty(FunctionCallFormats.GetStopSequences(FunctionCallFormat.Hermes));
        Assert.Equal(["✿RESULT✿", "✿RETURN✿"], FunctionCallFormats.GetStopSequences(FunctionCallFormat.Qwen));
        Assert.Equal(["Observation:"], FunctionCallFormats.GetStopSequences(FunctionCallFormat.ReAct));
        Assert.Empty(FunctionCallFormats.GetStopSequences(FunctionCallFormat.Xml));
    }
}
