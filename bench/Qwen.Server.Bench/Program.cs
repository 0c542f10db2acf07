// qwen serve's HTTP overhead: requests/s and time to first token at several concurrency levels, for the same model
// called in process (QwenChatClient) and through the OpenAI-compatible API over loopback (streamed, raw HttpClient).
//
//   dotnet bench/Qwen.Server.Bench/bin/Release/net10.0/Qwen.Server.Bench.dll [--model DIR | --shape tiny|0.5b] [--requests N] [--gen-tokens N] [--concurrency 1,4,16]
//
// Without --model it writes a random-weight checkpoint of the given shape to a temporary folder (tiny: 2 layers, hidden 64;
// 0.5b: Qwen2.5-0.5B's shape in bfloat16) and deletes it afterwards.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qwen.Runtime;
using Qwen.Runtime.Diagnostics;

var argsList = args.ToList();
string? Arg(string name) => argsList.IndexOf(name) is var i and >= 0 && i + 1 < argsList.Count ? argsList[i + 1] : null;
var shape = Arg("--shape") ?? "tiny";
var requestsPerLevel = int.Parse(Arg("--requests") ?? "32", CultureInfo.InvariantCulture);
var genTokens = int.Parse(Arg("--gen-tokens") ?? "32", CultureInfo.InvariantCulture);
var levels = (Arg("--concurrency") ?? "1,4,16").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

string? temp = null;
var modelDir = Arg("--model");
if (modelDir is null)
{
    temp = Path.Combine(Path.GetTempPath(), "qwen-server-bench-" + Guid.NewGuid().ToString("N"));
    TinyModelWriter.Write(temp, shape switch
    {
        "tiny" => new TinyModelOptions { Architecture = "qwen2" },
        "0.5b" => new TinyModelOptions { Architecture = "qwen2", Layers = 24, Hidden = 896, Heads = 14, KvHeads = 2, Intermediate = 4864, Vocab = 151936, Tie = true, DType = ModelDType.BFloat16 },
        _ => throw new ArgumentException($"--shape must be tiny or 0.5b, not {shape}."),
    });
    modelDir = temp;
}

try
{
    using var client = QwenChatClient.Load(modelDir, new QwenModelOptions { Device = "cpu" }, new QwenChatClientOptions { ModelId = "bench" });
    var builder = WebApplication.CreateSlimBuilder();
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Logging.ClearProviders();
    builder.Services.AddQwenServer(o => o.WorkDirectory = Path.Combine(Path.GetTempPath(), "qwen-server-bench-work"));
    builder.Services.AddQwenServedModel("bench", client);
    await using var app = builder.Build();
    app.MapQwenOpenAIApi();
    await app.StartAsync();
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(app.Urls.First() + "/"), Timeout = TimeSpan.FromMinutes(10) };

    Console.WriteLine($"model: {shape} ({modelDir}), {requestsPerLevel} requests per level, {genTokens} tokens each (greedy), {Environment.ProcessorCount} cores");
    Console.WriteLine("| path | concurrency | requests/s | TTFT median (ms) | TTFT p95 (ms) | completion tokens/request |");
    Console.WriteLine("| --- | --- | --- | --- | --- | --- |");

    // Warm-up: both paths once.
    await InProcessAsync(client, 0, genTokens);
    await HttpAsync(http, 0, genTokens);
    foreach (var concurrency in levels)
    {
        Report("in process", concurrency, await MeasureAsync(concurrency, requestsPerLevel, i => InProcessAsync(client, i, genTokens)));
        Report("HTTP (SSE)", concurrency, await MeasureAsync(concurrency, requestsPerLevel, i => HttpAsync(http, i, genTokens)));
    }

    await app.StopAsync();
}
finally
{
    if (temp is not null)
    {
        Directory.Delete(temp, recursive: true);
    }
}

static void Report(string path, int concurrency, (double RequestsPerSecond, List<double> Ttft, double Tokens) r)
{
    var sorted = r.Ttft.Order().ToList();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {path} | {concurrency} | {r.RequestsPerSecond:0.00} | {sorted[sorted.Count / 2]:0.0} | {sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(sorted.Count * 0.95) - 1)]:0.0} | {r.Tokens:0.0} |"));
}

static async Task<(double, List<double>, double)> MeasureAsync(int concurrency, int total, Func<int, Task<(double Ttft, int Tokens)>> request)
{
    var next = -1;
    var results = new List<(double Ttft, int Tokens)>();
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) is var i && i < total)
        {
            var result = await request(i);
            lock (results)
            {
                results.Add(result);
            }
        }
    }));
    return (total / clock.Elapsed.TotalSeconds, [.. results.Select(r => r.Ttft)], results.Average(r => r.Tokens));
}

static string Prompt(int i) => $"Request {i}: write a short story about the number {i * 37 % 1000}.";

static async Task<(double, int)> InProcessAsync(IChatClient client, int i, int genTokens)
{
    var clock = Stopwatch.StartNew();
    double? ttft = null;
    var tokens = 0;
    await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, Prompt(i))], new ChatOptions { Temperature = 0, MaxOutputTokens = genTokens }))
    {
        if (ttft is null && update.Text.Length > 0)
        {
            ttft = clock.Elapsed.TotalMilliseconds;
        }

        tokens = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details.OutputTokenCount is { } n ? (int)n : tokens;
    }

    return (ttft ?? clock.Elapsed.TotalMilliseconds, tokens);
}

static async Task<(double, int)> HttpAsync(HttpClient http, int i, int genTokens)
{
    var body = new JsonObject
    {
        ["model"] = "bench",
        ["stream"] = true,
        ["stream_options"] = new JsonObject { ["include_usage"] = true },
        ["temperature"] = 0,
        ["max_tokens"] = genTokens,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Prompt(i) }),
    };
    var clock = Stopwatch.StartNew();
    using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    response.EnsureSuccessStatusCode();
    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
    double? ttft = null;
    var tokens = 0;
    while (await reader.ReadLineAsync() is { } line)
    {
        if (!line.StartsWith("data: {", StringComparison.Ordinal))
        {
            continue;
        }

        var chunk = JsonNode.Parse(line[6..])!;
        if (ttft is null && chunk["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"]?.GetValue<string>() is { Length: > 0 })
        {
            ttft = clock.Elapsed.TotalMilliseconds;
        }

        tokens = chunk["usage"]?["completion_tokens"]?.GetValue<int>() ?? tokens;
    }

    return (ttft ?? clock.Elapsed.TotalMilliseconds, tokens);
}
