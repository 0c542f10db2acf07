namespace Qwen.Runtime.Tests.Model;

/// <summary>RoPE scaling parameters against the formulas transformers documents (YaRN is also checked end to end against llama.cpp).</summary>
public sealed class RotaryEmbeddingTests
{
    private static ModelConfig Config(string ropeScaling, int maxPositions = 4096) => ModelConfig.Parse($$"""
        {
          "architectures": ["Qwen2ForCausalLM"], "hidden_size": 256, "intermediate_size": 64, "num_hidden_layers": 1,
          "num_attention_heads": 2, "num_key_value_heads": 1, "max_position_embeddings": {{maxPositions}}, "vocab_size": 10,
          "rope_theta": 10000.0, "rope_scaling": {{ropeScaling}}
        }
        """);

    [Fact]
    public void ComputeParameters_Default_IsThetaToTheMinusTwoIOverD()
    {
        var (inv, scale) = RotaryEmbedding.ComputeParameters(Config("null"), null);

        Assert.Equal(64, inv.Length);
        Assert.Equal(1.0, inv[0]);
        Assert.Equal(Math.Pow(10000, -2.0 * 10 / 128), inv[10], 12);
        Assert.Equal(1.0, scale);
    }

    [Fact]
    public void ComputeParameters_Linear_DividesByFactor()
    {
        var (plain, _) = RotaryEmbedding.ComputeParameters(Config("null"), null);
        var (inv, _) = RotaryEmbedding.ComputeParameters(Config("""{"type": "linear", "factor": 4}"""), null);

        Assert.Equal(plain.Select(f => f / 4), inv);
    }

    [Fact]
    public void ComputeParameters_Dynamic_UnchangedWithinContextThenGrowsTheBase()
    {
        var config = Config("""{"type": "dynamic", "factor": 2}""", maxPositions: 1000);
        var (plain, _) = RotaryEmbedding.ComputeParameters(Config("null", maxPositions: 1000), null);

        var (within, _) = RotaryEmbedding.ComputeParameters(config, 800);
        var (beyond, _) = RotaryEmbedding.ComputeParameters(config, 3000);

        Assert.Equal(plain, within);
        var expectedBase = 10000 * Math.Pow((2.0 * 3000 / 1000) - 1, 128.0 / 126);
        Assert.Equal(Math.Pow(expectedBase, -2.0 * 5 / 128), beyond[5], 12);
    }

    [Fact]
    public void ComputeParameters_Yarn_KeepsFastDimsInterpolatesSlowOnesAndScales()
    {
        var (plain, _) = RotaryEmbedding.ComputeParameters(Config("null"), null);
        var (inv, scale) = RotaryEmbedding.ComputeParameters(Config("""{"type": "yarn", "factor": 4, "original_max_position_embeddings": 1024}"""), null);

        // Fast dims (more than beta_fast rotations over the original context) keep their frequency; slow ones are divided.
        Assert.Equal(plain[0], inv[0]);
        Assert.Equal(plain[63] / 4, inv[63], 15);
        Assert.InRange(inv[40], plain[40] / 4, plain[40]);
        Assert.Equal((0.1 * Math.Log(4)) + 1, scale, 12);
    }

    [Fact]
    public void ComputeParameters_YarnExplicitAttentionFactor_IsUsed()
    {
        var (_, scale) = RotaryEmbedding.ComputeParameters(Config("""{"rope_type": "yarn", "factor": 4, "attention_factor": 0.8}"""), null);

        Assert.Equal(0.8, scale);
    }
}
