namespace Qwen.Tools.Tests.TestSupport;

/// <summary>Paths of the fixture files copied next to the test assembly.</summary>
internal static class Fixtures
{
    public static string Docs(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "docs", name);
}
