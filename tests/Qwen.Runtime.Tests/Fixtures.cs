using System.Text.Json;

namespace Qwen.Runtime.Tests;

/// <summary>Paths to the test fixtures copied next to the test assembly, and their llama.cpp goldens.</summary>
internal static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    /// <summary>Every fixture model that comes with a llama.cpp golden, by folder name.</summary>
    public static readonly string[] GoldenModels =
    [
        "qwen2_tiny", "qwen3_tiny", "qwen2_yarn", "qwen3_yarn", "qwen3_bf16_sharded", "qwen2_tied",
        "qwen3_untied_hd64", "qwen2_mqa", "qwen3_mha", "qwen2_long_prompt",
    ];

    public static TheoryData<string> GoldenModelNames => [.. GoldenModels];

    /// <summary>A fixture model's directory: the shared tiny models, or the oracle-made ones.</summary>
    public static string TinyModel(string name)
    {
        var shared = Path.Combine(Root, "tiny-models", name);
        return Directory.Exists(shared) ? shared : Path.Combine(Root, "oracle-models", name);
    }

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
