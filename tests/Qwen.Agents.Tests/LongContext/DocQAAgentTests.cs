using System.Net;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Qwen.Agents.Tests.TestSupport;

namespace Qwen.Agents.Tests.LongContext;

public sealed class DocQAAgentTests
{
    private const string Needle = "The lighthouse keeper's daughter was named Marguerite Solenne.";
    private const int Budget = 2_048;

    /// <summary>
    /// A model that plays every part by content: keyword calls get keywords, chunk readers answer "ans" with the needle when
    /// their chunk holds it and "none" otherwise, and the answering call answers from the needle when its prompt holds it.
    /// </summary>
    private static ReplyByContent Reader() => request =>
    {
        var user = request.LastUserText;
        if (user.Contains("Keywords:", StringComparison.Ordinal))
        {
            return ScriptedReply.Text("{\"keywords_zh\": [\"女儿\"], \"keywords_en\": [\"lighthouse\", \"daughter\", \"keeper\", \"harbour\"]}");
        }

        if (user.Contains("\"information\"", StringComparison.Ordinal))
        {
            return ScriptedReply.Text("{\"information\": [\"the lighthouse keeper's daughter");
        }

        if (user.StartsWith("# Document:", StringComparison.Ordinal))
        {
            return user.Contains(Needle, StringComparison.Ordinal)
                ? ScriptedReply.Text("{\"res\": \"ans\", \"content\": \"" + Needle + "\"}")
                : ScriptedReply.Text("{\"res\": \"none\", \"content\": \"<None>\"}");
        }

        return ScriptedReply.Text(request.AllText.Contains("Marguerite Solenne", StringComparison.Ordinal) ? "Her name was Marguerite Solenne." : "Not found.");
    };

    private delegate ScriptedReply ReplyByContent(ScriptedRequest request);

    private static DocQAOptions Options(string file, int budget = Budget) => new()
    {
        Documents = { Files = [file], Tokenizer = DocumentTestKit.Qwen },
        TokenBudget = budget,
        ChunkReading = { MaxConcurrency = 4, RetryDelay = TimeSpan.FromMilliseconds(1), MaxRetryDelay = TimeSpan.FromMilliseconds(5) },
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task RunAsync_DocumentFarLargerThanTheBudget_EveryCallFitsTheBudgetAndTheNeedleIsFound(int level)
    {
        var file = DocumentTestKit.WriteFile(DocumentTestKit.Haystack(500, (377, Needle)));
        var sizes = new List<int>();
        var model = DocumentTestKit.Budgeted(Budget, r => Reader()(r), sizes);
        using var agent = (DocQAAgent)DocQAAgent.Create(model, level, Options(file));

        var response = await agent.RunAsync("What was the lighthouse keeper's daughter called, by the harbour?");

        Assert.Equal("Her name was Marguerite Solenne.", response.Text);
        Assert.All(sizes, s => Assert.InRange(s, 1, Budget));
        Assert.True(sizes.Max() > Budget / 2, $"the budget is used, not wasted (largest prompt {sizes.Max()})");
        var knowledge = response.GetKnowledge()!;
        Assert.Contains(knowledge.Chunks, c => c.Chunk.Text.Contains(Needle, StringComparison.Ordinal));
        var chunks = (await agent.Library.OpenAsync([file], default)).Chunks.Count;
        Assert.True(chunks > 20, $"the document has {chunks} chunks");
        if (level == 2)
        {
            Assert.Equal(chunks + 1, model.Requests.Count);
            var quote = Assert.Single(knowledge.Evidence);
            Assert.Equal(Needle, quote.Text);
            Assert.Contains("Relevant passages quoted", model.Requests[^1].SystemText, StringComparison.Ordinal);
            Assert.StartsWith("Please respond solely based on the content of the provided Knowledge Base.", model.Requests[^1].SystemText, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(3, model.Requests.Count); // split the query, keywords, answer
            Assert.Contains("# Knowledge Base", model.Requests[^1].SystemText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RunStreamingAsync_Level2_ReportsProgressThroughIProgressAndUpdates()
    {
        var file = DocumentTestKit.WriteFile(DocumentTestKit.Haystack(200, (50, Needle)));
        var reported = new List<ChunkReadingProgress>();
        var options = Options(file);
        options.Progress = new SyncProgress(p => { lock (reported) { reported.Add(p); } });
        using var agent = new ParallelDocQAAgent(new ScriptedChatClient(r => Reader()(r)), options);

        var updates = new List<AgentResponseUpdate>();
        await foreach (var update in agent.RunStreamingAsync("What was the lighthouse keeper's daughter called?"))
        {
            updates.Add(update);
        }

        var total = reported[^1].Total;
        Assert.Equal(total + 1, reported.Count); // 0 of N, then one per chunk
        Assert.Equal((total, total), (reported.Max(p => p.Done), reported[^1].Total));
        Assert.InRange(reported[^1].Relevant, 1, 2); // the needle, and the next chunk when the overlap repeats it
        var fromUpdates = updates.Select(u => u.GetChunkReadingProgress()).OfType<ChunkReadingProgress>().ToList();
        Assert.InRange(fromUpdates.Count, 2, 102);
        Assert.Equal(total, fromUpdates[^1].Done);
        var response = updates.ToAgentResponse();
        Assert.Equal("Her name was Marguerite Solenne.", response.Text);
        Assert.Equal(ChatRole.Assistant, Assert.Single(response.Messages).Role);
        Assert.NotNull(response.GetKnowledge());
    }

    [Fact]
    public async Task RunAsync_Level2TransientFailures_AreRetried()
    {
        var file = DocumentTestKit.WriteFile(DocumentTestKit.Haystack(60, (30, Needle)));
        var failures = 0;
        var model = new ScriptedChatClient(request =>
            request.LastUserText.StartsWith("# Document:", StringComparison.Ordinal) && Interlocked.Increment(ref failures) <= 3
                ? ScriptedReply.Throw(new HttpRequestException("busy", null, failures == 2 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.TooManyRequests))
                : Reader()(request));
        using var agent = new ParallelDocQAAgent(model, Options(file));

        var response = await agent.RunAsync("What was the lighthouse keeper's daughter called?");

        Assert.Equal("Her name was Marguerite Solenne.", response.Text);
        var chunks = (await agent.Library.OpenAsync([file], default)).Chunks.Count;
        Assert.Equal(chunks + 3 + 1, model.Requests.Count);
    }

    [Fact]
    public async Task RunAsync_Level2ClientError_FailsWithoutRetrying()
    {
        var file = DocumentTestKit.WriteFile(DocumentTestKit.Haystack(60, (30, Needle)));
        var model = new ScriptedChatClient(_ => ScriptedReply.Throw(new HttpRequestException("bad request", null, HttpStatusCode.BadRequest)));
        using var agent = new ParallelDocQAAgent(model, Options(file) is var o ? Concurrency(o, 1) : null);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => agent.RunAsync("question?"));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Single(model.Requests);
    }

    [Fact]
    public async Task RunAsync_Level2Cancelled_StopsOutstandingChunkCallsPromptly()
    {
        var file = DocumentTestKit.WriteFile(DocumentTestKit.Haystack(300));
        using var cancellation = new CancellationTokenSource();
        var started = 0;
        var stopped = 0;
        var model = new ScriptedChatClient(async (request, token) =>
        {
            if (Interlocked.Increment(ref started) == 10)
            {
                cancellation.CancelAfter(50);
            }

            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            finally
            {
                Interlocked.Increment(ref stopped);
            }

            return ScriptedReply.Text("unreachable");
        });
        using var agent = new ParallelDocQAAgent(model, Options(file) is var o ? Concurrency(o, 10) : null);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => agent.RunAsync("question?", cancellationToken: cancellation.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal(10, Volatile.Read(ref started));
        Assert.Equal(10, Volatile.Read(ref stopped));
    }

    [Fact]
    public async Task RunStreamingAsync_CallerStopsReading_OutstandingChunkCallsAreCancelled()
    {
        var file = DocumentTestKit.WriteFile(DocumentTestKit.Haystack(300));
        var started = 0;
        var stopped = 0;
        var model = new ScriptedChatClient(async (request, token) =>
        {
            if (Interlocked.Increment(ref started) > 4)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                finally
                {
                    Interlocked.Increment(ref stopped);
                }
            }

            return ScriptedReply.Text("{\"res\": \"none\", \"content\": \"<None>\"}");
        });
        using var agent = new ParallelDocQAAgent(model, Options(file) is var o ? Concurrency(o, 4) : null);

        await foreach (var update in agent.RunStreamingAsync("question?"))
        {
            if (update.GetChunkReadingProgress() is { Done: > 0 })
            {
                break;
            }
        }

        Assert.Equal(Volatile.Read(ref started) - 4, Volatile.Read(ref stopped));
        var before = Volatile.Read(ref started);
        await Task.Delay(100);
        Assert.Equal(before, Volatile.Read(ref started));
    }

    [Fact]
    public async Task RunAsync_QuestionTooLongForTheBudget_ThrowsBeforeAnyCall()
    {
        var file = DocumentTestKit.WriteFile(DocumentTestKit.Haystack(60));
        var model = new ScriptedChatClient(_ => ScriptedReply.Text("unused"));
        using var agent = new ParallelDocQAAgent(model, Options(file, 1_024));

        await Assert.ThrowsAsync<PromptBudgetExceededException>(() => agent.RunAsync(string.Join(' ', Enumerable.Repeat("why is the harbour quiet", 300))));

        Assert.Empty(model.Requests);
    }

    [Fact]
    public async Task RunAsync_NoDocuments_ThrowsSayingWhatToSet()
    {
        using var agent = new KeywordDocQAAgent(new ScriptedChatClient(_ => ScriptedReply.Text("x")));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => agent.RunAsync("question?"));

        Assert.Contains("DocQAOptions.Documents.Files", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_SecondQuestion_ReusesTheIndex()
    {
        var file = DocumentTestKit.WriteFile(DocumentTestKit.Haystack(100, (30, Needle)));
        using var agent = new KeywordDocQAAgent(new ScriptedChatClient(r => Reader()(r)), Options(file));

        await agent.RunAsync("What was the lighthouse keeper's daughter called?");
        await agent.RunAsync("Who kept the lighthouse?");

        Assert.Equal(1, agent.Library.IndexOpens);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Create_UnknownLevel_Throws(int level) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DocQAAgent.Create(new ScriptedChatClient(_ => ScriptedReply.Text("x")), level));

    [Fact]
    public void Constructor_BudgetOutOfRange_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelDocQAAgent(new ScriptedChatClient(_ => ScriptedReply.Text("x")), new DocQAOptions { TokenBudget = 100 }));

        Assert.Contains("DocQAOptions.TokenBudget", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Level2_ChunkCallsCapTheirReplies()
    {
        var file = DocumentTestKit.WriteFile(DocumentTestKit.Haystack(60, (30, Needle)));
        var model = new ScriptedChatClient(r => Reader()(r));
        var options = Options(file);
        options.ChunkReading.MaxOutputTokens = 300;
        using var agent = new ParallelDocQAAgent(model, options);

        await agent.RunAsync("What was the lighthouse keeper's daughter called?");

        var chunkCalls = model.Requests.Where(r => r.LastUserText.StartsWith("# Document:", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(chunkCalls);
        Assert.All(chunkCalls, r => Assert.Equal(300, r.Options?.MaxOutputTokens));
    }

    [Fact]
    public async Task RunAsync_Level1_KeywordCallsCapTheirReplies()
    {
        var file = DocumentTestKit.WriteFile(DocumentTestKit.Haystack(60, (30, Needle)));
        var model = new ScriptedChatClient(r => Reader()(r));
        using var agent = (DocQAAgent)DocQAAgent.Create(model, 1, Options(file));

        await agent.RunAsync("What was the lighthouse keeper's daughter called?");

        var helperCalls = model.Requests.Take(model.Requests.Count - 1).ToList(); // all but the answering call
        Assert.Equal(2, helperCalls.Count);
        Assert.All(helperCalls, r => Assert.InRange(r.Options?.MaxOutputTokens ?? int.MaxValue, 16, 512));
    }

    [Theory]
    [InlineData(15)]
    [InlineData(32_769)]
    public void Constructor_MaxOutputTokensOutOfRange_ThrowsNamingIt(int value)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelDocQAAgent(new ScriptedChatClient(_ => ScriptedReply.Text("x")), new DocQAOptions { ChunkReading = { MaxOutputTokens = value } }));

        Assert.Contains("ChunkReadingOptions.MaxOutputTokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ConcurrencyOutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelDocQAAgent(new ScriptedChatClient(_ => ScriptedReply.Text("x")), new DocQAOptions { ChunkReading = { MaxConcurrency = 0 } }));

    private static DocQAOptions Concurrency(DocQAOptions options, int concurrency)
    {
        options.ChunkReading.MaxConcurrency = concurrency;
        return options;
    }

    private sealed class SyncProgress(Action<ChunkReadingProgress> report) : IProgress<ChunkReadingProgress>
    {
        public void Report(ChunkReadingProgress value) => report(value);
    }
}
