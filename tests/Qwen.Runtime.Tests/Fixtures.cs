using System.Text.Json;

namespace Qwen.Runtime.Tests;

/// <summary>Paths to the test fixtures copied next to the test assembly, and their llama.cpp goldens.</summary>
internal static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string TinyModel(string name) => Path.Combine(Root, "tiny-models", name);

    public static Golden ReadGolden(string modelDirectory)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(modelDirectory, "golden_llamacpp.json")));
        var root = doc.RootElement;
        return new Golden(
            [.. root.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32())],
            [.. root.GetProperty("greedy").EnumerateArray().Select(e => e.GetInt32())],
            [.. root.GetProperty("all_logits_first").EnumerateArray().Select(e => e.GetSingle())]);
    }

    /// <summary>Copies a fixture model to a fresh temporary directory, so a test can damage it.</summary>
    public static TempDirectory CopyModel(string name)
    {
        var temp = new TempDirectory();
        foreach (var file in Directory.GetFiles(TinyModel(name)))
        {
            File.Copy(file, Path.Combine(temp.Path, Path.GetFileName(file)));
        }

        return temp;
    }

    public sealed record Golden(int[] PromptIds, int[] Greedy, float[] Logits);
}

/// <summary>A temporary directory deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "qwen-rt-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the OS cleans temp eventually.
        }
    }
}
