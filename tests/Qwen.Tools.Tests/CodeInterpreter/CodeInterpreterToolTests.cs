using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Qwen.Tools.Tests;

public sealed class CodeInterpreterToolTests(InterpreterFixture fixture) : IClassFixture<InterpreterFixture>
{
    private readonly Qwen.Tools.CodeInterpreter _interpreter = fixture.Interpreter;

    [Fact]
    public void Tool_DescribesItselfForModels()
    {
        var tool = new CodeInterpreterTool(_interpreter);

        Assert.Equal("code_interpreter", tool.Name);
        Assert.Contains("readCsv(path", tool.Description, StringComparison.Ordinal);
        Assert.Contains("plot(", tool.Description, StringComparison.Ordinal);
        Assert.Equal("code", tool.JsonSchema.GetProperty("required")[0].GetString());
        Assert.Equal("string", tool.JsonSchema.GetProperty("properties").GetProperty("code").GetProperty("type").GetString());
    }

    [Fact]
    public async Task InvokeAsync_FencedCode_RunsWhatIsInsideTheFence()
    {
        var tool = new CodeInterpreterTool(_interpreter, TestInterpreters.NewSession());

        var result = await tool.InvokeAsync(new AIFunctionArguments { ["code"] = "```javascript\nconst x = 6;\nx * 7\n```" });

        var text = Assert.IsType<TextContent>(Assert.Single(Assert.IsType<List<AIContent>>(result)));
        Assert.Equal("42", text.Text);
    }

    [Fact]
    public async Task InvokeAsync_JsonArgumentAndState_PersistInTheToolsSession()
    {
        var tool = new CodeInterpreterTool(_interpreter, TestInterpreters.NewSession());
        using var first = JsonDocument.Parse("\"var total = 40\"");

        await tool.InvokeAsync(new AIFunctionArguments { ["code"] = first.RootElement });
        var result = await tool.InvokeAsync(new AIFunctionArguments { ["code"] = "total + 2" });

        Assert.Equal("42", ((TextContent)((List<AIContent>)result!)[0]).Text);
    }

    [Fact]
    public async Task InvokeAsync_SessionInTheContext_OverridesTheDefault()
    {
        var tool = new CodeInterpreterTool(_interpreter, TestInterpreters.NewSession());
        var other = TestInterpreters.NewSession();
        await _interpreter.ExecuteAsync(other, "var mine = 'other session'");

        var result = await tool.InvokeAsync(new AIFunctionArguments(new Dictionary<string, object?> { ["code"] = "mine" })
        {
            Context = new Dictionary<object, object?> { [CodeInterpreterTool.SessionIdContextKey] = other },
        });

        Assert.Equal("'other session'", ((TextContent)((List<AIContent>)result!)[0]).Text);
    }

    [Fact]
    public async Task InvokeAsync_Chart_ReturnsThePathAndThePngImage()
    {
        var tool = new CodeInterpreterTool(_interpreter, TestInterpreters.NewSession());

        var result = (List<AIContent>)(await tool.InvokeAsync(new AIFunctionArguments { ["code"] = "plot.bar(['a', 'b'], [1, 2]); 'drawn'" }))!;

        Assert.Equal(2, result.Count);
        Assert.Contains("[image: ", ((TextContent)result[0]).Text, StringComparison.Ordinal);
        var image = Assert.IsType<DataContent>(result[1]);
        Assert.Equal("image/png", image.MediaType);
        Assert.Equal("chart-1.png", image.Name);
        Assert.Equal(800, PngImage.Decode(image.Data.Span).Width);
    }

    [Fact]
    public async Task InvokeAsync_ErrorInTheCode_IsReturnedAsText()
    {
        var tool = new CodeInterpreterTool(_interpreter, TestInterpreters.NewSession());

        var result = await tool.InvokeAsync(new AIFunctionArguments { ["code"] = "JSON.parse('{')" });

        Assert.StartsWith("Error: SyntaxError: ", ((TextContent)((List<AIContent>)result!)[0]).Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(42)]
    public async Task InvokeAsync_MissingOrNonTextCode_ThrowsArgumentException(object? code)
    {
        var tool = new CodeInterpreterTool(_interpreter);
        var arguments = new AIFunctionArguments();
        if (code is not null)
        {
            arguments["code"] = code;
        }

        var error = await Assert.ThrowsAsync<ArgumentException>(() => tool.InvokeAsync(arguments).AsTask());

        Assert.Contains("argument 'code' must be a string", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("```js\n1 + 1\n```", "1 + 1")]
    [InlineData("```\nlet a = 1\n```\nand then\n```js\na + 1\n```", "let a = 1\na + 1")]
    [InlineData("  ```javascript\nunclosed()", "unclosed()")]
    [InlineData("const s = '```js';", "const s = '```js';")]
    [InlineData("1 + 1", "1 + 1")]
    public void CodeFences_Strip_TakesCodeOutOfLeadingFences(string text, string expected)
    {
        Assert.Equal(expected, CodeFences.Strip(text));
    }
}
