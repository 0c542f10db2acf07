namespace Qwen.Tools;

/// <summary>Runs the sandbox's common paths once in a throwaway session, so a spare worker's first real call is not slowed by compiling them.</summary>
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
        var folder = Directory.CreateTempSubdirectory("qwen-warm-up-");
        try
        {
            var sandbox = new JsSandbox(new WorkerSettings { WorkDirectory = folder.FullName });
            sandbox.Execute(0, Code, CancellationToken.None);
            sandbox.Execute(0, "plot.line([1, 2, 3], [3, 1, 2], { title: 'warm-up' }); throw new Error('x')", CancellationToken.None);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
