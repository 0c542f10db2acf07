using Qwen.Core;

namespace Qwen.Core.Tests.FunctionCalling;

public sealed class XmlParserTests
{
    private const FunctionCallFormat Xml = FunctionCallFormat.Xml;

    [Fact]
    public void Parse_TextCallsAndTextAfter_ReportsEachInOrder()
    {
        var events = ParserHarness.ParseInEverySplit(
            Xml,
            "Checking both.\n<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n</function>\n</tool_call>\n"
            + "<tool_call>\n<function=get_weather>\n<parameter=city>\nRome\n</parameter>\n<parameter=unit>\nc\n</parameter>\n</function>\n</tool_call>\nDone.",
            tools: [TestTools.Weather]);

        Assert.Equal(["text Checking both.", "call get_weather {\"city\":\"Paris\"}", "call get_weather {\"city\":\"Rome\",\"unit\":\"c\"}", "text Done."], events);
    }

    [Fact]
    public void Parse_MultiLineCodeValue_KeepsItExactly()
    {
        const string code = "def f(x):\n    return x < 3 and x > 1\n\n# </tool_call is not a marker here";

        var events = ParserHarness.ParseInEverySplit(
            Xml, $"<tool_call>\n<function=code_interpreter>\n<parameter=code>\n{code}\n</parameter>\n</function>\n</tool_call>", tools: [TestTools.CodeInterpreter]);

        Assert.Equal([$"call code_interpreter {System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["code"] = code })}"], events);
    }

    [Theory]
    [InlineData("12", "{\"a\":12,\"b\":2}")] // integer schema: JSON
    [InlineData("1.5", "{\"a\":1.5,\"b\":2}")]
    [InlineData("twelve", "{\"a\":\"twelve\",\"b\":2}")] // not JSON: text, the tool's validation reports it
    public void Parse_NonStringSchema_ParsesJsonValues(string a, string expected)
    {
        var events = ParserHarness.Parse(Xml, $"<tool_call><function=add><parameter=a>{a}</parameter><parameter=b>\n2\n</parameter></function></tool_call>", new FunctionCallParserOptions { Tools = [TestTools.Add] });

        Assert.Equal([$"call add {expected}"], events);
    }

    [Fact]
    public void Parse_StringSchema_KeepsJsonLookingTextAsString()
    {
        var events = ParserHarness.Parse(Xml, "<tool_call>\n<function=get_weather>\n<parameter=city>\n123\n</parameter>\n<parameter=unit>\nnull\n</parameter>\n</function>\n</tool_call>", new FunctionCallParserOptions { Tools = [TestTools.Weather] });

        Assert.Equal(["call get_weather {\"city\":\"123\",\"unit\":\"null\"}"], events);
    }

    [Fact]
    public void Parse_UnknownToolOrNoSchema_ParsesJsonAndPythonLiterals()
    {
        var events = ParserHarness.Parse(
            Xml,
            "<tool_call>\n<function=other>\n<parameter=n>\n7\n</parameter>\n<parameter=b>\nTrue\n</parameter>\n<parameter=z>\nNone\n</parameter>\n"
            + "<parameter=o>\n{'k': [1, 2,]}\n</parameter>\n<parameter=s>\nhello world\n</parameter>\n</function>\n</tool_call>");

        Assert.Equal(["call other {\"n\":7,\"b\":true,\"z\":null,\"o\":{\"k\":[1,2]},\"s\":\"hello world\"}"], events);
    }

    [Fact]
    public void Parse_SeveralFunctionsInOneBlock_AreSeveralCalls()
    {
        var events = ParserHarness.ParseInEverySplit(
            Xml, "<tool_call>\n<function=a>\n<parameter=x>\n1\n</parameter>\n</function>\n<function=b>\n</function>\n</tool_call>");

        Assert.Equal(["call a {\"x\":1}", "call b {}"], events);
    }

    [Fact]
    public void Parse_MissingParameterAndFunctionCloseTags_EndAtTheNextTag()
    {
        var events = ParserHarness.ParseInEverySplit(
            Xml, "<tool_call>\n<function=f>\n<parameter=x>\none\n<parameter=y>\ntwo\n</tool_call>");

        Assert.Equal(["call f {\"x\":\"one\",\"y\":\"two\"}"], events);
    }

    [Fact]
    public void Parse_FunctionWithoutToolCallWrapper_IsStillACall()
    {
        var events = ParserHarness.ParseInEverySplit(Xml, "Sure.\n<function=f>\n<parameter=x>\n1\n</parameter>\n</function>\nAfter.");

        Assert.Equal(["text Sure.", "call f {\"x\":1}", "text After."], events);
    }

    [Fact]
    public void Parse_ThinkingOutput_SeparatesReasoningFromCall()
    {
        var events = ParserHarness.ParseInEverySplit(
            Xml, "<think>\nI will write <function=f> soon.\n</think>\n\n<tool_call>\n<function=f>\n</function>\n</tool_call>");

        Assert.Equal(["reasoning I will write <function=f> soon.", "call f {}"], events);
    }

    [Fact]
    public void Parse_BlockClosedAfterCompleteFunctionButNotAtEnd_IsTheCall()
    {
        Assert.Equal(["call f {\"x\":1}"], ParserHarness.Parse(Xml, "<tool_call>\n<function=f>\n<parameter=x>\n1\n</parameter>\n</function>\n"));
    }

    [Theory]
    [InlineData("<tool_call>\n<function=f>\n<parameter=x>\n1", "f", "before </function>")]
    [InlineData("<tool_call>\nno function here\n</tool_call>", "-", "holds no <function=NAME>")]
    [InlineData("<tool_call>\n<function=f\n<parameter=x>1</parameter></function></tool_call>", "-", "no valid function name")]
    [InlineData("<tool_call>\n<function=>\n</function>\n</tool_call>", "-", "no valid function name")]
    [InlineData("<tool_call>\n<function=f>\n<parameter=>\n1\n</parameter>\n</function>\n</tool_call>", "f", "no valid parameter name")]
    [InlineData("<tool_call>\n<function=f>\n<parameter=x\n</function>\n</tool_call>", "f", "has no closing '>'")]
    [InlineData("<function=f>\n<parameter=x>\n1", "f", "before </function>")]
    [InlineData("<tool_call>\n", "-", "before </tool_call>")]
    public void Parse_MalformedCall_IsParseErrorKeepingTheText(string output, string name, string reason)
    {
        var events = ParserHarness.Run(Xml, [output]);

        var error = Assert.IsType<ToolCallParseErrorEvent>(Assert.Single(events));
        Assert.Equal(name == "-" ? null : name, error.Name);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.Equal(output.TrimEnd('\n'), error.RawText.TrimEnd('\n'));
    }

    [Fact]
    public void Parse_MalformedBetweenGoodCalls_KeepsTheGoodOnes()
    {
        var events = ParserHarness.ParseInEverySplit(
            Xml, "<tool_call><function=a></function></tool_call><tool_call>junk</tool_call>text<tool_call><function=b></function></tool_call>");

        Assert.Equal(["call a {}", "error - <<<tool_call>junk</tool_call>>>", "text text", "call b {}"], events);
    }

    [Fact]
    public void ToolCallEvent_RawText_IsTheModelsBlock()
    {
        const string raw = "<tool_call>\n<function=f>\n<parameter=x>\n1\n</parameter>\n</function>\n</tool_call>";

        var call = Assert.IsType<ToolCallEvent>(Assert.Single(ParserHarness.Run(Xml, [raw])));

        Assert.Equal(raw, call.RawText);
        Assert.StartsWith("call_", call.Call.CallId, StringComparison.Ordinal);
    }
}
