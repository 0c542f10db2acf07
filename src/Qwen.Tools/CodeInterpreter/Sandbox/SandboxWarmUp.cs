namespace Qwen.Tools;

/// <summary>Runs the sandbox's common paths once in a throwaway session, so a spare worker's first real call is not slowed by compiling them.</summary>
/// <remarks>It touches no file: a spare worker may be killed at any moment, and must leave nothing behind.</remarks>
internal static class SandboxWarmUp
{
    private const string Code = """
        const rows = parseCsv('a,b\n1,x\n2,y\n3,z');
        const values = rows.map(r => r.a);
        console.log(values, { mean: stats.mean(values), text: JSON.stringify(rows) }, 'done');
        try { null.x } catch (e) { String(e) }
        [1, 2, 3].filter(v => v > 1).reduce((s, v) => s + v, 0)
        """;

    public static void Run()
    {
        // A folder that is never created: the warm-up code reads and writes no file.
        var sandbox = new JsSandbox(new WorkerSettings { WorkDirectory = Path.Combine(Path.GetTempPath(), "qwen-warm-up-" + Guid.NewGuid().ToString("N")) });
        sandbox.Execute(0, Code, CancellationToken.None);
        sandbox.Execute(0, "throw new Error('warm-up')", CancellationToken.None);
        var chart = new ChartSpec { Title = "warm-up", Width = 200, Height = 150 };
        chart.Series.Add(new ChartSeries { Kind = ChartKind.Line, X = [0, 1, 2], Y = [3, 1, 2] });
        ChartRenderer.RenderPng(chart);
    }
}
