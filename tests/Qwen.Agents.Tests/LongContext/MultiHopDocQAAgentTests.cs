using System.Text.RegularExpressions;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Qwen.Agents.Tests.TestSupport;

namespace Qwen.Agents.Tests.LongContext;

public sealed partial class MultiHopDocQAAgentTests
{
    private const int Budget = 2_048;
    private const string Symphony = "Beethoven composed the Fifth Symphony in the 19th century, finishing it in 1808.";
    private const string Vehicle = "The automobile was invented in the 19th century by Karl Benz.";

    /// <summary>Facts the fake readers know, by the words of the sub-question that find them and the words of the chunk that hold them.</summary>
    private static readonly (string Asks, string Holds)[] Facts = [("Fifth Symphony", Symphony), ("19th century", Vehicle)];

    /// <summary>
    /// The multi-hop model, by content: with the tool offered it asks for the symphony's century, then uses that answer to ask
    /// which vehicle was invented in that century, then answers; as a chunk reader it quotes a fact when the chunk holds the
    /// fact the sub-question asks for; as the reader's answering call it repeats the quotes in its knowledge.
    /// </summary>
    private static ScriptedReply Script(ScriptedRequest request)
    {
        var user = request.LastUserText;
        if (request.ToolNames.Contains(MultiHopDocQAAgent.ToolName))
        {
            var results = request.ToolResults;
            if (results.Count == 0)
            {
                return ScriptedReply.Call(MultiHopDocQAAgent.ToolName, new { query = "In which century was the Fifth Symphony composed?" }, "hop1");
            }

            if (results.Count == 1)
            {
                var century = Century().Match(results[0].Result?.ToString() ?? string.Empty);
                return century.Success
                    ? ScriptedReply.Call(MultiHopDocQAAgent.ToolName, new { query = $"Which vehicle was invented in the {century.Value} century?" }, "hop2")
                    : ScriptedReply.Text("The documents do not say when the symphony was composed.");
            }

            return ScriptedReply.Text(results[1].Result?.ToString()?.Contains("automobile", StringComparison.Ordinal) == true
                ? "The automobile: it was invented in the 19th century, the century of the Fifth Symphony."
                : "I could not find the vehicle.");
        }

        if (user.StartsWith("# Document:", StringComparison.Ordinal))
        {
            var question = user[user.IndexOf("# Question:", StringComparison.Ordinal)..];
            foreach (var (asks, holds) in Facts)
            {
                if (question.Contains(asks, StringComparison.Ordinal) && user.Contains(holds, StringComparison.Ordinal))
                {
                    return ScriptedReply.Text($"{{\"res\": \"ans\", \"content\": \"{holds}\"}}");
                }
            }

            return ScriptedReply.Text("{\"res\": \"none\", \"content\": \"<None>\"}");
        }

        // The reader's answering call: the quotes in its knowledge are the answer.
        var found = Facts.Select(f => f.Holds).Where(h => request.SystemText.Contains("- [文件](history.txt) [page: 1]: " + h, StringComparison.Ordinal)).ToList();
        return ScriptedReply.Text(found.Count == 0 ? "Nothing relevant." : string.Join(" ", found));
    }

    [GeneratedRegex(@"\d+(st|nd|rd|th)")]
    private static partial Regex Century();

    [Fact]
    public async Task RunAsync_TwoHopQuestion_AsksSubQuestionsThroughTheReaderAndChainsTheAnswers()
    {
        var file = DocumentTestKit.WriteFile(DocumentTestKit.Haystack(300, (40, Symphony), (260, Vehicle)), "history.txt");
        var sizes = new List<int>();
        var model = DocumentTestKit.Budgeted(Budget, Script, sizes);
        using var agent = new MultiHopDocQAAgent(model, new DocQAOptions
        {
            Documents = { Files = [file], Tokenizer = DocumentTestKit.Qwen },
            TokenBudget = Budget,
        });

        var response = await agent.RunAsync("Which vehicle was invented in the same century as the Fifth Symphony was composed?");

        Assert.Equal("The automobile: it was invented in the 19th century, the century of the Fifth Symphony.", response.Text.Split('\n')[^1]);
        var results = response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().ToList();
        Assert.Equal(["hop1", "hop2"], results.Select(r => r.CallId));
        Assert.Contains("19th century", results[0].Result?.ToString(), StringComparison.Ordinal);
        Assert.Contains("automobile", results[1].Result?.ToString(), StringComparison.Ordinal);
        Assert.All(sizes, s => Assert.InRange(s, 1, Budget));

        var chunks = (await agent.Library.OpenAsync([file], default)).Chunks.Count;
        Assert.Equal(3 + (2 * (chunks + 1)), model.Requests.Count); // three steps, and each sub-question reads every chunk and answers
        var evidence = response.GetKnowledge()!.Evidence.Select(e => e.Text).ToList();
        Assert.Contains(Symphony, evidence);
        Assert.Contains(Vehicle, evidence);
        Assert.Equal(1, agent.Library.IndexOpens);
        Assert.Contains("call `ask_document`", model.Requests[0].SystemText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ModelKeepsAsking_StopsAtTheStepCapWithAMessage()
    {
        var file = DocumentTestKit.WriteFile(DocumentTestKit.Haystack(20), "history.txt");
        var hop = 0;
        var model = new ScriptedChatClient(request => request.ToolNames.Count > 0
            ? ScriptedReply.Call(MultiHopDocQAAgent.ToolName, new { query = $"question {Interlocked.Increment(ref hop)}?" })
            : Script(request));
        using var agent = new MultiHopDocQAAgent(model, new DocQAOptions { Documents = { Files = [file] }, MaxModelCalls = 3 });

        var response = await agent.RunAsync("Anything?");

        Assert.Equal(3, model.Requests.Count(r => r.ToolNames.Count > 0));
        Assert.Equal(AgentFinishReasons.ModelCallLimit, response.FinishReason);
    }
}
