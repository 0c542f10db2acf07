using System.ComponentModel;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Qwen.Tools.Tests.Tooling;

public sealed class ToolRegistryTests
{
    [Fact]
    public async Task InvokeAsync_UnknownTool_ReturnsAnErrorListingTheAvailableTools()
    {
        var registry = new ToolRegistry([new EchoTool()]);

        var result = await registry.InvokeAsync("nope", "{}");

        Assert.True(result.IsError);
        Assert.Equal("Error: There is no tool named 'nope'. Available tools: echo.", result.Text);
    }

    [Fact]
    public async Task InvokeAsync_MalformedJson_ReturnsAnErrorWithTheExpectedSchema()
    {
        var registry = new ToolRegistry([new EchoTool()]);

        var result = await registry.InvokeAsync("echo", "{\"text\": ");

        Assert.True(result.IsError);
        Assert.Contains("tool 'echo' are not valid JSON", result.Text);
        Assert.Contains("\"required\"", result.Text);
    }

    [Fact]
    public async Task InvokeAsync_LenientJson_IsAccepted()
    {
        var registry = new ToolRegistry([new EchoTool()]);

        var result = await registry.InvokeAsync("echo", "{\"text\": \"hi\", /* note */ \"times\": 2,}");

        Assert.False(result.IsError);
        Assert.Equal("hi hi", result.Text);
    }

    [Theory]
    [InlineData("{}", "Argument 'text' is required but missing (a string).")]
    [InlineData("{\"text\": 5}", "Argument 'text' must be a string, not the number 5.")]
    [InlineData("{\"text\": \"a\", \"times\": 0}", "Argument 'times' must be at least 1, not 0.")]
    [InlineData("{\"text\": \"a\", \"times\": 1.5}", "Argument 'times' must be an integer, not the number 1.5.")]
    [InlineData("{\"text\": \"a\", \"mode\": \"loud\"}", "Argument 'mode' must be one of \"plain\", \"upper\", not the string \"loud\".")]
    [InlineData("{\"text\": \"a\", \"extra\": true}", "Argument 'extra' is not a parameter of this tool (known parameters: 'text', 'times', 'mode', 'tags').")]
    [InlineData("{\"text\": \"a\", \"tags\": [\"x\", 3]}", "Argument 'tags[1]' must be a string, not the number 3.")]
    [InlineData("{\"text\": \"a\", \"tags\": [\"x\", \"y\", \"z\"]}", "Argument 'tags' must have at most 2 items, not 3.")]
    [InlineData("{\"text\": \"\"}", "Argument 'text' must be at least 1 characters long, not 0.")]
    [InlineData("[1, 2]", "The arguments must be a JSON object, not an array of 2 items.")]
    public async Task InvokeAsync_SchemaViolation_NamesTheToolTheArgumentAndTheRule(string arguments, string expected)
    {
        var registry = new ToolRegistry([new EchoTool()]);

        var result = await registry.InvokeAsync("echo", arguments);

        Assert.True(result.IsError);
        Assert.StartsWith("Error: Invalid arguments for tool 'echo': ", result.Text);
        Assert.Contains(expected, result.Text);
    }

    [Fact]
    public async Task InvokeAsync_CSharpMethod_IsATool()
    {
        var registry = new ToolRegistry();
        registry.Register(([Description("First")] int a, int b) => a + b, "add", "Adds two numbers.");

        var ok = await registry.InvokeAsync("add", "{\"a\": 2, \"b\": 40}");
        var bad = await registry.InvokeAsync("add", "{\"a\": \"two\", \"b\": 40}");

        Assert.Equal("42", ok.Text);
        Assert.True(bad.IsError);
        Assert.Contains("Argument 'a' must be an integer", bad.Text);
    }

    [Fact]
    public async Task InvokeAsync_ToolThatThrows_ReturnsAnErrorInsteadOfEndingTheRun()
    {
        var registry = new ToolRegistry();
        registry.Register(string () => throw new InvalidOperationException("the disk is full"), "fail", "Always fails.");

        var result = await registry.InvokeAsync("fail", null);

        Assert.True(result.IsError);
        Assert.Equal("Error: Tool 'fail' failed: the disk is full", result.Text);
    }

    [Fact]
    public async Task InvokeAsync_Cancelled_Throws()
    {
        var registry = new ToolRegistry([new EchoTool()]);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => registry.InvokeAsync("echo", "{\"text\": \"a\"}", cancelled.Token));
    }

    [Fact]
    public async Task InvokeAsync_FunctionCallContent_RunsTheCall()
    {
        var registry = new ToolRegistry([new EchoTool()]);
        var call = new FunctionCallContent("call-1", "echo", new Dictionary<string, object?> { ["text"] = "yo", ["times"] = JsonSerializer.SerializeToElement(3) });

        var result = await registry.InvokeAsync(call);

        Assert.Equal("yo yo yo", result.Text);
    }

    [Fact]
    public async Task QwenTool_InvokedAsAnAIFunction_ValidatesAndReturnsText()
    {
        AIFunction tool = new EchoTool();

        var ok = await tool.InvokeAsync(new AIFunctionArguments { ["text"] = "x", ["times"] = 2 });
        var bad = await tool.InvokeAsync(new AIFunctionArguments { ["times"] = 2 });

        Assert.Equal("x x", ok);
        Assert.Equal("Error: Invalid arguments for tool 'echo': Argument 'text' is required but missing (a string).", ((string)bad!).Split(" Expected")[0]);
    }

    [Fact]
    public async Task QwenTool_RichContent_ComesBackAsContentItems()
    {
        AIFunction tool = new ImageTool();

        var value = await tool.InvokeAsync(new AIFunctionArguments());
        var result = await new ToolRegistry([tool]).InvokeAsync("image", "{}");

        var contents = Assert.IsType<List<AIContent>>(value);
        Assert.IsType<DataContent>(contents[1]);
        Assert.Equal("A red dot:\n[image/png dot.png, 4 bytes]", result.Text);
    }

    [Fact]
    public void Register_DuplicateOrInvalidName_Throws()
    {
        var registry = new ToolRegistry([new EchoTool()]);

        Assert.Contains("already registered", Assert.Throws<ArgumentException>(() => registry.Register(new EchoTool())).Message);
        Assert.Contains("not a valid tool name", Assert.Throws<ArgumentException>(() => registry.Register(() => 1, "bad name")).Message);
    }

    [Fact]
    public void Tools_KeepRegistrationOrder()
    {
        var registry = new ToolRegistry([new EchoTool(), new ImageTool()]);

        Assert.Equal(["echo", "image"], registry.Tools.Select(t => t.Name));
        Assert.True(registry.TryGet("image", out var image));
        Assert.IsType<ImageTool>(image);
    }

    private sealed class EchoTool() : QwenTool("echo", "Repeats text.", """
        {
          "type": "object",
          "properties": {
            "text": { "type": "string", "minLength": 1 },
            "times": { "type": "integer", "minimum": 1, "maximum": 10 },
            "mode": { "type": "string", "enum": ["plain", "upper"] },
            "tags": { "type": "array", "items": { "type": "string" }, "maxItems": 2 }
          },
          "required": ["text"],
          "additionalProperties": false
        }
        """)
    {
        protected override async ValueTask<ToolResult> ExecuteAsync(ToolArguments arguments, CancellationToken cancellationToken)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            var text = arguments.GetString("text");
            return ToolResult.FromText(string.Join(' ', Enumerable.Repeat(text, arguments.GetInt32("times", 1))));
        }
    }

    private sealed class ImageTool() : QwenTool("image", "Draws a dot.", """{"type": "object", "properties": {}}""")
    {
        protected override ValueTask<ToolResult> ExecuteAsync(ToolArguments arguments, CancellationToken cancellationToken) =>
            ValueTask.FromResult(ToolResult.FromContents([new TextContent("A red dot:"), new DataContent(new byte[] { 1, 2, 3, 4 }, "image/png") { Name = "dot.png" }]));
    }
}
