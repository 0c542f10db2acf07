using Qwen.Core;

namespace Qwen.Core.Tests.FunctionCalling;

public sealed class ReActFencedArgumentsTests
{
    [Theory]
    [InlineData("```json\n{\"city\": \"Oslo\"}\n```")]
    [InlineData("```\n{\"city\": \"Oslo\"}\n```")]
    [InlineData("```JSON5\n{city: 'Oslo',}\n```")]
    public void Parse_ActionInputInJsonFence_IsTheArguments(string input)
    {
        var events = ParserHarness.ParseInEverySplit(FunctionCallFormat.ReAct, $"Thought: look\nAction: get_weather\nAction Input: {input}\nObservation: x");

        Assert.Equal(["reasoning look", "call get_weather {\"city\":\"Oslo\"}"], events);
    }

    [Fact]
    public void Parse_ActionInputInPythonFence_IsCode()
    {
        var events = ParserHarness.Parse(FunctionCallFormat.ReAct, "Action: code_interpreter\nAction Input: ```py\nprint({\"a\": 1})\n```");

        Assert.Equal(["call code_interpreter {\"code\":\"print({\\u0022a\\u0022: 1})\"}"], events);
    }

    [Fact]
    public void Parse_BrokenJsonFence_IsAParseErrorNamingTheTool()
    {
        var events = ParserHarness.Parse(FunctionCallFormat.ReAct, "Action: get_weather\nAction Input: ```json\nnot json\n```");

        Assert.StartsWith("error get_weather <<", Assert.Single(events), StringComparison.Ordinal);
    }
}
