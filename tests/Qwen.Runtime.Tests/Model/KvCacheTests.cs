namespace Qwen.Runtime.Tests.Model;

/// <summary>Decoding with the KV cache gives what a full forward pass over the same tokens gives.</summary>
public sealed class KvCacheTests
{
    [Theory]
    [InlineData("qwen2_tiny")]
    [InlineData("qwen3_tiny")]
    [InlineData("qwen2_yarn")]
    [InlineData("qwen3_mha")]
    public void DecodeTokenByToken_EveryStep_MatchesFullForwardPass(string name)
    {
        using var model = QwenModel.Load(Fixtures.TinyModel(name), new QwenModelOptions { Device = "cpu" });
        var ids = Fixtures.ReadGolden(Fixtures.TinyModel(name)).PromptIds.Take(40).ToArray();
        var full = model.ForwardAllPositions(ids);

        using var cache = model.CreateCache(ids.Length);
        for (var t = 0; t < ids.Length; t++)
        {
            var step = model.Forward([ids[t]], cache);
            AssertClose(full[t], step, 1e-4, $"position {t}");
        }

        Assert.Equal(ids.Length, cache.Length);
    }

    [Fact]
    public void PrefillInChunks_AfterEachChunk_MatchesFullForwardPass()
    {
        using var model = QwenModel.Load(Fixtures.TinyModel("qwen2_tiny"), new QwenModelOptions { Device = "cpu" });
        var ids = Fixtures.ReadGolden(Fixtures.TinyModel("qwen2_tiny")).PromptIds;
        var full = model.ForwardAllPositions(ids);

        using var cache = model.CreateCache(ids.Length);
        var chunkEnds = new[] { 5, 6, 17, ids.Length };
        var start = 0;
        foreach (var end in chunkEnds)
        {
            var logits = model.Forward(ids[start..end], cache);
            AssertClose(full[end - 1], logits, 1e-4, $"after chunk ending at {end}");
            start = end;
        }
    }

    /// <summary>A prompt longer than <see cref="DecoderLayer.MlpTokenSlice"/> runs its MLP in token slices; pieces of at most that many tokens do not.</summary>
    [Theory]
    [InlineData("qwen2_tiny")]
    [InlineData("qwen3_tiny")]
    public void LongPrompt_MlpInTokenSlices_MatchesPiecesThatFitOneSlice(string name)
    {
        using var model = QwenModel.Load(Fixtures.TinyModel(name), new QwenModelOptions { Device = "cpu" });
        var random = new Random(3);
        var ids = Enumerable.Range(0, (2 * DecoderLayer.MlpTokenSlice) + 77).Select(_ => random.Next(model.Config.VocabSize)).ToArray();

        var whole = model.Forward(ids);

        using var cache = model.CreateCache(ids.Length);
        float[] pieces = [];
        for (var start = 0; start < ids.Length; start += DecoderLayer.MlpTokenSlice - 1)
        {
            pieces = model.Forward(ids[start..Math.Min(ids.Length, start + DecoderLayer.MlpTokenSlice - 1)], cache);
        }

        AssertClose(pieces, whole, 1e-4, $"{name}, {ids.Length} tokens");
    }

    [Fact]
    public void Reset_ThenSameTokens_GivesSameLogitsAgain()
    {
        using var model = QwenModel.Load(Fixtures.TinyModel("qwen3_tiny"), new QwenModelOptions { Device = "cpu" });
        using var cache = model.CreateCache(8);
        var first = model.Forward([1, 2, 3], cache);
        model.Forward([4, 5], cache);

        cache.Reset();
        var again = model.Forward([1, 2, 3], cache);

        Assert.Equal(3, cache.Length);
        Assert.Equal(first, again);
    }

    [Fact]
    public void Forward_MoreTokensThanTheCacheHolds_ThrowsArgumentException()
    {
        using var model = QwenModel.Load(Fixtures.TinyModel("qwen2_tiny"), new QwenModelOptions { Device = "cpu" });
        using var cache = model.CreateCache(4);
        model.Forward([1, 2, 3], cache);

        var e = Assert.Throws<ArgumentException>(() => model.Forward([4, 5], cache));
        Assert.Contains("3 of 4", e.Message);
    }

    [Fact]
    public void Forward_CacheOfAnotherModel_ThrowsArgumentException()
    {
        using var a = QwenModel.Load(Fixtures.TinyModel("qwen2_tiny"), new QwenModelOptions { Device = "cpu" });
        using var b = QwenModel.Load(Fixtures.TinyModel("qwen2_tiny"), new QwenModelOptions { Device = "cpu" });
        using var cache = a.CreateCache(4);

        Assert.Throws<ArgumentException>(() => b.Forward([1], cache));
    }

    [Fact]
    public void CreateCache_BeyondContextLength_ThrowsArgumentOutOfRange()
    {
        using var model = QwenModel.Load(Fixtures.TinyModel("qwen2_tiny"), new QwenModelOptions { Device = "cpu" });

        Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateCache(model.Config.ContextLength + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.CreateCache(0));
    }

    internal static void AssertClose(float[] expected, float[] actual, double tolerance, string where)
    {
        Assert.Equal(expected.Length, actual.Length);
        var maxError = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxError < tolerance, $"{where}: max difference {maxError}");
    }
}
