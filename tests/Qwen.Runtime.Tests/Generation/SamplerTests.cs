namespace Qwen.Runtime.Tests.Generation;

public sealed class SamplerTests
{
    private static readonly float[] Logits = [1.0f, 3.0f, 2.5f, -1.0f, 0.5f];

    [Fact]
    public void Next_Greedy_PicksTheLargestLogit()
    {
        var sampler = new Sampler(SamplingOptions.Greedy, []);

        Assert.Equal(1, sampler.Next(Logits.ToArray()));
    }

    [Fact]
    public void Next_TopKOne_AlwaysPicksTheLargestLogit()
    {
        var sampler = new Sampler(new SamplingOptions { Temperature = 5, TopK = 1, Seed = 3 }, []);

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(1, sampler.Next(Logits.ToArray()));
        }
    }

    [Fact]
    public void Next_TinyTopP_KeepsOnlyTheMostLikelyToken()
    {
        var sampler = new Sampler(new SamplingOptions { Temperature = 1, TopP = 0.01, Seed = 4 }, []);

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(1, sampler.Next(Logits.ToArray()));
        }
    }

    [Fact]
    public void Next_TopP_NeverDrawsOutsideTheNucleus()
    {
        // Probabilities at T=1: id1 0.54, id2 0.33, id0 0.07, id4 0.04, id3 0.01. top_p 0.75 keeps ids 1 and 2.
        var sampler = new Sampler(new SamplingOptions { Temperature = 1, TopP = 0.75, Seed = 5 }, []);
        var drawn = Enumerable.Range(0, 400).Select(_ => sampler.Next(Logits.ToArray())).ToHashSet();

        Assert.Equal([1, 2], drawn.Order());
    }

    [Fact]
    public void Next_MinP_DropsTokensBelowTheFractionOfTheBest()
    {
        // Relative to id1: id2 0.61, id0 0.14, id4 0.08, id3 0.02. min_p 0.1 keeps 1, 2 and 0.
        var sampler = new Sampler(new SamplingOptions { Temperature = 1, MinP = 0.1, Seed = 6 }, []);
        var drawn = Enumerable.Range(0, 600).Select(_ => sampler.Next(Logits.ToArray())).ToHashSet();

        Assert.Equal([0, 1, 2], drawn.Order());
    }

    [Fact]
    public void Next_Temperature1_DrawsInProportionToProbabilities()
    {
        var logits = new[] { MathF.Log(0.75f), MathF.Log(0.25f) };
        var sampler = new Sampler(new SamplingOptions { Temperature = 1, Seed = 7 }, []);

        var zeros = Enumerable.Range(0, 4000).Count(_ => sampler.Next(logits.ToArray()) == 0);

        Assert.InRange(zeros / 4000.0, 0.72, 0.78);
    }

    [Fact]
    public void Next_SameSeed_GivesTheSameSequence()
    {
        var options = new SamplingOptions { Temperature = 1.3, TopK = 4, Seed = 42 };
        var a = new Sampler(options, []);
        var b = new Sampler(options, []);

        var first = Enumerable.Range(0, 30).Select(_ => a.Next(Logits.ToArray())).ToArray();
        var second = Enumerable.Range(0, 30).Select(_ => b.Next(Logits.ToArray())).ToArray();

        Assert.Equal(first, second);
        Assert.True(first.Distinct().Count() > 1);
    }

    [Fact]
    public void Next_RepetitionPenaltyOnPromptToken_MovesGreedyToTheNextBest()
    {
        // id1 (3.0) seen in the prompt: 3.0 / 1.5 = 2.0 < 2.5, so id2 wins.
        var sampler = new Sampler(SamplingOptions.Greedy with { RepetitionPenalty = 1.5 }, [1]);

        Assert.Equal(2, sampler.Next(Logits.ToArray()));
    }

    [Fact]
    public void Next_RepetitionPenaltyOnNegativeLogit_MultipliesIt()
    {
        var logits = new[] { -1.0f, -1.2f };
        var sampler = new Sampler(SamplingOptions.Greedy with { RepetitionPenalty = 2 }, [0]);

        // -1.0 * 2 = -2.0 < -1.2.
        Assert.Equal(1, sampler.Next(logits));
    }

    [Fact]
    public void Next_FrequencyPenalty_GrowsWithEachRepeat()
    {
        // id1 leads id2 by 0.5; each generation of id1 costs 0.3, so it wins twice then loses.
        var sampler = new Sampler(SamplingOptions.Greedy with { FrequencyPenalty = 0.3 }, []);

        var ids = Enumerable.Range(0, 3).Select(_ => sampler.Next(Logits.ToArray())).ToArray();

        Assert.Equal([1, 1, 2], ids);
    }

    [Fact]
    public void Next_PresencePenalty_AppliesOnceAGeneratedToken()
    {
        var sampler = new Sampler(SamplingOptions.Greedy with { PresencePenalty = 0.6 }, []);

        var ids = Enumerable.Range(0, 3).Select(_ => sampler.Next(Logits.ToArray())).ToArray();

        // After id1 is generated it is 2.4 < 2.5; after id2 too, id2 is 1.9 < 2.4.
        Assert.Equal([1, 2, 1], ids);
    }

    [Theory]
    [InlineData(-0.1, 0, 1.0, 0.0, 1.0)]
    [InlineData(1.0, -1, 1.0, 0.0, 1.0)]
    [InlineData(1.0, 0, 0.0, 0.0, 1.0)]
    [InlineData(1.0, 0, 1.5, 0.0, 1.0)]
    [InlineData(1.0, 0, 1.0, 1.5, 1.0)]
    [InlineData(1.0, 0, 1.0, 0.0, 0.0)]
    public void Validate_OutOfRange_ThrowsNamingTheField(double temperature, int topK, double topP, double minP, double repetition)
    {
        var options = new SamplingOptions { Temperature = temperature, TopK = topK, TopP = topP, MinP = minP, RepetitionPenalty = repetition };

        var e = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Contains("SamplingOptions.", e.Message);
    }

    [Fact]
    public void FromGenerationConfig_DoSample_TakesTheCheckpointsSettings()
    {
        var config = GenerationConfig.Parse("""{"do_sample": true, "temperature": 0.7, "top_p": 0.8, "top_k": 20, "repetition_penalty": 1.05}""");

        var options = SamplingOptions.FromGenerationConfig(config);

        Assert.Equal(new SamplingOptions { Temperature = 0.7, TopP = 0.8, TopK = 20, RepetitionPenalty = 1.05 }, options);
        Assert.True(SamplingOptions.FromGenerationConfig(GenerationConfig.Parse("{}")).IsGreedy);
    }
}
