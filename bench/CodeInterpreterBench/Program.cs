using System.Diagnostics;
using System.Globalization;
using Qwen.Tools;

// Measures what a user of the code interpreter waits for:
//   cold   the first call of a new session when no worker is ready (a worker process starts for it),
//   spare  the first call of a new session when the prewarmed spare worker is ready,
//   warm   a trivial call on a session that has run before,
//   data   parsing a 1,000-row CSV and summarising a column on a warm session,
//   chart  drawing a 1,000-point line chart to PNG on a warm session.
// Usage: dotnet run -c Release --project bench/CodeInterpreterBench [-- --sessions 10 --calls 300]
var sessions = Argument("--sessions", 10);
var calls = Argument("--calls", 300);
var folder = Directory.CreateTempSubdirectory("qwen-ci-bench-").FullName;
try
{
    var rows = string.Join('\n', Enumerable.Range(0, 1000).Select(i => string.Create(CultureInfo.InvariantCulture, $"2020-01-{i % 28 + 1:00},{70 + Math.Sin(i / 10.0):0.00},{1000 + i}")));
    await File.WriteAllTextAsync(Path.Combine(folder, "prices.csv"), "Date,Close,Volume\n" + rows);

    var cold = new List<double>();
    await using (var interpreter = new CodeInterpreter(new CodeInterpreterOptions { WorkDirectory = folder, IsolateSessionDirectories = false, PrewarmWorker = false }))
    {
        for (var i = 0; i < sessions; i++)
        {
            cold.Add(await TimeAsync(interpreter, $"cold-{i}", "1 + 1"));
            await interpreter.ResetSessionAsync($"cold-{i}");
        }
    }

    var spare = new List<double>();
    var warm = new List<double>();
    var data = new List<double>();
    var chart = new List<double>();
    await using (var interpreter = new CodeInterpreter(new CodeInterpreterOptions { WorkDirectory = folder, IsolateSessionDirectories = false, PrewarmWorker = true }))
    {
        await interpreter.ExecuteAsync("first", "1");
        for (var i = 0; i < sessions; i++)
        {
            // Give the spare time to start and warm up, as the time between two conversations would.
            await Task.Delay(1500);
            spare.Add(await TimeAsync(interpreter, $"spare-{i}", "1 + 1"));
            await interpreter.ResetSessionAsync($"spare-{i}");
        }

        for (var i = 0; i < calls; i++)
        {
            warm.Add(await TimeAsync(interpreter, "first", "1 + 1"));
        }

        for (var i = 0; i < calls / 10; i++)
        {
            data.Add(await TimeAsync(interpreter, "first", "const rows = readCsv('prices.csv'); stats.describe(rows.map(r => r.Close))"));
            chart.Add(await TimeAsync(interpreter, "first", "plot.line(rows.map(r => r.Volume), rows.map(r => r.Close), { file: 'bench.png' })"));
        }
    }

    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    Console.WriteLine("| measure | runs | median ms | p95 ms | min ms |");
    Console.WriteLine("| --- | --- | --- | --- | --- |");
    Report("cold start (new session, no spare worker)", cold);
    Report("new session served by the prewarmed spare", spare);
    Report("warm call `1 + 1`", warm);
    Report("warm call: readCsv 1,000 rows + stats.describe", data);
    Report("warm call: plot.line 1,000 points to PNG", chart);
}
finally
{
    Directory.Delete(folder, recursive: true);
}

int Argument(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

static async Task<double> TimeAsync(CodeInterpreter interpreter, string session, string code)
{
    var clock = Stopwatch.StartNew();
    var result = await interpreter.ExecuteAsync(session, code);
    var elapsed = clock.Elapsed.TotalMilliseconds;
    return result.Succeeded ? elapsed : throw new InvalidOperationException($"'{code}' failed: {result.ToText()}");
}

static void Report(string name, List<double> samples)
{
    var sorted = samples.Order().ToArray();
    var median = sorted[sorted.Length / 2];
    var p95 = sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * 0.95) - 1)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {sorted.Length} | {median:0.0} | {p95:0.0} | {sorted[0]:0.0} |"));
}
