using System.Diagnostics;
using System.Globalization;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;
using Qwen.Agents;
using Qwen.Tools;

namespace LongContextBench;

/// <summary>
/// The runs against a real model (an OpenAI-compatible server or the embedded runtime): answer accuracy per level, and Level 2's
/// wall time at several chunk-reading concurrencies, to show whether chunk reading scales out on the server.
/// </summary>
internal sealed class RealModelRuns(IChatClient model, Tokenizer tokenizer, int budget, int chunkTokens, int maxOutputTokens)
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    /// <summary>Markdown rows: per level, the questions asked, how many were answered right, the calls and the time.</summary>
    public async Task<List<string>> AccuracyAsync(Haystack haystack, string path, DocumentRetriever retriever, int singleQuestions)
    {
        // Needles spread over the depths, then every two-hop pair.
        var step = Math.Max(1, haystack.Needles.Count / Math.Max(1, singleQuestions));
        List<(string Kind, string Question, string Answer)> questions =
        [
            .. haystack.Needles.Where((_, i) => i % step == 0).Take(singleQuestions).Select(n => ("single needle", n.Question, n.Answer)),
            .. haystack.TwoHops.Select(t => ("two-hop", t.Question, t.Answer)),
        ];

        List<string> rows = [];
        foreach (var level in new[] { 1, 2, 3 })
        {
            foreach (var kind in new[] { "single needle", "two-hop" })
            {
                var asked = questions.Where(q => q.Kind == kind).ToList();
                var counted = new PromptBudgetChatClient(model, tokenizer, budget);
                int right = 0;
                var watch = Stopwatch.StartNew();
                foreach (var (_, question, answer) in asked)
                {
                    var response = await RunAsync(counted, level, path, retriever, question, concurrency: 8);
                    right += response.Contains(answer, StringComparison.OrdinalIgnoreCase) ? 1 : 0;
                }

                rows.Add(string.Create(Culture,
                    $"| {haystack.Tokens:N0} | {level} | {kind} | {right}/{asked.Count} | {counted.ModelCalls:N0} | {counted.LongestPromptTokens:N0} | {watch.Elapsed.TotalSeconds / asked.Count:0.0} |"));
            }
        }

        return rows;
    }

    /// <summary>Markdown rows: Level 2 on one question at each concurrency, with its wall time and chunk calls per second.</summary>
    public async Task<List<string>> ScalingAsync(Haystack haystack, string path, DocumentRetriever retriever, IReadOnlyList<int> concurrencies)
    {
        var needle = haystack.Needles[haystack.Needles.Count / 2];
        List<string> rows = [];
        double? first = null;
        foreach (var concurrency in concurrencies)
        {
            var counted = new PromptBudgetChatClient(model, tokenizer, budget);
            var watch = Stopwatch.StartNew();
            await RunAsync(counted, 2, path, retriever, needle.Question, concurrency);
            var seconds = watch.Elapsed.TotalSeconds;
            first ??= seconds;
            rows.Add(string.Create(Culture,
                $"| {haystack.Tokens:N0} | {concurrency} | {counted.ModelCalls:N0} | {seconds:0.0} | {counted.ModelCalls / seconds:0.00} | {first.Value / seconds:0.00}x |"));
        }

        return rows;
    }

    private async Task<string> RunAsync(IChatClient client, int level, string path, DocumentRetriever retriever, string question, int concurrency)
    {
        var options = new DocQAOptions
        {
            TokenBudget = budget,
            Documents = { Files = [path], Tokenizer = tokenizer, Retriever = retriever },
            ChunkReading = { MaxConcurrency = concurrency, MaxOutputTokens = maxOutputTokens },
        };
        var agent = DocQAAgent.Create(client, level, options);
        try
        {
            var runOptions = new ChatClientAgentRunOptions(new ChatOptions { MaxOutputTokens = maxOutputTokens });
            var response = await agent.RunAsync(question, options: runOptions);
            return response.Messages.Count == 0 ? string.Empty : response.Messages[^1].Text;
        }
        finally
        {
            (agent as IDisposable)?.Dispose();
        }
    }

    /// <summary>The chunking the runs use, so the retriever is built with the same settings as the fake-model runs.</summary>
    public RetrievalOptions RetrievalOptions() => new() { TokenBudget = budget, Chunking = { MaxTokens = chunkTokens } };
}
