using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Qwen.Core;
using Qwen.Tools;

namespace Qwen.Agents;

/// <summary>
/// Level 2, read every chunk: each chunk goes to the model with the question only (Qwen-Agent's <c>ParallelDocQAMember</c>
/// prompt: answer <c>{"res": "ans", "content": ...}</c> quoting the document, or <c>{"res": "none", ...}</c>), with bounded
/// concurrency and retries of transient failures. The answers are the evidence and, with the question, the BM25 query whose
/// chunks fill the rest of the budget.
/// </summary>
/// <remarks>One model call per chunk, each with thinking off and within <see cref="RetrievalContext.MaxPromptTokens"/>
/// (checked before the first call). Only the relevant answers are kept, so memory does not grow with the document beyond its
/// chunks. Cancelling stops the outstanding calls. Progress goes to <see cref="RetrievalContext.Progress"/>.</remarks>
public sealed partial class ChunkReadingStrategy : IRetrievalStrategy
{
    private readonly ChunkReadingOptions _options;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="ChunkReadingStrategy"/> class.</summary>
    /// <param name="options">Concurrency and retries; <see langword="null"/> for the defaults.</param>
    /// <param name="logger">Receives a summary of the reading; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public ChunkReadingStrategy(ChunkReadingOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new ChunkReadingOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets the options in force.</summary>
    public ChunkReadingOptions Options => _options;

    /// <inheritdoc />
    /// <exception cref="PromptBudgetExceededException">The question and the largest chunk do not fit <see cref="RetrievalContext.MaxPromptTokens"/> together.</exception>
    public async Task<RetrievedKnowledge> RetrieveAsync(RetrievalContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var chunks = context.Index.Chunks;
        var question = context.Question;
        var system = new ChatMessage(ChatRole.System, RetrievalPrompts.MemberSystem(context.Language));
        var options = HelperCalls.NoThinking(_options.MaxOutputTokens, RetrievalPrompts.ObservationStop);
        CheckBudget(context, system, options, chunks);

        var answers = new string?[chunks.Count];
        int done = 0, relevant = 0;
        var started = Stopwatch.GetTimestamp();
        context.Progress?.Report(new ChunkReadingProgress(0, chunks.Count, 0));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken };
        var client = new RetryingChatClient(context.ChatClient, new RetryingChatClientOptions
        {
            MaxRetries = _options.MaxRetries,
            BaseDelay = _options.RetryDelay,
            MaxDelay = _options.MaxRetryDelay,
            TimeProvider = _options.TimeProvider,
        });
        await Parallel.ForEachAsync(Enumerable.Range(0, chunks.Count), parallel, async (i, token) =>
        {
            List<ChatMessage> messages = [system, new(ChatRole.User, RetrievalPrompts.MemberUser(context.Language, chunks[i].Text, question))];
            var reply = HelperCalls.ReplyText(await client.GetResponseAsync(messages, options, token).ConfigureAwait(false));
            answers[i] = ReadAnswer(reply);
            var relevantSoFar = answers[i] is null ? Volatile.Read(ref relevant) : Interlocked.Increment(ref relevant);
            context.Progress?.Report(new ChunkReadingProgress(Interlocked.Increment(ref done), chunks.Count, relevantSoFar));
        }).ConfigureAwait(false);
        AgentLog.ChunksRead(_logger, relevant, chunks.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        return Gather(context, chunks, answers);
    }

    /// <summary>Reads a chunk reader's reply: its content when it answered, <see langword="null"/> for "none", as Qwen-Agent reads it.</summary>
    internal static string? ReadAnswer(string reply)
    {
        if (LenientJson.TryParseObject(reply, out var json, out _)
            && json["res"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
            && json["content"]?.GetValueKind() == System.Text.Json.JsonValueKind.String)
        {
            var res = json["res"]!.GetValue<string>();
            var content = json["content"]!.GetValue<string>().Trim();
            if (res == "none")
            {
                return null;
            }

            if (res == "ans")
            {
                return IsNone(content) ? null : content;
            }
        }

        if (IsNone(reply))
        {
            return null;
        }

        var cleaned = JsonNoise().Replace(reply, string.Empty).Trim();
        return cleaned.Length == 0 ? null : cleaned;
    }

    private static bool IsNone(string text) =>
        text.Length == 0
        || text.Contains("很抱歉", StringComparison.Ordinal)
        || text.Contains(RetrievalPrompts.NoResponse, StringComparison.OrdinalIgnoreCase)
        || text.Contains("\"res\": \"none\"", StringComparison.OrdinalIgnoreCase);

    /// <summary>Refuses up front a question that leaves no room for the largest chunk in one call.</summary>
    private static void CheckBudget(RetrievalContext context, ChatMessage system, ChatOptions options, IReadOnlyList<DocumentChunk> chunks)
    {
        if (context.MaxPromptTokens is not { } limit || chunks.Count == 0)
        {
            return;
        }

        var largest = chunks.MaxBy(c => c.Tokens)!;
        List<ChatMessage> probe = [system, new(ChatRole.User, RetrievalPrompts.MemberUser(context.Language, largest.Text, context.Question))];
        var tokens = PromptTokens.Count(context.Tokenizer, probe, options);
        if (tokens > limit)
        {
            throw new PromptBudgetExceededException(tokens, limit,
                $"reading a chunk of {largest.Tokens} tokens with this question needs more; shorten the question, use smaller chunks (ChunkingOptions.MaxTokens) or raise the budget.");
        }
    }

    /// <summary>The answers become evidence (up to half the budget) and, with the question, the BM25 query for the chunks.</summary>
    private static RetrievedKnowledge Gather(RetrievalContext context, IReadOnlyList<DocumentChunk> chunks, string?[] answers)
    {
        var evidence = new List<KnowledgeEvidence>();
        var answerTexts = new List<string>();
        var evidenceTokens = 0;
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < answers.Length; i++)
        {
            // Overlapping chunks often quote the same sentence: once is enough.
            if (answers[i] is not { } answer || !seen.Add((chunks[i].Source, answer)))
            {
                continue;
            }

            answerTexts.Add(answer);
            var tokens = context.Tokenizer.CountTokens(answer) + 16;
            if (evidenceTokens + tokens <= context.TokenBudget / 2)
            {
                evidence.Add(new KnowledgeEvidence(chunks[i].Source, chunks[i].Page, answer));
                evidenceTokens += tokens;
            }
        }

        // The quotes count more than the question: they carry what the question's own words cannot find (the second fact of
        // a two-hop question names what the first one found, not what the question says).
        var query = new RetrievalQuery(context.Question, answerTexts.Select(a => new WeightedKeyword(a, QuoteWeight)));
        var left = context.TokenBudget - evidenceTokens;
        IReadOnlyList<RetrievedChunk> found = left >= 1 ? context.Index.Search(query, left) : [];
        return new RetrievedKnowledge(found, evidence, query);
    }

    /// <summary>How much a quoted answer counts in the re-retrieval, relative to a word of the question.</summary>
    private const double QuoteWeight = 4;

    /// <summary>What Qwen-Agent strips from a reply that is not valid JSON: braces, quotes and the <c>res</c>/<c>content</c> keys.</summary>
    [GeneratedRegex("""[{}"]|("res":\s*"ans"|"res":\s*"none"|"\s*content":\s*)""")]
    private static partial Regex JsonNoise();
}
