using Microsoft.Agents.AI;
using Qwen.Agents.Tests.TestSupport;
using Qwen.Core;
using Qwen.Tools;
using Xunit.Abstractions;

namespace Qwen.Agents.Tests.LongContext;

public sealed class MillionTokenDocumentTests(ITestOutputHelper output)
{
    private const string Needle = "The vault beneath the old mill opens with the word OSTRAKON.";
    private const int Budget = 8_000;

    [Fact]
    public async Task RunAsync_MillionTokenDocument_Levels1And2AnswerWithinTheBudgetFromOneIndex()
    {
        var text = DocumentTestKit.Haystack(14_500, (11_111, Needle));
        Assert.True(ApproximateTokenizer.Instance.CountTokens(text) > 1_000_000);
        var file = DocumentTestKit.WriteFile(text, "chronicle.txt");
        using var parser = new DocumentParser();
        using var retriever = new DocumentRetriever(parser, ApproximateTokenizer.Instance);
        var largest = 0;
        var model = new ScriptedChatClient(request =>
        {
            // The agents count with the same tokenizer; the fake checks every prompt against the budget.
            var tokens = PromptTokens(request);
            InterlockedMax(ref largest, tokens);
            if (tokens > Budget)
            {
                throw new InvalidOperationException($"prompt of {tokens} tokens");
            }

            var user = request.LastUserText;
            return user.Contains("Keywords:", StringComparison.Ordinal) ? ScriptedReply.Text("{\"keywords_en\": [\"vault\", \"mill\", \"word\"]}")
                : user.StartsWith("# Document:", StringComparison.Ordinal) ? ScriptedReply.Text(user.Contains(Needle, StringComparison.Ordinal)
                    ? "{\"res\": \"ans\", \"content\": \"" + Needle + "\"}"
                    : "{\"res\": \"none\", \"content\": \"<None>\"}")
                : ScriptedReply.Text(request.AllText.Contains("OSTRAKON", StringComparison.Ordinal) ? "OSTRAKON" : "unknown");
        });
        DocQAOptions Options() => new()
        {
            Documents = { Files = [file], Retriever = retriever },
            TokenBudget = Budget,
            KeywordStrategy = KeywordStrategy.GenKeyword,
            ChunkReading = { MaxConcurrency = 16 },
        };

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await retriever.OpenIndexAsync([file]);
        output.WriteLine($"parse, chunk and index: {clock.ElapsedMilliseconds} ms");
        clock.Restart();
        using var level1 = new KeywordDocQAAgent(model, Options());
        var first = await level1.RunAsync("Which word opens the vault beneath the old mill?");
        var keywordCalls = model.Requests.Count;
        output.WriteLine($"level 1: {clock.ElapsedMilliseconds} ms");
        clock.Restart();
        using var level2 = new ParallelDocQAAgent(model, Options());
        var second = await level2.RunAsync("Which word opens the vault beneath the old mill?");
        output.WriteLine($"level 2: {clock.ElapsedMilliseconds} ms");

        Assert.Equal(("OSTRAKON", "OSTRAKON"), (first.Text, second.Text));
        Assert.Equal(2, keywordCalls);
        var chunks = (await level2.Library.OpenAsync([file], default)).Chunks.Count;
        Assert.InRange(chunks, 1_900, 3_500);
        Assert.Equal(keywordCalls + chunks + 1, model.Requests.Count);
        Assert.InRange(largest, Budget / 2, Budget);
        Assert.Contains(second.GetKnowledge()!.Evidence, e => e.Text == Needle);
    }

    private static int PromptTokens(ScriptedRequest request) =>
        request.Messages.Sum(m => ApproximateTokenizer.Instance.CountTokens(m.Text) + 5) + 3;

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
