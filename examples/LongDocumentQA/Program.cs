// Questions over a document far larger than the model's window, with Qwen's three-level long-context agent: Level 1 retrieves
// by keywords, Level 2 has the model read every chunk (in parallel) and answers from what it quoted, Level 3 asks Level 2
// sub-questions until it can answer. No model call's prompt exceeds --budget tokens.
//   --file PATH      the document (PDF, Office, HTML, text, ...); default: a generated 200,000-token report with one fact hidden in it
//   --prompt TEXT    the question
//   --level 1|2|3    default 2
//   --budget N       tokens per model call, default 8000
using Microsoft.Agents.AI;
using Qwen.Agents;
using Qwen.Examples;

if (ExampleModel.FromArgs(args, "LongDocumentQA", "questions over a long document with the long-context agent (--file PATH, default: a generated haystack; --level 1|2|3; --budget N).") is not { } model)
{
    return;
}

string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var file = Value("--file");
var question = Value("--prompt");
if (file is null)
{
    file = Path.Combine(Path.GetTempPath(), "qwen-long-document-example.txt");
    await File.WriteAllTextAsync(file, Haystack(200_000, "The secret harbour code of Velmora Quistrand is KASTREL-417."));
    question ??= "What is the secret harbour code of Velmora Quistrand?";
    Console.Error.WriteLine($"No --file: asking about a generated report of about 200,000 tokens ({file}).");
}

question ??= "What is this document about?";
var level = int.Parse(Value("--level") ?? "2", System.Globalization.CultureInfo.InvariantCulture);
var agent = DocQAAgent.Create(model, level, new DocQAOptions
{
    Documents = { Files = [file] },
    TokenBudget = int.Parse(Value("--budget") ?? "8000", System.Globalization.CultureInfo.InvariantCulture),
    Progress = new Progress<ChunkReadingProgress>(p => Console.Error.Write($"\rread {p.Done}/{p.Total} chunks, {p.Relevant} relevant ")),
});
try
{
    var updates = await ExampleOutput.PrintAsync(agent.RunStreamingAsync(question));
    if (updates.ToAgentResponse().GetKnowledge() is { } knowledge)
    {
        Console.WriteLine($"(answered from {knowledge.Chunks.Count} chunks and {knowledge.Evidence.Count} quotes)");
    }
}
finally
{
    (agent as IDisposable)?.Dispose();
}

// A long, dull, deterministic report with one sentence that matters, two thirds of the way in.
static string Haystack(int approximateTokens, string needle)
{
    string[] places = ["the northern district", "the river valley", "the old harbour", "the eastern hills", "the market town"];
    string[] topics = ["road repairs", "the grain harvest", "school attendance", "the water supply", "the new railway"];
    var text = new System.Text.StringBuilder();
    var sentences = approximateTokens / 20;
    for (var i = 0; i < sentences; i++)
    {
        if (i == sentences * 2 / 3)
        {
            text.Append(needle).Append(' ');
        }

        text.Append($"In season {i % 17}, the council of {places[i % places.Length]} reported steady progress on {topics[(i / 5) % topics.Length]}, item {i}. ");
        if (i % 6 == 5)
        {
            text.Append("\n\n");
        }
    }

    return text.ToString();
}
