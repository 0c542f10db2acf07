namespace Qwen.Cli.Tests;

public sealed class CodeInterpreterCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("qwen-cli-code").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task ToolCodeInterpreter_PlotsACsvToAPngInTheWorkDirectory()
    {
        await File.WriteAllTextAsync(Path.Combine(_work, "prices.csv"), "Date,Close\n2020-01-03,73.9\n2020-01-04,74.1\n2020-01-05,73.7\n");
        const string Code = "const rows = readCsv('prices.csv');\nconsole.log(rows.length);\nplot.line(rows.map(r => r.Date), rows.map(r => r.Close), { title: 'Close' })";

        var result = await CliRunner.RunAsync("tool", "code_interpreter", "--workdir", _work, "--args", System.Text.Json.JsonSerializer.Serialize(new { code = Code }));

        Assert.Equal(0, result.ExitCode);
        var png = Path.Combine(_work, "chart-1.png");
        Assert.Contains($"[image: {png}]", result.StdOut);
        Assert.StartsWith("3", result.StdOut);
        var bytes = await File.ReadAllBytesAsync(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }

    [Fact]
    public async Task ToolCodeInterpreter_ThrowingCode_PrintsTheErrorWithItsPosition()
    {
        // An exception in the model's code is the tool's answer (the model reads it and fixes the code), not a CLI failure.
        var result = await CliRunner.RunAsync("tool", "code_interpreter", "--workdir", _work, "--args", """{"code": "let x = 1;\nnull.foo"}""");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Error: TypeError: Cannot read properties of null (reading 'foo') (line 2, column 6)", result.StdOut.Trim());
    }
}
