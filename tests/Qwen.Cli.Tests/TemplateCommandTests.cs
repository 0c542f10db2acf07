using System.Text.Json.Nodes;

namespace Qwen.Cli.Tests;

public sealed class TemplateCommandTests : IDisposable
{
    private static readonly string Qwen3 = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers", "qwen3");

    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "qwen-cli-template-" + Guid.NewGuid().ToString("N"));

    public TemplateCommandTests() => Directory.CreateDirectory(_scratch);

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Template_ToolCallConversation_PrintsTheGoldenPromptExactly()
    {
        var (messages, tools) = WriteCase("tools_call_and_response");

        var result = await CliRunner.RunAsync("template", "--model", Qwen3, "--messages", messages, "--tools", tools!);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Golden("tools_call_and_response"), result.StdOut);
        Assert.Equal(string.Empty, result.StdErr);
    }

    [Fact]
    public async Task Template_Json_PrintsOnlyTheTextObject()
    {
        var (messages, _) = WriteCase("system_user_assistant");

        var result = await CliRunner.RunAsync("template", "--model", Qwen3, "--messages", messages, "--json");

        Assert.Equal(0, result.ExitCode);
        var json = JsonNode.Parse(result.StdOut)!.AsObject();
        Assert.Single(json);
        Assert.Equal(Golden("system_user_assistant"), json["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Template_NoThinking_AddsTheEmptyThinkBlockLikeEnableThinkingFalse()
    {
        var (messages, _) = WriteCase("qwen3_no_think");

        var result = await CliRunner.RunAsync("template", "--model", Qwen3, "--messages", messages, "--no-thinking");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Golden("qwen3_no_think"), result.StdOut);
    }

    [Fact]
    public async Task Template_NoGenerationPrompt_EndsAfterTheLastMessage()
    {
        var (messages, _) = WriteCase("user_only_genprompt");

        var result = await CliRunner.RunAsync("template", "--model", Qwen3, "--messages", messages, "--no-generation-prompt");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("<|im_start|>user\nHello!<|im_end|>\n", result.StdOut);
    }

    [Fact]
    public async Task Template_MissingMessagesFile_PrintsOneLineErrorAndExitsOne()
    {
        var missing = Path.Combine(_scratch, "missing.json");

        var result = await CliRunner.RunAsync("template", "--model", Qwen3, "--messages", missing);

        AssertOneLineError(result, $"messages file '{missing}' does not exist");
    }

    [Theory]
    [InlineData("[{\"role\": ", "is not valid JSON")]
    [InlineData("{\"role\": \"user\"}", "must hold a JSON array")]
    public async Task Template_BadMessagesFile_PrintsOneLineErrorNamingTheFile(string content, string reason)
    {
        var path = Path.Combine(_scratch, "bad.json");
        await File.WriteAllTextAsync(path, content);

        var result = await CliRunner.RunAsync("template", "--model", Qwen3, "--messages", path);

        AssertOneLineError(result, $"messages file '{path}' {reason}");
    }

    [Fact]
    public async Task Template_MissingModelDirectory_PrintsOneLineError()
    {
        var (messages, _) = WriteCase("user_only_genprompt");
        var missing = Path.Combine(_scratch, "no-model");

        var result = await CliRunner.RunAsync("template", "--model", missing, "--messages", messages);

        AssertOneLineError(result, $"model directory '{missing}' does not exist");
    }

    [Fact]
    public async Task Template_TemplateRaisesAnError_PrintsTheTemplatesMessage()
    {
        var model = Path.Combine(_scratch, "model");
        Directory.CreateDirectory(model);
        await File.WriteAllTextAsync(Path.Combine(model, "chat_template.jinja"), "{{ raise_exception('Conversation roles must alternate user/assistant') }}");
        var (messages, _) = WriteCase("user_only_genprompt");

        var result = await CliRunner.RunAsync("template", "--model", model, "--messages", messages);

        AssertOneLineError(result, "Conversation roles must alternate user/assistant");
    }

    [Fact]
    public async Task Template_WithoutRequiredOptions_IsAUsageError()
    {
        var result = await CliRunner.RunAsync("template", "--model", Qwen3);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.StdOut);
        Assert.Contains("--messages", result.StdErr, StringComparison.Ordinal);
    }

    private static void AssertOneLineError(CliRunner.Result result, string expected)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.StdOut);
        var lines = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("qwen: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }

    private static string Golden(string name) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "chat-template", "golden_qwen3.jsonl"))
            .Select(line => JsonNode.Parse(line)!)
            .Single(line => line["name"]!.GetValue<string>() == name)["text"]!.GetValue<string>();

    private (string Messages, string? Tools) WriteCase(string name)
    {
        var cases = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "chat-template", "cases.json")))!.AsArray();
        var testCase = cases.Single(c => c!["name"]!.GetValue<string>() == name)!;
        var messages = Path.Combine(_scratch, name + ".messages.json");
        File.WriteAllText(messages, testCase["messages"]!.ToJsonString());
        string? tools = null;
        if (testCase["tools"] is { } toolList)
        {
            tools = Path.Combine(_scratch, name + ".tools.json");
            File.WriteAllText(tools, toolList.ToJsonString());
        }

        return (messages, tools);
    }
}
