using Xunit.Abstractions;

namespace Qwen.Runtime.Tests.Model;

/// <summary>The float32 forward pass against what llama.cpp computes for the same weights.</summary>
public sealed class ConformanceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("qwen2_tiny")]
    [InlineData("qwen3_tiny")]
    public void Forward_FixturePrompt_MatchesLlamaCppLogitsWithin1e4(string name)
    {
        var dir = Fixtures.TinyModel(name);
        var golden = Fixtures.ReadGolden(dir);
        using var model = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu" });

        var logits = model.Forward(golden.PromptIds);

        Assert.Equal(golden.Logits.Length, logits.Length);
        var maxError = golden.Logits.Zip(logits, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{name}: max |logit - llama.cpp| = {maxError}");
        Assert.True(maxError < 1e-4, $"max |logit - llama.cpp| = {maxError}");
    }

    [Theory]
    [InlineData("qwen2_tiny")]
    [InlineData("qwen3_tiny")]
    public void ForwardWithCache_GreedyFromFixturePrompt_MatchesLlamaCppIds(string name)
    {
        var dir = Fixtures.TinyModel(name);
        var golden = Fixtures.ReadGolden(dir);
        using var model = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu" });
        using var cache = model.CreateCache(golden.PromptIds.Length + golden.Greedy.Length);

        var ids = new List<int>();
        var logits = model.Forward(golden.PromptIds, cache);
        for (var i = 0; i < golden.Greedy.Length; i++)
        {
            var next = Array.IndexOf(logits, logits.Max());
            ids.Add(next);
            logits = model.Forward([next], cache);
        }

        Assert.Equal(golden.Greedy, ids);
    }
}
