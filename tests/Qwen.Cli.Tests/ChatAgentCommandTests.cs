using System.Text.Json;
using System.Text.Json.Nodes;
using Qwen.Agents.Tests.TestSupport;

namespace Qwen.Cli.Tests;

/// <summary><c>qwen chat</c> with agents and tools, against a loopback OpenAI-compatible server that scripts tool calls.</summary>
public sealed class ChatAgentCommandTests : IDisposable
{
    private const string PlotCode = "plot.line([1, 2, 3], [2, 4, 3], { title: 'Trend' }); console.log('plotted')";
    private readonly string _work = Directory.CreateTempSubdirectory("qwen-cli-chat").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static bool HasToolResult(FakeOpenAIRequest request) => request.Messages.Any(m => m?["role"]?.GetValue<string>() == "tool");

    private string[] Chat(FakeOpenAIServer server, params string[] args) =>
        ["chat", "--endpoint", server.BaseUrl.ToString(), "--api-model", "fake-model", "--workdir", _work, .. args];

    [Fact]
    public async Task Chat_FnCallCodeInterpreterJson_PrintsCallAndResultWithIdsAndSavesTheChart()
    {
        await using var server = await FakeOpenAIServer.StartAsync(request => HasToolResult(request)
            ? FakeOpenAIReply.Text("Drew the trend.").AndReasoning("The chart is ready.")
            : FakeOpenAIReply.Call("code_interpreter", JsonSerializer.Serialize(new { code = PlotCode }), "call_plot"));

        var result = await CliRunner.RunAsync(Chat(server, "--agent", "fncall", "--tools", "code_interpreter", "--json", "--prompt", "Plot 2, 4, 3."));

        Assert.True(result.ExitCode == 0, result.StdErr);
        var messages = JsonNode.Parse(result.StdOut)!["messages"]!.AsArray();
        Assert.Equal(["assistant", "tool", "assistant"], messages.Select(m => m!["role"]!.GetValue<string>()));
        var call = messages[0]!["tool_calls"]![0]!;
        Assert.Equal(("call_plot", "code_interpreter", PlotCode), (call["id"]!.GetValue<string>(), call["name"]!.GetValue<string>(), call["arguments"]!["code"]!.GetValue<string>()));
        var toolResult = messages[1]!["tool_results"]![0]!;
        Assert.Equal("call_plot", toolResult["id"]!.GetValue<string>());
        Assert.Contains("plotted", toolResult["result"]!.GetValue<string>(), StringComparison.Ordinal);
        var chart = toolResult["files"]![0]!.GetValue<string>();
        Assert.Equal(Path.Combine(_work, "charts"), Path.GetDirectoryName(chart));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, (await File.ReadAllBytesAsync(chart))[..4]);
        Assert.Equal(("Drew the trend.", "The chart is ready."), (messages[2]!["text"]!.GetValue<string>(), messages[2]!["reasoning"]!.GetValue<string>()));
        Assert.Equal(["code_interpreter"], server.Requests[0].ToolNames);
        Assert.Equal("call_plot", server.Requests[1].Messages.Last()!["tool_call_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Chat_Interactive_ShowsToolCallsAndResultsAndSavesResetsLoadsTheSession()
    {
        await using var server = await FakeOpenAIServer.StartAsync(request =>
            request.LastUserText == "remember" && !HasToolResult(request)
                ? FakeOpenAIReply.Call("storage", """{"operate": "put", "key": "note", "value": "blue"}""", "call_s1")
                : FakeOpenAIReply.Text("ok " + request.LastUserText));
        var session = Path.Combine(_work, "session.json");

        var result = await CliRunner.RunWithInputAsync($"remember\n/save {session}\n/reset\nfresh\n/load {session}\nagain\n/bogus\n\n", Chat(server, "--agent", "fncall", "--tools", "storage"));

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal(["ok remember", "ok fresh", "ok again"], result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("[tool call call_s1] storage {\"operate\":\"put\",\"key\":\"note\",\"value\":\"blue\"}", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("[tool result call_s1] storage: ", result.StdErr, StringComparison.Ordinal);
        Assert.Contains($"[session saved] {session}", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("[session reset]", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("qwen: '/bogus' is not a chat command", result.StdErr, StringComparison.Ordinal);
        string[] UserTexts(FakeOpenAIRequest r) => [.. r.Messages.Where(m => m?["role"]?.GetValue<string>() == "user").Select(m => m!["content"]!.ToString())];
        Assert.Equal(["fresh"], UserTexts(server.Requests[2]));
        Assert.Equal(["remember", "again"], UserTexts(server.Requests[3]));
        Assert.Contains(server.Requests[3].Messages, m => m?["role"]?.GetValue<string>() == "tool" && m["tool_call_id"]?.GetValue<string>() == "call_s1");
    }

    [Fact]
    public async Task Chat_ReactAgentJson_ReadsTheActionRunsTheToolAndReportsIt()
    {
        await using var server = await FakeOpenAIServer.StartAsync(request => request.Index > 0
            ? FakeOpenAIReply.Text("Thought: I know it now.\nFinal Answer: stored")
            : FakeOpenAIReply.Text("Thought: store it.\nAction: storage\nAction Input: {\"operate\": \"put\", \"key\": \"k\", \"value\": \"v\"}\nObservation:"));

        var result = await CliRunner.RunAsync(Chat(server, "--agent", "react", "--tools", "storage", "--json", "Store v under k."));

        Assert.True(result.ExitCode == 0, result.StdErr);
        var messages = JsonNode.Parse(result.StdOut)!["messages"]!.AsArray();
        var call = messages.Select(m => m!["tool_calls"]?[0]).Single(c => c is not null)!;
        var toolResult = messages.Select(m => m!["tool_results"]?[0]).Single(r => r is not null)!;
        Assert.Equal("storage", call["name"]!.GetValue<string>());
        Assert.Equal("v", call["arguments"]!["value"]!.GetValue<string>());
        Assert.Equal(call["id"]!.GetValue<string>(), toolResult["id"]!.GetValue<string>());
        Assert.Equal("stored", messages[^1]!["text"]!.GetValue<string>());
        Assert.Equal("v", await File.ReadAllTextAsync(Directory.GetFiles(_work, "k*", SearchOption.AllDirectories).Single()));
    }

    [Fact]
    public async Task Chat_HermesFunctionFormat_SendsToolsInThePromptAndParsesTheCall()
    {
        await using var server = await FakeOpenAIServer.StartAsync(request => HasToolResult(request) || request.Messages.Count > 2
            ? FakeOpenAIReply.Text("Stored.")
            : FakeOpenAIReply.Text("<tool_call>\n{\"name\": \"storage\", \"arguments\": {\"operate\": \"put\", \"key\": \"a\", \"value\": \"b\"}}\n</tool_call>"));

        var result = await CliRunner.RunAsync(Chat(server, "--agent", "fncall", "--tools", "storage", "--function-format", "hermes", "--json", "--prompt", "Store b."));

        Assert.True(result.ExitCode == 0, result.StdErr);
        var messages = JsonNode.Parse(result.StdOut)!["messages"]!.AsArray();
        Assert.Equal("storage", messages[0]!["tool_calls"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("Stored.", messages[^1]!["text"]!.GetValue<string>());
        Assert.Empty(server.Requests[0].ToolNames);
        Assert.Contains("<tools>", server.Requests[0].Messages[0]!["content"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_AssistantWithFile_AddsTheKnowledgeSectionToTheSystemMessage()
    {
        var notes = Path.Combine(_work, "notes.md");
        await File.WriteAllTextAsync(notes, "# Harbour\n\nThe lighthouse keeper of Port Ellis is Mara Quill.\n");
        await using var server = await FakeOpenAIServer.StartAsync(request => FakeOpenAIReply.Text(
            request.LastUserText.Contains("keyword", StringComparison.OrdinalIgnoreCase) ? "{\"keywords_zh\": [], \"keywords_en\": [\"lighthouse\", \"keeper\"]}" : "Mara Quill."));

        var result = await CliRunner.RunAsync(Chat(server, "--file", notes, "--prompt", "Who keeps the lighthouse?"));

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal("Mara Quill.", result.StdOut.Trim());
        var system = server.Requests[^1].Messages[0]!["content"]!.ToString();
        Assert.Contains("# Knowledge Base", system, StringComparison.Ordinal);
        Assert.Contains("Mara Quill", system, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_DocQAAgentLevel2_ReadsEveryChunkThenAnswersFromTheQuote()
    {
        var notes = Path.Combine(_work, "harbour.txt");
        var text = string.Concat(Enumerable.Range(0, 300).Select(i => $"Entry {i}: the tide tables of pier {i % 11} were checked again. "))
            + "The lighthouse keeper of Port Ellis is Mara Quill. "
            + string.Concat(Enumerable.Range(0, 300).Select(i => $"Entry {i + 300}: the nets of boat {i % 7} were mended. "));
        await File.WriteAllTextAsync(notes, text);
        await using var server = await FakeOpenAIServer.StartAsync(request =>
        {
            var prompt = string.Join("\n", request.Messages.Select(m => m?["content"]?.ToString()));
            if (request.LastUserText.StartsWith("# Document:", StringComparison.Ordinal))
            {
                return FakeOpenAIReply.Text(request.LastUserText.Contains("Mara Quill", StringComparison.Ordinal)
                    ? """{"res": "ans", "content": "The lighthouse keeper of Port Ellis is Mara Quill."}"""
                    : """{"res": "none", "content": "<None>"}""");
            }

            return FakeOpenAIReply.Text(prompt.Contains("Mara Quill", StringComparison.Ordinal) ? "Mara Quill." : "Unknown.");
        });

        var result = await CliRunner.RunAsync(Chat(server, "--agent", "docqa", "--level", "2", "--file", notes, "--prompt", "Who keeps the lighthouse of Port Ellis?"));

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal("Mara Quill.", result.StdOut.Trim());
        Assert.True(server.Requests.Count(r => r.LastUserText.StartsWith("# Document:", StringComparison.Ordinal)) >= 2);
    }

    [Fact]
    public async Task Chat_ResponseFormatSchemaFile_SendsTheSchemaToTheServer()
    {
        var schema = Path.Combine(_work, "person.json");
        await File.WriteAllTextAsync(schema, """{"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}""");
        await using var server = await FakeOpenAIServer.StartAsync(_ => FakeOpenAIReply.Text("""{"name": "Mara"}"""));

        var result = await CliRunner.RunAsync(Chat(server, "--agent", "fncall", "--response-format", schema, "--prompt", "Who?"));

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal("""{"name": "Mara"}""", result.StdOut.Trim());
        var format = server.Requests[0].Body["response_format"]!;
        Assert.Equal("json_schema", format["type"]!.GetValue<string>());
        Assert.Equal("person", format["json_schema"]!["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("--agent docqa answers from documents", "--agent", "docqa", "hi")]
    [InlineData("--level must be 1, 2 or 3", "--agent", "docqa", "--file", "x.txt", "--level", "7", "hi")]
    [InlineData("--response-format: file 'nope.json' not found", "--response-format", "nope.json", "hi")]
    [InlineData("--file needs --agent assistant", "--agent", "fncall", "--file", "x.pdf", "hi")]
    [InlineData("--max-steps must be between 1 and 1000", "--max-steps", "0", "hi")]
    [InlineData("--function-format applies to the assistant and fncall agents", "--agent", "react", "--function-format", "xml", "hi")]
    [InlineData("either as an argument or with --prompt", "--prompt", "a", "b")]
    [InlineData("'nope' is not a built-in tool", "--tools", "storage,nope", "hi")]
    [InlineData("--tools names 'storage' twice", "--tools", "storage,storage", "hi")]
    public async Task Chat_BadAgentArguments_OneLineError(string expected, params string[] args) => await AssertOneLineError(1, expected, args);

    [Theory]
    [InlineData("bogus", "--agent", "bogus", "hi")]
    [InlineData("maybe", "--tool-choice", "maybe", "hi")]
    [InlineData("yaml", "--function-format", "yaml", "hi")]
    public async Task Chat_UnknownChoice_ParseErrorNamingTheValue(string expected, params string[] args) => await AssertOneLineError(2, expected, args);

    private async Task AssertOneLineError(int exitCode, string expected, string[] args)
    {
        var result = await CliRunner.RunAsync(["chat", "--endpoint", "http://127.0.0.1:1/v1", "--api-model", "m", "--workdir", _work, .. args]);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Equal(string.Empty, result.StdOut);
        Assert.StartsWith("qwen: ", result.StdErr);
        Assert.Contains(expected, result.StdErr);
    }
}
