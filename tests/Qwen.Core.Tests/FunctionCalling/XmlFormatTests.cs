using System.Text.Json;
using Microsoft.Extensions.AI;
using Qwen.Core;

namespace Qwen.Core.Tests.FunctionCalling;

public sealed class XmlFormatTests
{
    private const string ExtrasSchema =
        """{"type": "object", "properties": {"path": {"type": ["string", "null"], "description": "  A path.\n", "default": null, "minLength": 1}, "options": {"type": "object", "properties": {"deep": {"type": "boolean"}}}, "tags": {"type": "array", "items": {"type": "string"}, "enum": [["a"], ["b"]]}, "flag": {"type": "boolean", "default": true}}, "required": ["path"], "additionalProperties": false}""";

    private static readonly AIFunctionDeclaration Extras = TestTools.Declare("edit_file", "Edits a file.\n", ExtrasSchema);
    private static readonly AIFunctionDeclaration Bare = AIFunctionFactory.CreateDeclaration("ping", string.Empty, default);

    private static ChatTemplate Template { get; } =
        ChatTemplate.FromSource(File.ReadAllText(TestTools.FixturePath("function-calling", "qwen3_coder_chat_template.jinja")));

    [Fact]
    public void RenderToolsSystemText_Qwen3CoderTemplate_MatchesTemplateOutputExactly()
    {
        AIFunctionDeclaration[] tools = [TestTools.Weather, TestTools.Add, Extras, Bare];

        var prompt = Template.Render([new ChatMessage(ChatRole.System, "You are terse."), new ChatMessage(ChatRole.User, "hi")], new ChatTemplateOptions { Tools = tools });

        Assert.Equal(
            "<|im_start|>system\nYou are terse.\n\n" + XmlFunctionCallFormat.RenderToolsSystemText(tools) + "<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n",
            prompt);
        Assert.Contains("<type>['string', 'null']</type>\n<description>A path.</description>\n<default>None</default>\n<minLength>1</minLength>", prompt, StringComparison.Ordinal);
        Assert.Contains("<enum>[[\"a\"], [\"b\"]]</enum>", prompt, StringComparison.Ordinal);
        Assert.Contains("<required>[\"path\"]</required>\n<additionalProperties>False</additionalProperties>\n</parameters>", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderCallAndResult_Qwen3CoderTemplate_MatchTemplateOutputExactly()
    {
        var first = new FunctionCallContent("c1", "edit_file", new Dictionary<string, object?>
        {
            ["path"] = "a.txt",
            ["options"] = JsonDocument.Parse("""{"deep": true, "名": "値"}""").RootElement.Clone(),
            ["tags"] = new[] { "x", "y" },
            ["flag"] = false,
            ["count"] = 3,
            ["nothing"] = null,
            ["text"] = "line 1\nline 2",
            ["scale"] = JsonDocument.Parse("1.50e1").RootElement.Clone(),
            ["limits"] = JsonDocument.Parse("[1e2, 0.5]").RootElement.Clone(),
        });
        var second = TestTools.Call("get_weather", """{"city": "Paris"}""");
        var results = new[] { new FunctionResultContent("c1", "done"), new FunctionResultContent("call_test", "21 °C") };

        var prompt = Template.Render(
        [
            new ChatMessage(ChatRole.User, "do it"),
            new ChatMessage(ChatRole.Assistant, [new TextContent("  On it.  "), first, second]),
            new ChatMessage(ChatRole.Tool, [results[0], results[1]]),
        ]);

        var expected = "<|im_start|>user\ndo it<|im_end|>\n"
            + "<|im_start|>assistant\nOn it.\n\n" + XmlFunctionCallFormat.RenderCall(first) + "\n" + XmlFunctionCallFormat.RenderCall(second) + "<|im_end|>\n"
            + "<|im_start|>user\n" + string.Join("\n", results.Select(XmlFunctionCallFormat.RenderResult)) + "\n<|im_end|>\n";
        Assert.Equal(expected, prompt);
        Assert.Contains("<parameter=flag>\nFalse\n</parameter>\n<parameter=count>\n3\n</parameter>\n<parameter=nothing>\nNone\n</parameter>", prompt, StringComparison.Ordinal);
        Assert.Contains("<parameter=options>\n{\"deep\": true, \"名\": \"値\"}\n</parameter>\n<parameter=tags>\n[\"x\", \"y\"]\n</parameter>", prompt, StringComparison.Ordinal);
        Assert.Contains("<parameter=scale>\n15.0\n</parameter>\n<parameter=limits>\n[100.0, 0.5]\n</parameter>", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderCall_ThenParse_RoundTripsTypedArguments()
    {
        var call = new FunctionCallContent("c1", "edit_file", new Dictionary<string, object?>
        {
            ["path"] = "42",
            ["options"] = JsonDocument.Parse("""{"deep": true}""").RootElement.Clone(),
            ["tags"] = new[] { "x" },
            ["flag"] = true,
            ["text"] = "\nkeeps its own newlines\n",
        });

        var events = ParserHarness.ParseInEverySplit(FunctionCallFormat.Xml, "Editing.\n\n" + XmlFunctionCallFormat.RenderCall(call), tools: [Extras]);

        Assert.Equal(["text Editing.", "call edit_file {\"path\":\"42\",\"options\":{\"deep\":true},\"tags\":[\"x\"],\"flag\":true,\"text\":\"\\nkeeps its own newlines\\n\"}"], events);
    }

    [Fact]
    public void RenderCall_NoArguments_WritesAnEmptyFunction()
    {
        Assert.Equal("<tool_call>\n<function=ping>\n</function>\n</tool_call>", XmlFunctionCallFormat.RenderCall(new FunctionCallContent("c", "ping")));
    }

    [Fact]
    public void RenderResult_NonStringAndFailedResults_WritesJsonAndErrorText()
    {
        Assert.Equal("<tool_response>\n{\"a\": [1, 2]}\n</tool_response>", XmlFunctionCallFormat.RenderResult(new FunctionResultContent("c", new Dictionary<string, object?> { ["a"] = new[] { 1, 2 } })));
        Assert.Equal("<tool_response>\nError: boom\n</tool_response>", XmlFunctionCallFormat.RenderResult(new FunctionResultContent("c", null) { Exception = new InvalidOperationException("boom") }));
    }

    [Fact]
    public void Render_BadArguments_ThrowsNamingTheArgument()
    {
        Assert.Throws<ArgumentException>("tools", () => XmlFunctionCallFormat.RenderToolsSystemText([]));
        Assert.Throws<ArgumentNullException>("tools", () => XmlFunctionCallFormat.RenderToolsSystemText(null!));
        Assert.Throws<ArgumentException>("call", () => XmlFunctionCallFormat.RenderCall(new FunctionCallContent("c", " ")));
        Assert.Throws<ArgumentNullException>("result", () => XmlFunctionCallFormat.RenderResult(null!));
    }
}
