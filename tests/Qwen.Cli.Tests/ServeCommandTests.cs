using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Qwen.Cli.Tests;

/// <summary>End to end: <c>qwen serve</c> on the tiny fixture model, on a free loopback port.</summary>
public sealed partial class ServeCommandTests
{
    private static readonly string Qwen2Tiny = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny-models", "qwen2_tiny");

    [Fact]
    public async Task Serve_TinyModel_ServesTheApiMapsContextOverflowAndStopsOnCtrlC()
    {
        var workdir = Path.Combine(Path.GetTempPath(), "qwen-serve-test-" + Guid.NewGuid().ToString("N"));
        using var server = Start("serve", "--model", Qwen2Tiny, "--device", "cpu", "--port", "0", "--workdir", workdir, "--tools", "code_interpreter,retrieval");
        try
        {
            var line = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var url = ListeningUrl().Match(line ?? string.Empty);
            Assert.True(url.Success, $"unexpected first line: {line}");
            using var http = new HttpClient { BaseAddress = new Uri(url.Groups[1].Value + "/") };

            Assert.Contains("<title>Qwen.Agents</title>", await http.GetStringAsync("/"));
            using var unknown = await http.GetAsync("nowhere");
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("not_found", JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());
            var catalog = JsonNode.Parse(await http.GetStringAsync("api/agents"))!;
            Assert.Equal(["assistant", "docqa", "fncall", "react"], catalog["agents"]!.AsArray().Select(a => a!["name"]!.GetValue<string>()));
            Assert.Equal(["code_interpreter", "retrieval"], catalog["tools"]!.AsArray().Select(a => a!["name"]!.GetValue<string>()));

            using (var preflight = await http.SendAsync(Preflight("v1/chat/completions", "http://localhost:3000")))
            {
                Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"), "CORS is off unless --cors asks for it");
            }

            var models = JsonNode.Parse(await http.GetStringAsync("v1/models"))!;
            Assert.Equal("qwen2_tiny", models["data"]![0]!["id"]!.GetValue<string>());

            using var answer = await http.PostAsync("v1/chat/completions", Json("""{"model": "qwen2_tiny", "max_tokens": 4, "temperature": 0, "messages": [{"role": "user", "content": "hi"}]}"""));
            answer.EnsureSuccessStatusCode();

            var huge = string.Concat(Enumerable.Repeat("word ", 6000));
            using var overflow = await http.PostAsync("v1/chat/completions", Json($$"""{"model": "qwen2_tiny", "stream": true, "messages": [{"role": "user", "content": "{{huge}}"}]}"""));
            Assert.Equal(HttpStatusCode.BadRequest, overflow.StatusCode);
            var error = JsonNode.Parse(await overflow.Content.ReadAsStringAsync())!["error"]!;
            Assert.Equal("context_length_exceeded", error["code"]!.GetValue<string>());
            Assert.Contains("4096", error["message"]!.GetValue<string>());
            Assert.Matches(@"messages are \d{4,} tokens", error["message"]!.GetValue<string>());
        }
        finally
        {
            // Ctrl+C: SIGINT to the process.
            using (var kill = Process.Start("kill", ["-INT", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await server.WaitForExitAsync(timeout.Token);
        }

        Assert.Equal(0, server.ExitCode);
        Assert.Contains("server stopped", await server.StandardError.ReadToEndAsync());
        if (Directory.Exists(workdir))
        {
            Directory.Delete(workdir, recursive: true);
        }
    }

    [Fact]
    public async Task Serve_Cors_AllowsOnlyTheGivenOrigins()
    {
        var workdir = Path.Combine(Path.GetTempPath(), "qwen-serve-test-" + Guid.NewGuid().ToString("N"));
        using var server = Start("serve", "--model", Qwen2Tiny, "--device", "cpu", "--port", "0", "--workdir", workdir, "--no-ui", "--cors", "http://localhost:3000,https://app.example");
        try
        {
            var line = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var url = ListeningUrl().Match(line ?? string.Empty);
            Assert.True(url.Success, $"unexpected first line: {line}");
            using var http = new HttpClient { BaseAddress = new Uri(url.Groups[1].Value + "/") };

            using var allowed = await http.SendAsync(Preflight("v1/chat/completions", "http://localhost:3000"));
            Assert.Equal("http://localhost:3000", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
            using var agentApi = await http.SendAsync(Preflight("api/sessions", "https://app.example"));
            Assert.Equal("https://app.example", agentApi.Headers.GetValues("Access-Control-Allow-Origin").Single());
            using var other = await http.SendAsync(Preflight("v1/chat/completions", "http://evil.example"));
            Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            if (Directory.Exists(workdir))
            {
                Directory.Delete(workdir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Serve_BadCorsOrigin_OneLineErrorBeforeLoading()
    {
        var result = await CliRunner.RunAsync("serve", "--model", Qwen2Tiny, "--port", "0", "--cors", "localhost:3000/app");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--cors: 'localhost:3000/app' is not an origin", result.StdErr);
    }

    private static HttpRequestMessage Preflight(string path, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        return request;
    }

    [Fact]
    public async Task Serve_NonLoopbackHostWithoutApiKey_RefusesToStart()
    {
        var result = await CliRunner.RunAsync("serve", "--model", Qwen2Tiny, "--host", "0.0.0.0", "--port", "0");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--api-key", result.StdErr);
        Assert.Equal(string.Empty, result.StdOut);
    }

    [Fact]
    public async Task Serve_UnknownTool_OneLineErrorBeforeLoading()
    {
        var result = await CliRunner.RunAsync("serve", "--model", Qwen2Tiny, "--port", "0", "--tools", "code_interpreter,teleport");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'teleport' is not a built-in tool", result.StdErr);
    }

    [Fact]
    public async Task Serve_NoModel_OneLineError()
    {
        var result = await CliRunner.RunAsync("serve", "--port", "0");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Give a local checkpoint with --model DIR", result.StdErr);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(CliRunner.QwenDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    [GeneratedRegex(@"^Listening on (http://\S+) ")]
    private static partial Regex ListeningUrl();
}
