using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Qwen.Core;
using TokenizerBench;

// Single-thread encode throughput of QwenTokenizer (MB/s of UTF-8 input) on generated English prose, Chinese prose and code.
// usage: dotnet run -c Release --project bench/TokenizerBench -- [--model DIR] [--kb 512] [--reps 5]
var model = Option("--model") ?? Path.Combine(RepositoryRoot(), "tests", "Qwen.Core.Tests", "Fixtures", "tokenizers", "qwen3");
var kilobytes = int.Parse(Option("--kb") ?? "512", CultureInfo.InvariantCulture);
var reps = int.Parse(Option("--reps") ?? "5", CultureInfo.InvariantCulture);

var load = Stopwatch.StartNew();
var shared = QwenTokenizer.FromDirectory(model);
load.Stop();
var corpus = new Corpus(shared);
Console.WriteLine($"tokenizer: {model} (vocabulary {shared.VocabularySize}), loaded in {load.Elapsed.TotalMilliseconds:F0} ms");
Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
Console.WriteLine($"texts: {kilobytes} KB each, generated; figures are medians of {reps} runs after 1 s of warm-up, in MB of UTF-8 input per second of the process's CPU time");
Console.WriteLine("  (CPU time, not wall-clock time, so that other work on a shared machine does not count; the wall-clock figure is given for new text)");
Console.WriteLine("- new text: a text the instance has not seen (steady state of a long-running process: common words are cached, the rest is merged)");
Console.WriteLine("- empty cache: the first text of a freshly loaded instance; same text: a text encoded before (every piece cached)");
Console.WriteLine();
Console.WriteLine("| text | tokens per text | bytes/token | encode, new text | (wall clock) | encode, empty cache | encode, same text | CountTokens, new text | decode | encode, 2 threads on one instance, per CPU second |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");

foreach (var (name, make) in new (string, Func<int, int, string>)[]
{
    ("English prose", corpus.English),
    ("Chinese prose", corpus.Chinese),
    ("source code", corpus.Code),
})
{
    var seed = 1000;
    string NewText() => make(kilobytes * 1024, seed++);
    var warmUpTexts = Enumerable.Range(0, 3).Select(_ => NewText()).ToArray();
    WarmUp(() =>
    {
        foreach (var text in warmUpTexts)
        {
            shared.EncodeToIds(text);
        }
    });

    var sample = NewText();
    var megabytes = Encoding.UTF8.GetByteCount(sample) / 1e6;
    var ids = shared.EncodeToIds(sample);
    var emptyText = NewText();
    var fresh = QwenTokenizer.FromDirectory(model);
    var emptyCache = Median(1, () => emptyText, text => fresh.EncodeToIds(text));
    var newText = Median(reps, () => NewText(), text => shared.EncodeToIds(text));
    var newTextWall = Median(reps, () => NewText(), text => shared.EncodeToIds(text), wallClock: true);
    var sameText = Median(reps, () => sample, text => shared.EncodeToIds(text));
    var count = Median(reps, () => NewText(), text => shared.CountTokens(text));
    var decode = Median(reps, () => sample, _ => shared.Decode(ids));
    var parallel = Median(reps, () => NewText() + NewText(), text => Parallel.For(0, 2, half => shared.EncodeToIds(half == 0 ? text[..(text.Length / 2)] : text[(text.Length / 2)..])));
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"| {name} | {ids.Count} | {megabytes * 1e6 / ids.Count:F2} | {megabytes / newText:F1} | {megabytes / newTextWall:F1} | {Encoding.UTF8.GetByteCount(emptyText) / 1e6 / emptyCache:F1} | {megabytes / sameText:F1} | {megabytes / count:F1} | {megabytes / decode:F1} | {2 * megabytes / parallel:F1} |"));
}

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static void WarmUp(Action action)
{
    // Run for a while first so the JIT has moved the hot loops to optimized code, as in a long-running process.
    var watch = Stopwatch.StartNew();
    while (watch.Elapsed < TimeSpan.FromSeconds(1))
    {
        action();
    }
}

static double Median(int reps, Func<string> input, Action<string> action, bool wallClock = false)
{
    var process = Process.GetCurrentProcess();
    var times = new double[reps];
    for (var i = 0; i < reps; i++)
    {
        var text = input();
        GC.Collect();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        action(text);
        watch.Stop();
        process.Refresh();
        times[i] = wallClock ? watch.Elapsed.TotalSeconds : (process.TotalProcessorTime - cpu).TotalSeconds;
    }

    Array.Sort(times);
    return times[reps / 2];
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

    throw new DirectoryNotFoundException("Qwen.Agents.sln not found above the benchmark; pass --model DIR.");
}
