using System.Text.Json.Nodes;

namespace Qwen.Runtime.Tests.Model;

/// <summary>Sliding-window layers see exactly the last <c>sliding_window</c> tokens, in prefill and in cached decode alike.</summary>
public sealed class SlidingWindowTests
{
    private const int Window = 5;

    [Fact]
    public void Forward_TokenJustOutsideTheWindow_DoesNotChangeTheLogits()
    {
        using var dir = OneLayerModel(sliding: true);
        using var model = QwenModel.Load(dir.Path, new QwenModelOptions { Device = "cpu" });
        int[] ids = [10, 20, 30, 40, 50, 60, 70, 80];

        var baseline = model.Forward(ids);
        var outside = model.Forward([.. ids[..2], 99, .. ids[3..]]);
        var inside = model.Forward([.. ids[..3], 99, .. ids[4..]]);

        // Last position 7 sees positions 3..7: position 2 is outside, position 3 inside.
        Assert.Equal(baseline, outside);
        Assert.NotEqual(baseline, inside);
    }

    [Fact]
    public void Forward_WithoutSlidingWindow_EveryTokenMatters()
    {
        using var dir = OneLayerModel(sliding: false);
        using var model = QwenModel.Load(dir.Path, new QwenModelOptions { Device = "cpu" });
        int[] ids = [10, 20, 30, 40, 50, 60, 70, 80];

        Assert.NotEqual(model.Forward(ids), model.Forward([.. ids[..2], 99, .. ids[3..]]));
    }

    [Fact]
    public void DecodeWithCache_SlidingWindow_MatchesFullForwardPass()
    {
        using var dir = OneLayerModel(sliding: true, layers: 2);
        using var model = QwenModel.Load(dir.Path, new QwenModelOptions { Device = "cpu" });
        int[] ids = [.. Enumerable.Range(0, 20).Select(i => (i * 37) % 250)];
        var full = model.ForwardAllPositions(ids);

        using var cache = model.CreateCache(ids.Length);
        model.Forward(ids[..3], cache);
        for (var t = 3; t < ids.Length; t++)
        {
            KvCacheTests.AssertClose(full[t], model.Forward([ids[t]], cache), 1e-4, $"position {t}");
        }
    }

    internal static TempDirectory OneLayerModel(bool sliding, int layers = 1)
    {
        var dir = new TempDirectory();
        TinyModelWriter.Write(dir.Path, new TinyModelOptions { Layers = layers, Seed = 3 });
        if (sliding)
        {
            var path = Path.Combine(dir.Path, "config.json");
            var config = JsonNode.Parse(File.ReadAllText(path))!;
            config["sliding_window"] = Window;
            config["layer_types"] = new JsonArray([.. Enumerable.Range(0, layers).Select(_ => (JsonNode?)JsonValue.Create(ModelConfig.SlidingAttention))]);
            File.WriteAllText(path, config.ToJsonString());
        }

        return dir;
    }
}
