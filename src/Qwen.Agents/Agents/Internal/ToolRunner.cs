using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Qwen.Tools;

namespace Qwen.Agents;

/// <summary>
/// Runs the tool calls of one agent run: the calls of one model response at the same time (bounded), each with a time limit,
/// refusing a call repeated too often in a row, and turning every failure into error text that names the tool.
/// </summary>
/// <remarks>Unknown tools, arguments that are not JSON and schema violations are reported by <see cref="ToolRegistry"/>.</remarks>
internal sealed class ToolRunner
{
    private readonly ToolRegistry _registry;
    private readonly FnCallAgentOptions _options;
    private readonly ILogger _logger;
    private readonly string _agentName;
    private string? _lastSignature;
    private int _repeats;

    public ToolRunner(ToolRegistry registry, FnCallAgentOptions options, ILogger logger, string agentName)
    {
        _registry = registry;
        _options = options;
        _logger = logger;
        _agentName = agentName;
    }

    /// <summary>Runs <paramref name="calls"/> and yields each result, with the call's index, as soon as its tool ends.</summary>
    public async IAsyncEnumerable<(int Index, FunctionResultContent Result)> RunAsync(
        IReadOnlyList<FunctionCallContent> calls, AgentLanguage language, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var results = Channel.CreateUnbounded<(int, FunctionResultContent)>();
        var gate = new SemaphoreSlim(_options.MaxConcurrentToolCalls);
        var running = new List<Task>(calls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            var call = calls[i];
            var signature = Signature(call);
            _repeats = signature == _lastSignature ? _repeats + 1 : 1;
            _lastSignature = signature;
            if (_repeats >= _options.RepeatedCallLimit)
            {
                AgentLog.RepeatedCall(_logger, _agentName, call.Name, _repeats);
                var arguments = signature[(call.Name.Length + 1)..];
                results.Writer.TryWrite((i, new FunctionResultContent(call.CallId, AgentPrompts.RepeatedCall(language, call.Name, arguments, _repeats))));
                continue;
            }

            running.Add(RunOneAsync(i, call, gate, results.Writer, cancellationToken));
        }

        _ = Task.WhenAll(running).ContinueWith(_ => results.Writer.TryComplete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await foreach (var result in results.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    private async Task RunOneAsync(int index, FunctionCallContent call, SemaphoreSlim gate, ChannelWriter<(int, FunctionResultContent)> results, CancellationToken cancellationToken)
    {
        try
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        string outcome;
        object? value;
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (_options.ToolTimeout != Timeout.InfiniteTimeSpan)
            {
                limit.CancelAfter(_options.ToolTimeout);
            }

            // WaitAsync: a tool that ignores its token is abandoned at the time limit instead of holding the run.
            var result = await _registry.InvokeAsync(call, limit.Token).WaitAsync(_options.ToolTimeout, cancellationToken).ConfigureAwait(false);
            outcome = result.IsError ? "returned an error" : "succeeded";
            value = result.IsError ? result.Text : result.ToFunctionResult();
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            outcome = "timed out";
            value = AgentPrompts.ToolTimedOut(call.Name, _options.ToolTimeout);
        }
        catch (OperationCanceledException)
        {
            AgentLog.ToolCall(_logger, _agentName, call.Name, call.CallId, Stopwatch.GetElapsedTime(started).TotalMilliseconds, "cancelled");
            return;
        }
        catch (Exception e)
        {
            // ToolRegistry already turns tool failures into results; this is for a failure around it (a broken argument value).
            outcome = "failed";
            value = $"Error: tool '{call.Name}' failed: {e.GetType().Name}: {e.Message}";
        }
        finally
        {
            gate.Release();
        }

        AgentLog.ToolCall(_logger, _agentName, call.Name, call.CallId, Stopwatch.GetElapsedTime(started).TotalMilliseconds, outcome);
        results.TryWrite((index, new FunctionResultContent(call.CallId, value)));
    }

    /// <summary>The tool name and its arguments as JSON with sorted keys, so argument order does not hide a repetition.</summary>
    private static string Signature(FunctionCallContent call)
    {
        var sorted = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in call.Arguments ?? new Dictionary<string, object?>())
        {
            sorted[key] = value;
        }

        return call.Name + " " + JsonSerializer.Serialize(sorted, AIJsonUtilities.DefaultOptions);
    }
}
