using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Qwen.Core;
using Qwen.Tools;

namespace Qwen.Agents;

/// <summary>
/// Turns a question into a BM25 query with the model, as Qwen-Agent's keyword strategies do, always with thinking off. The
/// model's JSON is read leniently; when it cannot be read, when the call fails, when the prompt would not fit the budget, or
/// when the model echoes the prompt's examples (Qwen-Agent #362), the question itself is the search text.
/// </summary>
internal sealed class KeywordGenerator(KeywordStrategy strategy, ILogger logger)
{
    // A keyword reply is a short JSON object; the cap keeps a model that does not stop from stalling retrieval.
    private const int KeywordReplyTokens = 512;

    public async Task<RetrievalQuery> GenerateAsync(RetrievalContext context, string question, CancellationToken cancellationToken)
    {
        if (strategy == KeywordStrategy.None || string.IsNullOrWhiteSpace(question))
        {
            return new RetrievalQuery(question);
        }

        var text = question;
        if (strategy is KeywordStrategy.SplitQuery or KeywordStrategy.SplitQueryThenGenKeyword)
        {
            text = await SplitAsync(context, question, cancellationToken).ConfigureAwait(false) ?? question;
            if (strategy == KeywordStrategy.SplitQuery)
            {
                return new RetrievalQuery(text);
            }
        }

        var keywords = await KeywordsAsync(context, text, cancellationToken).ConfigureAwait(false);
        return new RetrievalQuery(text, keywords?.Select(k => new WeightedKeyword(k)));
    }

    /// <summary>The information fragments of the question, joined; <see langword="null"/> when the model gave none usable.</summary>
    private async Task<string?> SplitAsync(RetrievalContext context, string question, CancellationToken cancellationToken)
    {
        var reply = await AskAsync(context, RetrievalPrompts.SplitQuery(context.Language, question), RetrievalPrompts.SplitQueryStop, cancellationToken).ConfigureAwait(false);
        if (reply is null)
        {
            return null;
        }

        // Qwen-Agent stops the model before the instructions; close the JSON it cut.
        if (!reply.EndsWith('}'))
        {
            reply += "\"]}";
        }

        var information = ReadStrings(reply, "information");
        if (information is null)
        {
            AgentLog.KeywordFallback(logger, "query splitting", "the reply is not the expected JSON");
            return null;
        }

        var joined = string.Join("\n", information).Trim();
        if (IsEcho(information, question, RetrievalPrompts.SplitQueryExamples))
        {
            AgentLog.KeywordFallback(logger, "query splitting", "the reply repeats the prompt's examples");
            return null;
        }

        // As in Qwen-Agent: the information replaces the question only when it is a non-empty part of it, not something longer.
        return joined.Length > 0 && joined.Length <= question.Length ? joined : null;
    }

    private async Task<List<string>?> KeywordsAsync(RetrievalContext context, string text, CancellationToken cancellationToken)
    {
        var reply = await AskAsync(context, RetrievalPrompts.GenKeyword(context.Language, text), RetrievalPrompts.ObservationStop, cancellationToken).ConfigureAwait(false);
        if (reply is null)
        {
            return null;
        }

        if (!LenientJson.TryParseObject(reply, out var json, out _))
        {
            AgentLog.KeywordFallback(logger, "keyword generation", "the reply is not JSON");
            return null;
        }

        var keywords = json.Where(p => p.Key.StartsWith("keywords", StringComparison.OrdinalIgnoreCase))
            .SelectMany(p => Strings(p.Value) ?? [])
            .Where(k => k.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (keywords.Count == 0)
        {
            AgentLog.KeywordFallback(logger, "keyword generation", "the reply holds no keywords");
            return null;
        }

        if (IsEcho(keywords, text, RetrievalPrompts.GenKeywordExamples))
        {
            AgentLog.KeywordFallback(logger, "keyword generation", "the reply repeats the prompt's examples");
            return null;
        }

        return keywords;
    }

    /// <summary>Asks the model; <see langword="null"/> when the prompt would not fit or the call fails (cancellation excepted).</summary>
    private async Task<string?> AskAsync(RetrievalContext context, string prompt, string stop, CancellationToken cancellationToken)
    {
        List<ChatMessage> messages = [new(ChatRole.User, prompt)];
        var options = HelperCalls.NoThinking(KeywordReplyTokens, stop);
        if (context.MaxPromptTokens is { } limit && PromptTokens.Count(context.Tokenizer, messages, options) > limit)
        {
            AgentLog.KeywordFallback(logger, "keyword generation", $"the prompt would exceed the budget of {limit} tokens");
            return null;
        }

        try
        {
            var response = await context.ChatClient.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            return HelperCalls.ReplyText(response);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            AgentLog.KeywordFallback(logger, "keyword generation", $"the model call failed ({e.GetType().Name}: {e.Message})");
            return null;
        }
    }

    private static List<string>? ReadStrings(string reply, string property) =>
        LenientJson.TryParseObject(reply, out var json, out _) && json.TryGetPropertyValue(property, out var value) ? Strings(value) : null;

    private static List<string>? Strings(JsonNode? node) => node is JsonArray array
        ? [.. array.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s.Trim() : null).OfType<string>()]
        : null;

    /// <summary>Every item is one of the prompt's examples and none of them appears in the question.</summary>
    private static bool IsEcho(IReadOnlyCollection<string> items, string question, string[] examples) =>
        items.Count > 0
        && items.All(i => examples.Contains(i, StringComparer.OrdinalIgnoreCase))
        && !items.Any(i => question.Contains(i, StringComparison.OrdinalIgnoreCase));
}
