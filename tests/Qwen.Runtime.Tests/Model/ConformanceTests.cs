using Xunit.Abstractions;

namespace Qwen.Runtime.Tests.Model;

/// <summary>The float32 forward pass against what llama.cpp computes for the same weights, on every fixture configuration.</summary>
public sealed class ConformanceTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(Fixtures.GoldenModelNames), MemberType = typeof(Fixtures))]
    public void Forward_FixturePrompt_MatchesLlamaCppLogitsWithin1e4(string name)
    {
        var dir = Fixtures.TinyModel(name);
        var golden = Fixtures.ReadGolden(dir);
        using var model = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu" });

        var logits = model.Forward(golden.PromptIds);

        Assert.Equal(ModelDType.Float32, model.DType);
        Assert.Equal(golden.Logits.Length, logits.Length);
        var maxError = golden.Logits.Zip(logits, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{name}: max |logit - llama.cpp| = {maxError}");
        Assert.True(maxError < 1e-4, $"max |logit - llama.cpp| = {maxError}");
    }

    [Theory]
    [MemberData(nameof(Fixtures.GoldenModelNames), MemberType = typeof(Fixtures))]
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

    [Theory]
    [InlineData("qwen2_tiny")]
    [InlineData("qwen3_bf16_sharded")]
    public void Forward_Bfloat16_StaysCloseToFloat32(string name)
    {
        var dir = Fixtures.TinyModel(name);
        var golden = Fixtures.ReadGolden(dir);
        using var f32 = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", DType = ModelDType.Float32 });
        using var bf16 = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", DType = ModelDType.BFloat16 });

        var expected = f32.Forward(golden.PromptIds);
        var actual = bf16.Forward(golden.PromptIds);

        Assert.Equal(ModelDType.BFloat16, bf16.DType);
        var scale = expected.Max(Math.Abs);
        var maxError = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{name}: bf16 max error {maxError} on logits up to {scale}");
        Assert.True(maxError < 0.05 * scale, $"bf16 logits differ from float32 by {maxError} (largest logit {scale})");
        Assert.Equal(Array.IndexOf(expected, expected.Max()), Array.IndexOf(actual, actual.Max()));
    }
}
