using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace LongContextBench;

/// <summary>
/// A model that answers instantly and perfectly from what its prompt shows (it knows the needle sentences), so a run's time is
/// our own code's and its answer is right exactly when the agent put the needed facts in front of it.
/// </summary>
internal sealed partial class PerfectFakeModel(IReadOnlyList<(string Sentence, string Key)> facts) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ChatResponse(Reply([.. messages], options)));

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        foreach (var update in new ChatResponse(Reply([.. messages], options)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    private ChatMessage Reply(List<ChatMessage> messages, ChatOptions? options)
    {
        var prompt = string.Join("\n", messages.Select(m => m.Text));
        var last = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
        if (last.StartsWith("# Document:", StringComparison.Ordinal))
        {
            var question = last[(last.IndexOf("# Question:", StringComparison.Ordinal) + 11)..];
            var found = Relevant(last, question);
            var reply = found.Count == 0 ? new { res = "none", content = "<None>" } : new { res = "ans", content = string.Join(" ", found) };
            return new ChatMessage(ChatRole.Assistant, JsonSerializer.Serialize(reply));
        }

        if (options?.Tools is { Count: > 0 } tools && tools.Any(t => t.Name == "ask_document"))
        {
            return MultiHopStep(messages);
        }

        if (prompt.Contains("Knowledge Base", StringComparison.Ordinal) || prompt.Contains("知识库", StringComparison.Ordinal))
        {
            var found = Relevant(prompt, last);
            return new ChatMessage(ChatRole.Assistant, found.Count == 0 ? "I cannot find it in the documents." : string.Join(" ", found));
        }

        return new ChatMessage(ChatRole.Assistant, "{}"); // keyword generation: nothing usable, so the question itself is searched
    }

    /// <summary>The two-hop plan a good model follows: ask where the person was raised, then what that town celebrates, then answer.</summary>
    private ChatMessage MultiHopStep(List<ChatMessage> messages)
    {
        var question = messages.First(m => m.Role == ChatRole.User).Text;
        var results = messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.Result?.ToString() ?? string.Empty).ToList();
        var call = (string query) => new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_" + Guid.NewGuid().ToString("N")[..8], "ask_document", new Dictionary<string, object?> { ["query"] = query })]);
        if (results.Count == 0)
        {
            return call($"Where was {PersonOf().Match(question).Groups[1].Value} raised?");
        }

        if (results.Count == 1 && TownOf().Match(results[0]) is { Success: true } town)
        {
            return call($"What is celebrated in {town.Groups[1].Value}?");
        }

        var thing = ThingOf().Match(string.Join(" ", results));
        return new ChatMessage(ChatRole.Assistant, thing.Success ? $"The {thing.Groups[1].Value}." : "I could not find it.");
    }

    /// <summary>The facts in <paramref name="text"/> the question leads to, following each found fact's words to the next (two hops).</summary>
    private List<string> Relevant(string text, string question)
    {
        var squashed = Squash(text);
        var present = facts.Where(f => squashed.Contains(Squash(f.Sentence), StringComparison.Ordinal)).ToList();
        List<string> found = [];
        var clues = question;
        for (var hop = 0; hop < 2; hop++)
        {
            foreach (var fact in present.Where(f => clues.Contains(f.Key, StringComparison.Ordinal) && !found.Contains(f.Sentence)).ToList())
            {
                found.Add(fact.Sentence);
            }

            clues = question + " " + string.Join(" ", found);
        }

        return found;
    }

    private static string Squash(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));

    [GeneratedRegex("place where (.+) was raised")]
    private static partial Regex PersonOf();

    [GeneratedRegex("quiet town of (\\w+)")]
    private static partial Regex TownOf();

    [GeneratedRegex("honours the (.+?) with songs")]
    private static partial Regex ThingOf();
}
