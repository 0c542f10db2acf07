// The agent loop's own overhead per model call and per tool call, against FunctionInvokingChatClient alone, with a model
// that answers at once and a tool that returns at once (so only the loops' code is timed).
//   dotnet bench/AgentLoopBench/bin/Release/net10.0/AgentLoopBench.dll [iterations]
using System.Diagnostics;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Qwen.Agents;
using Qwen.Agents.Bench;

var iterations = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2_000;
const int Rounds = 10;
var tick = AIFunctionFactory.Create((int n) => n + 1, "tick", "Returns n + 1.");
ChatMessage[] input = [new(ChatRole.User, "Count.")];

// Each case: one run with no tool call (1 model call) and one with Rounds sequential tool calls (Rounds + 1 model calls).
var cases = new (string Name, Func<int, Func<Task>> Run)[]
{
    ("IChatClient alone (floor)", rounds =>
    {
        var client = new InstantChatClient(rounds);
        return async () => await client.GetResponseAsync(input).ConfigureAwait(false);
    }),
    ("FunctionInvokingChatClient, GetResponseAsync", rounds =>
    {
        var client = new InstantChatClient(rounds).AsBuilder().UseFunctionInvocation(configure: f => f.MaximumIterationsPerRequest = 40).Build();
        var options = new ChatOptions { Tools = [tick] };
        return async () => await client.GetResponseAsync(input, options).ConfigureAwait(false);
    }),
    ("FunctionInvokingChatClient, streaming", rounds =>
    {
        var client = new InstantChatClient(rounds).AsBuilder().UseFunctionInvocation(configure: f => f.MaximumIterationsPerRequest = 40).Build();
        var options = new ChatOptions { Tools = [tick] };
        return async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(input, options).ConfigureAwait(false))
            {
                _ = update;
            }
        };
    }),
    ("FnCallAgent, RunAsync", rounds =>
    {
        var agent = new FnCallAgent(new InstantChatClient(rounds), new FnCallAgentOptions { Tools = [tick], MaxModelCalls = 40 });
        return async () => await agent.RunAsync(input).ConfigureAwait(false);
    }),
    ("FnCallAgent, RunStreamingAsync", rounds =>
    {
        var agent = new FnCallAgent(new InstantChatClient(rounds), new FnCallAgentOptions { Tools = [tick], MaxModelCalls = 40 });
        return async () =>
        {
            await foreach (var update in agent.RunStreamingAsync(input).ConfigureAwait(false))
            {
                _ = update;
            }
        };
    }),
    ("FnCallAgent with a session, RunAsync", rounds =>
    {
        var agent = new FnCallAgent(new InstantChatClient(rounds), new FnCallAgentOptions { Tools = [tick], MaxModelCalls = 40 });
        return async () =>
        {
            var session = await agent.CreateSessionAsync().ConfigureAwait(false);
            await agent.RunAsync(input, session).ConfigureAwait(false);
        };
    }),
};

Console.WriteLine($"{iterations} runs per row after {iterations / 10} warm-up runs; {Rounds} tool rounds in the second column; .NET {Environment.Version}, {Environment.ProcessorCount} cores");
Console.WriteLine();
Console.WriteLine("| loop | run, no tools (µs) | run, 10 tool rounds (µs) | per model call (µs) | per tool round (µs) | allocated per tool round (KiB) |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
foreach (var (name, make) in cases)
{
    var (plain, plainBytes) = await MeasureAsync(make(0), iterations).ConfigureAwait(false);
    var (tools, toolsBytes) = await MeasureAsync(make(Rounds), iterations).ConfigureAwait(false);
    var perRound = (tools - plain) / Rounds;
    Console.WriteLine($"| {name} | {plain:F1} | {tools:F1} | {plain:F1} | {perRound:F1} | {(toolsBytes - plainBytes) / Rounds / 1024.0:F1} |");
}

static async Task<(double Microseconds, double Bytes)> MeasureAsync(Func<Task> run, int iterations)
{
    for (var i = 0; i < Math.Max(10, iterations / 10); i++)
    {
        await run().ConfigureAwait(false);
    }

    GC.Collect();
    var bytes = GC.GetTotalAllocatedBytes(precise: true);
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < iterations; i++)
    {
        await run().ConfigureAwait(false);
    }

    watch.Stop();
    return (watch.Elapsed.TotalMicroseconds / iterations, (GC.GetTotalAllocatedBytes(precise: true) - bytes) / (double)iterations);
}
