using System.Text.Json.Nodes;
using Qwen.Agents.Tests.TestSupport;

namespace Qwen.Examples.Tests;

/// <summary>Every example builds with the tests, explains itself without a model, and runs end to end against a loopback
/// OpenAI-compatible server that scripts the model's side.</summary>
public sealed class ExamplesTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("qwen-examples").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static JsonNode? LastMessage(FakeOpenAIRequest request) => request.Messages[^1];

    private static bool AfterTool(FakeOpenAIRequest request) => LastMessage(request)?["role"]?.GetValue<string>() == "tool";

    private static string ToolText(FakeOpenAIRequest request) => LastMessage(request)?["content"]?.ToString() ?? string.Empty;

    private Task<ExampleRunner.Result> Run(string example, FakeOpenAIServer server, params string[] args) =>
        ExampleRunner.RunAsync(example, _work, ["--endpoint", server.BaseUrl.ToString(), "--api-model", "fake-model", .. args]);

    [Theory]
    [InlineData("QuickStart")]
    [InlineData("CustomToolAssistant")]
    [InlineData("ParallelFunctionCalling")]
    [InlineData("ReActDataAnalysis")]
    [InlineData("PdfAssistant")]
    [InlineData("RouterAgents")]
    [InlineData("LongDocumentQA")]
    public async Task Example_NoModel_ExplainsWhatToPassAndExitsZero(string example)
    {
        var result = await ExampleRunner.RunAsync(example, _work);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith(example + ": ", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("--model DIR", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("--endpoint URL --api-model NAME", result.StdOut, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.StdErr);
    }

    [Fact]
    public async Task Example_EndpointWithoutApiModel_FailsNamingIt()
    {
        var result = await ExampleRunner.RunAsync("QuickStart", _work, "--endpoint", "http://127.0.0.1:1/v1");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--endpoint needs --api-model NAME", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuickStart_FakeServer_CallsTheToolStreamsAndResumesTheSavedSession()
    {
        await using var server = await FakeOpenAIServer.StartAsync(request => AfterTool(request)
            ? FakeOpenAIReply.Text("It is " + ToolText(request) + ".")
            : FakeOpenAIReply.Call("get_weather", request.LastUserText.Contains("Rome", StringComparison.Ordinal) ? """{"city": "Rome"}""" : """{"city": "Paris"}""", "call_" + request.Index));

        var result = await Run("QuickStart", server);

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("[calling get_weather call_0]", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("It is Sunny, 21 °C.", result.StdOut, StringComparison.Ordinal);
        Assert.EndsWith("It is Cloudy, 15 °C.\n", result.StdOut, StringComparison.Ordinal);
        var resumed = server.Requests[2].Messages.Select(m => m!["content"]?.ToString()).ToList();
        Assert.Contains("What's the weather in Paris?", resumed);
        Assert.Equal("And in Rome?", resumed[^1]);
    }

    [Fact]
    public async Task ParallelFunctionCalling_FakeServer_RunsThreeCallsAndReturnsResultsInCallOrder()
    {
        await using var server = await FakeOpenAIServer.StartAsync(request => AfterTool(request)
            ? FakeOpenAIReply.Text("Mild everywhere.")
            : FakeOpenAIReply.Call("get_current_weather", """{"location": "San Francisco"}""", "c1")
                .AndCall("get_current_weather", """{"location": "Tokyo"}""", "c2")
                .AndCall("get_current_weather", """{"location": "Paris"}""", "c3"));

        var result = await Run("ParallelFunctionCalling", server);

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("(3 tool calls)", result.StdOut, StringComparison.Ordinal);
        var toolMessages = server.Requests[1].Messages.Where(m => m!["role"]!.GetValue<string>() == "tool").ToList();
        Assert.Equal(["c1", "c2", "c3"], toolMessages.Select(m => m!["tool_call_id"]!.GetValue<string>()));
        Assert.Contains("Tokyo", toolMessages[1]!["content"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomToolAssistant_FakeServer_CallsTheCSharpTool()
    {
        await using var server = await FakeOpenAIServer.StartAsync(request => AfterTool(request)
            ? FakeOpenAIReply.Text("The payment is " + ToolText(request) + " a month.")
            : FakeOpenAIReply.Call("loan_payment", """{"principal": 200000, "yearlyRatePercent": 4.5, "years": 25}""", "call_loan"));

        var result = await Run("CustomToolAssistant", server);

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("The payment is 1111.66 a month.", result.StdOut, StringComparison.Ordinal);
        Assert.Equal(["loan_payment", "code_interpreter"], server.Requests[0].ToolNames);
    }

    [Fact]
    public async Task ReActDataAnalysis_FakeServer_RunsCodeOverTheCsvAndDrawsAChart()
    {
        const string Code = "const rows = readCsv('stock_prices.csv'); console.log(rows.length); plot.line(rows.map(r => r.Date), rows.map(r => Number(r.Close)), { title: 'Close' })";
        await using var server = await FakeOpenAIServer.StartAsync(request => request.Index > 0
            ? FakeOpenAIReply.Text("Thought: I have the chart.\nFinal Answer: Drawn.")
            : FakeOpenAIReply.Text($"Thought: read and plot.\nAction: code_interpreter\nAction Input: {new JsonObject { ["code"] = Code }.ToJsonString()}\nObservation:"));

        var result = await Run("ReActDataAnalysis", server);

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("Drawn.", result.StdOut, StringComparison.Ordinal);
        var chart = Assert.Single(Directory.GetFiles(Path.Combine(_work, "analysis"), "*.png"));
        Assert.Contains($"chart: {chart}", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PdfAssistant_FakeServer_AnswersFromTheSamplePdf()
    {
        await using var server = await FakeOpenAIServer.StartAsync(request => FakeOpenAIReply.Text(
            request.LastUserText.Contains("Keywords:", StringComparison.Ordinal) ? """{"keywords_zh": [], "keywords_en": ["document", "model"]}""" : "It is a paper."));

        var result = await Run("PdfAssistant", server);

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("It is a paper.", result.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"\(answered from [1-9][0-9]* chunks\)", result.StdOut);
        Assert.Contains("# Knowledge Base", server.Requests[^1].Messages[0]!["content"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LongDocumentQA_FakeServer_ReadsTheGeneratedReportAndFindsTheHiddenFact()
    {
        await using var server = await FakeOpenAIServer.StartAsync(request =>
        {
            var prompt = string.Join("\n", request.Messages.Select(m => m?["content"]?.ToString()));
            if (request.LastUserText.StartsWith("# Document:", StringComparison.Ordinal))
            {
                return FakeOpenAIReply.Text(request.LastUserText.Contains("KASTREL-417", StringComparison.Ordinal)
                    ? """{"res": "ans", "content": "The secret harbour code of Velmora Quistrand is KASTREL-417."}"""
                    : """{"res": "none", "content": "<None>"}""");
            }

            return FakeOpenAIReply.Text(prompt.Contains("KASTREL-417", StringComparison.Ordinal) ? "The code is KASTREL-417." : "Not found.");
        });

        var result = await Run("LongDocumentQA", server, "--level", "2");

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("The code is KASTREL-417.", result.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"\(answered from [0-9]+ chunks and [1-9][0-9]* quotes\)", result.StdOut);
        Assert.True(server.Requests.Count > 100, $"{server.Requests.Count} model calls");
    }

    [Fact]
    public async Task RouterAgents_FakeServer_RoutesToTheCalculatorWhichCallsItsTool()
    {
        await using var server = await FakeOpenAIServer.StartAsync(request =>
            request.ToolNames.Contains("multiply")
                ? AfterTool(request) ? FakeOpenAIReply.Text("2 times 3 is " + ToolText(request) + ".") : FakeOpenAIReply.Call("multiply", """{"a": 2, "b": 3}""", "call_m")
                : FakeOpenAIReply.Text("Call: calculator"));

        var result = await Run("RouterAgents", server, "--prompt", "What is 2 times 3?");

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("2 times 3 is 6.", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("(answered by calculator)", result.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("Call: calculator", result.StdOut, StringComparison.Ordinal);
    }
}
