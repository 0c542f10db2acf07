using System.Text.Json;

namespace Qwen.Tools.Tests;

/// <summary>The test MCP server (tests/Qwen.Tools.Tests.McpServer), run with <c>dotnet</c> from its own build output.</summary>
internal static class TestMcpServer
{
    public static string DllPath { get; } = Find();

    /// <summary>The <c>mcpServers</c> JSON that starts the server under <paramref name="name"/>, with extra environment variables.</summary>
    public static string Json(string name = "test", IReadOnlyDictionary<string, string>? environment = null) => JsonSerializer.Serialize(new
    {
        mcpServers = new Dictionary<string, object>
        {
            [name] = new { command = Dotnet(), args = new[] { DllPath }, env = environment ?? new Dictionary<string, string>() },
        },
    });

    public static Task<McpToolHost> StartAsync(string name = "test", IReadOnlyDictionary<string, string>? environment = null) =>
        McpToolHost.StartAsync(McpServersConfiguration.Parse(Json(name, environment)));

    /// <summary>Starts the server in streamable HTTP mode and returns its process and endpoint.</summary>
    /// <param name="lostSessionStatus">The HTTP status the server answers for a session it no longer knows.</param>
    public static async Task<(System.Diagnostics.Process Process, string Url)> StartHttpAsync(int lostSessionStatus = 404)
    {
        var start = new System.Diagnostics.ProcessStartInfo(Dotnet()) { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(DllPath);
        start.ArgumentList.Add("--http");
        start.ArgumentList.Add(lostSessionStatus.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var process = System.Diagnostics.Process.Start(start)!;
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        const string Prefix = "listening on ";
        return line is not null && line.StartsWith(Prefix, StringComparison.Ordinal)
            ? (process, line[Prefix.Length..])
            : throw new InvalidOperationException($"The test MCP server did not start in HTTP mode: '{line}'");
    }

    private static string Dotnet() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private static string Find()
    {
        // Tests run from tests/Qwen.Tools.Tests/bin/<configuration>/<framework>/; the server builds to the same place in its project.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var tests = output.Parent.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(tests, "Qwen.Tools.Tests.McpServer", "bin", configuration, framework, "Qwen.Tools.Tests.McpServer.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The test MCP server was not built: {dll}", dll);
    }
}
