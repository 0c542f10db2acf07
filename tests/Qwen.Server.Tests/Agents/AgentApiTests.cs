using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Qwen.Agents;

namespace Qwen.Server.Tests;

/// <summary>The agent API: sessions, uploads, runs streamed as AG-UI-named events, stop, over a real FnCallAgent and a scripted model.</summary>
public sealed class AgentApiTests : IAsyncLifetime
{
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    private readonly string _workDirectory = Path.Combine(Path.GetTempPath(), "qwen-agent-api-" + Guid.NewGuid().ToString("N"));
    private readonly TestChatClient _model = new();
    private ServerHost _host = null!;

    public async Task InitializeAsync()
    {
        // The model calls get_weather for a question, then answers from the tool result; for "chart" it calls draw_chart.
        _model.Stream = (messages, _, ct) => messages[^1].Role == ChatRole.Tool
            ? TestChatClient.Updates(new TextContent("It is **sunny** in Paris."))
            : messages[^1].Text.Contains("chart", StringComparison.Ordinal)
                ? TestChatClient.Updates(new FunctionCallContent("call_c", "draw_chart", new Dictionary<string, object?>()))
                : messages[^1].Text.Contains("forever", StringComparison.Ordinal)
                    ? TestChatClient.Endless(TimeSpan.FromMilliseconds(20), ct)
                    : TestChatClient.Updates(new TextReasoningContent("Need the weather."), new FunctionCallContent("call_w", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }));
        _host = await StartAsync(_workDirectory);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        if (Directory.Exists(_workDirectory))
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Agents_Catalog_ListsAgentsToolsAndModels()
    {
        var json = JsonNode.Parse(await _host.Http.GetStringAsync("api/agents"))!;

        Assert.Equal(["fncall"], json["agents"]!.AsArray().Select(a => a!["name"]!.GetValue<string>()));
        Assert.Equal(["get_weather", "draw_chart"], json["tools"]!.AsArray().Select(a => a!["name"]!.GetValue<string>()));
        Assert.Equal("m", json["models"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_ToolCallThenAnswer_StreamsAgUiEventsAndStoresTheSession()
    {
        var id = await CreateSessionAsync();

        var events = await RunAsync(id, """{"message": "Weather in Paris?", "agent": "fncall", "tools": ["get_weather"]}""");

        Assert.Equal(
            ["RUN_STARTED", "REASONING_MESSAGE_CONTENT", "TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END", "TOOL_CALL_RESULT", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END", "RUN_FINISHED"],
            events.Select(e => e["type"]!.GetValue<string>()));
        Assert.Equal(id, events[0]["threadId"]!.GetValue<string>());
        Assert.Equal("get_weather", events[2]["toolCallName"]!.GetValue<string>());
        Assert.Equal("Paris", JsonNode.Parse(events[3]["delta"]!.GetValue<string>())!["city"]!.GetValue<string>());
        Assert.Equal("call_w", events[5]["toolCallId"]!.GetValue<string>());
        Assert.Contains("Sunny in Paris", events[5]["content"]!.GetValue<string>());
        Assert.Equal("It is **sunny** in Paris.", events[7]["delta"]!.GetValue<string>());

        var session = JsonNode.Parse(await _host.Http.GetStringAsync($"api/sessions/{id}"))!;
        Assert.Equal("Weather in Paris?", session["title"]!.GetValue<string>());
        Assert.Equal("fncall", session["agent"]!.GetValue<string>());
        Assert.Equal(["get_weather"], session["tools"]!.AsArray().Select(t => t!.GetValue<string>()));
        var items = session["items"]!.AsArray();
        Assert.Equal(["user", "reasoning", "tool", "text"], items.Select(i => i!["type"]!.GetValue<string>()));
        Assert.Contains("Sunny in Paris", items[2]!["result"]!.GetValue<string>());
        Assert.Equal("It is **sunny** in Paris.", items[3]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_SecondTurn_TheAgentSeesTheStoredConversation()
    {
        var id = await CreateSessionAsync();
        await RunAsync(id, """{"message": "Weather in Paris?", "tools": ["get_weather"]}""");

        await RunAsync(id, """{"message": "And tomorrow?"}""");

        // The second run's first model call: the whole first turn, then the new question; the session's tools still on.
        var (last, options) = _model.Requests.Single(r => r.Messages[^1].Text == "And tomorrow?");
        Assert.Contains(last, m => m.Text == "Weather in Paris?");
        Assert.Contains(last, m => m.Contents.OfType<FunctionResultContent>().Any(r => r.CallId == "call_w"));
        Assert.Contains(last, m => m.Text == "It is **sunny** in Paris.");
        Assert.Equal("get_weather", Assert.Single(options!.Tools!).Name);
    }

    [Fact]
    public async Task Run_ToolReturnsAnImage_SavedAndServedAsMedia()
    {
        var id = await CreateSessionAsync();

        var events = await RunAsync(id, """{"message": "Draw a chart", "tools": ["draw_chart"]}""");

        var result = events.Single(e => e["type"]!.GetValue<string>() == "TOOL_CALL_RESULT");
        var url = Assert.Single(result["images"]!.AsArray())!.GetValue<string>();
        Assert.StartsWith($"api/sessions/{id}/media/", url);
        Assert.Equal("chart drawn", result["content"]!.GetValue<string>());
        using var image = await _host.Http.GetAsync(url);
        image.EnsureSuccessStatusCode();
        Assert.Equal("image/png", image.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Png, await image.Content.ReadAsByteArrayAsync());
        var stored = JsonNode.Parse(await _host.Http.GetStringAsync($"api/sessions/{id}"))!["items"]!.AsArray();
        Assert.Equal(url, stored.Single(i => i!["type"]!.GetValue<string>() == "tool")!["images"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Stop_RunInProgress_CancelledOnTheServerAndTheSessionKeepsTheTurn()
    {
        var id = await CreateSessionAsync();
        using var response = await _host.Http.SendAsync(SseClient.Post($"api/sessions/{id}/runs", """{"message": "Talk forever"}"""), HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line && !line.Contains("TEXT_MESSAGE_CONTENT", StringComparison.Ordinal))
        {
        }

        var running = JsonNode.Parse(await _host.Http.GetStringAsync("api/sessions"))!["sessions"]![0]!;
        Assert.True(running["running"]!.GetValue<bool>());
        using var stop = await _host.Http.PostAsync($"api/sessions/{id}/stop", null);
        var rest = await reader.ReadToEndAsync();

        Assert.True(JsonNode.Parse(await stop.Content.ReadAsStringAsync())!["stopped"]!.GetValue<bool>());
        Assert.Contains("\"type\":\"TEXT_MESSAGE_END\"", rest);
        Assert.Contains("\"type\":\"RUN_ERROR\"", rest);
        Assert.Contains("\"code\":\"cancelled\"", rest);
        var session = JsonNode.Parse(await _host.Http.GetStringAsync($"api/sessions/{id}"))!;
        Assert.False(session["running"]!.GetValue<bool>());
        Assert.Equal("user", session["items"]![0]!["type"]!.GetValue<string>());
        Assert.StartsWith("tick", session["items"]![1]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sessions_ListResumeAfterRestartAndDelete()
    {
        var first = await CreateSessionAsync();
        await RunAsync(first, """{"message": "Weather in Paris?", "tools": ["get_weather"]}""");
        var second = await CreateSessionAsync();

        // A new server over the same work directory sees the same sessions.
        await _host.DisposeAsync();
        _host = await StartAsync(_workDirectory);
        var listed = JsonNode.Parse(await _host.Http.GetStringAsync("api/sessions"))!["sessions"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).ToList();
        var resumed = JsonNode.Parse(await _host.Http.GetStringAsync($"api/sessions/{first}"))!;
        using var deleted = await _host.Http.DeleteAsync($"api/sessions/{first}");
        using var gone = await _host.Http.GetAsync($"api/sessions/{first}");

        Assert.Equal([second, first], listed);
        Assert.Equal(4, resumed["items"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.False(File.Exists(Path.Combine(_workDirectory, "sessions", first + ".json")));
    }

    [Fact]
    public async Task Upload_File_StoredInTheSessionAndNamedToTheModelOnce()
    {
        var id = await CreateSessionAsync();

        using var upload = await UploadAsync(id, "../../notes.txt", "hello"u8.ToArray());
        await RunAsync(id, """{"message": "Weather in Paris?", "tools": ["get_weather"]}""");
        await RunAsync(id, """{"message": "Again?"}""");

        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        Assert.Equal("notes.txt", JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["files"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("hello", File.ReadAllText(Path.Combine(_workDirectory, "sessions", id, "notes.txt")));
        Assert.Contains("notes.txt", _model.Requests[0].Messages[^1].Text);
        Assert.DoesNotContain("notes.txt", _model.Requests[^1].Messages[^1].Text);
        var session = JsonNode.Parse(await _host.Http.GetStringAsync($"api/sessions/{id}"))!;
        Assert.Equal("notes.txt", session["files"]![0]!.GetValue<string>());
        Assert.Equal("hello", await _host.Http.GetStringAsync($"api/sessions/{id}/files/notes.txt"));
    }

    [Fact]
    public async Task Upload_OverTheLimit_413AndNothingStored()
    {
        var id = await CreateSessionAsync();

        using var upload = await UploadAsync(id, "big.bin", new byte[4096]);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, upload.StatusCode);
        Assert.Empty(Directory.GetFiles(Path.Combine(_workDirectory, "sessions", id)));
    }

    [Theory]
    [InlineData("""{"agent": "fncall"}""", "message")]
    [InlineData("""{"message": "x", "agent": "wizard"}""", "agent")]
    [InlineData("""{"message": "x", "tools": ["rm_rf"]}""", "tools")]
    [InlineData("""{"message": "x", "tools": "get_weather"}""", "tools")]
    [InlineData("""{"message": 5}""", "message")]
    public async Task Run_BadRequest_400NamingTheField(string body, string param)
    {
        var id = await CreateSessionAsync();

        using var response = await _host.Http.SendAsync(SseClient.Post($"api/sessions/{id}/runs", body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["param"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("GET", "api/sessions/0123456789abcdef0123456789abcdef")]
    [InlineData("GET", "api/sessions/..%2F..%2Fetc")]
    [InlineData("POST", "api/sessions/0123456789abcdef0123456789abcdef/runs")]
    [InlineData("GET", "api/nothing-here")]
    public async Task UnknownSessionOrRoute_404(string method, string path)
    {
        using var response = await _host.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("""{"message": "x"}""") });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);
    }

    [Fact]
    public async Task Download_PathLeavingTheSession_Refused()
    {
        var id = await CreateSessionAsync();

        using var response = await _host.Http.GetAsync($"api/sessions/{id}/files/..%2F{id}.json");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Run_WhileAnotherRuns_409()
    {
        var id = await CreateSessionAsync();
        using var first = await _host.Http.SendAsync(SseClient.Post($"api/sessions/{id}/runs", """{"message": "Talk forever"}"""), HttpCompletionOption.ResponseHeadersRead);

        using var second = await _host.Http.SendAsync(SseClient.Post($"api/sessions/{id}/runs", """{"message": "hi"}"""));
        using var stop = await _host.Http.PostAsync($"api/sessions/{id}/stop", null);

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("run_in_progress", JsonNode.Parse(await second.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task ApiKey_Set_AgentApiNeedsItButThePageDoesNot()
    {
        await using var host = await ServerHost.StartAsync(Services, o => o.ApiKey = "k", Map);

        using var page = await host.Http.GetAsync("/");
        using var sessions = await host.Http.GetAsync("api/sessions");
        using var withKey = new HttpRequestMessage(HttpMethod.Get, "api/sessions") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "k") } };
        using var allowed = await host.Http.SendAsync(withKey);

        page.EnsureSuccessStatusCode();
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(HttpStatusCode.Unauthorized, sessions.StatusCode);
        allowed.EnsureSuccessStatusCode();
    }

    private void Services(IServiceCollection services)
    {
        services.AddQwenServedModel("m", _model);
        services.AddQwenServedAgent(new ServedAgent("fncall", "Function calling.", c => new FnCallAgent(c.ChatClient, new FnCallAgentOptions { Tools = [.. c.Tools] })));
        services.AddQwenServedTool(new ServedTool("get_weather", "Weather.", _ => [AIFunctionFactory.Create((string city) => $"Sunny in {city}", "get_weather")]));
        services.AddQwenServedTool(new ServedTool("draw_chart", "Chart.", _ => [AIFunctionFactory.Create(() => (IList<AIContent>)[new TextContent("chart drawn"), new DataContent(Png, "image/png")], "draw_chart")]));
    }

    private static void Map(WebApplication app)
    {
        app.MapQwenOpenAIApi();
        app.MapQwenAgentApi();
        app.MapQwenUi();
    }

    private Task<ServerHost> StartAsync(string workDirectory) => ServerHost.StartAsync(Services, o =>
    {
        o.WorkDirectory = workDirectory;
        o.MaxUploadBytes = 2048;
    }, Map);

    private async Task<string> CreateSessionAsync()
    {
        using var response = await _host.Http.PostAsync("api/sessions", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
    }

    private async Task<List<JsonObject>> RunAsync(string id, string body)
    {
        using var response = await _host.Http.SendAsync(SseClient.Post($"api/sessions/{id}/runs", body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await SseClient.ReadEventsAsync(response)).Select(e => (JsonObject)JsonNode.Parse(e)!)];
    }

    private async Task<HttpResponseMessage> UploadAsync(string id, string name, byte[] content)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(content), "file", name } };
        return await _host.Http.PostAsync($"api/sessions/{id}/files", form);
    }
}
