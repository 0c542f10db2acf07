namespace Qwen.Runtime.Tests.Checkpoints;

public sealed class ModelConfigTests
{
    private const string Qwen25Style = """
        {
          "architectures": ["Qwen2ForCausalLM"], "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
          "num_attention_heads": 14, "num_key_value_heads": 2, "max_position_embeddings": 32768, "rms_norm_eps": 1e-06,
          "rope_theta": 1000000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "vocab_size": 151936,
          "rope_scaling": {"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768},
          "use_sliding_window": false, "sliding_window": 32768, "max_window_layers": 21, "eos_token_id": 151645
        }
        """;

    [Fact]
    public void Parse_Qwen25StyleWithYarn_ReadsEveryField()
    {
        var config = ModelConfig.Parse(Qwen25Style);

        Assert.False(config.IsQwen3);
        Assert.Equal(64, config.HeadDim);
        Assert.Equal(2, config.NumKeyValueHeads);
        Assert.True(config.TieWordEmbeddings);
        Assert.True(config.AttentionBias);
        Assert.Equal("bfloat16", config.DType);
        Assert.Equal(new RopeScaling { Type = RopeScalingType.Yarn, Factor = 4, OriginalMaxPositionEmbeddings = 32768 }, config.RopeScaling);
        Assert.Equal(131072, config.ContextLength);
        Assert.Null(config.SlidingWindow);
        Assert.All(config.LayerTypes, t => Assert.Equal(ModelConfig.FullAttention, t));
        Assert.Equal([151645], config.EosTokenIds);
    }

    [Fact]
    public void Parse_NewerSpellings_RopeParametersDtypeAndLayerTypes()
    {
        var config = ModelConfig.Parse("""
            {
              "architectures": ["Qwen3ForCausalLM"], "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
              "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32, "max_position_embeddings": 4096,
              "dtype": "bfloat16", "vocab_size": 300, "attention_bias": false,
              "rope_parameters": {"rope_type": "default", "rope_theta": 5000000.0},
              "layer_types": ["full_attention", "sliding_attention"], "sliding_window": 128
            }
            """);

        Assert.True(config.IsQwen3);
        Assert.Equal(32, config.HeadDim);
        Assert.Equal(5_000_000, config.RopeTheta);
        Assert.Null(config.RopeScaling);
        Assert.Equal("bfloat16", config.DType);
        Assert.Equal(128, config.SlidingWindow);
        Assert.Equal([ModelConfig.FullAttention, ModelConfig.SlidingAttention], config.LayerTypes);
        Assert.False(config.AttentionBias);
    }

    [Fact]
    public void Parse_UseSlidingWindow_AppliesFromMaxWindowLayersOn()
    {
        var config = ModelConfig.Parse(Qwen25Style.Replace("\"use_sliding_window\": false", "\"use_sliding_window\": true", StringComparison.Ordinal));

        Assert.Equal(32768, config.SlidingWindow);
        Assert.Equal(21, config.LayerTypes.TakeWhile(t => t == ModelConfig.FullAttention).Count());
        Assert.Equal(3, config.LayerTypes.Count(t => t == ModelConfig.SlidingAttention));
    }

    [Theory]
    [InlineData("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3", "num_key_value_heads")]
    [InlineData("\"hidden_size\": 896", "\"hidden_size\": \"896\"", "hidden_size")]
    [InlineData("\"hidden_size\": 896,", "", "hidden_size")]
    [InlineData("\"type\": \"yarn\"", "\"type\": \"longrope\"", "longrope")]
    [InlineData("\"factor\": 4.0", "\"factor\": 0.5", "factor")]
    [InlineData("\"torch_dtype\": \"bfloat16\"", "\"torch_dtype\": \"int8\"", "int8")]
    [InlineData("\"rms_norm_eps\": 1e-06", "\"rms_norm_eps\": -1", "rms_norm_eps")]
    [InlineData("\"Qwen2ForCausalLM\"", "\"Qwen3MoeForCausalLM\"", "Qwen3MoeForCausalLM")]
    public void Parse_BadField_ThrowsNamingIt(string find, string replace, string named)
    {
        var json = Qwen25Style.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(Qwen25Style, json);

        var e = Assert.Throws<CheckpointFormatException>(() => ModelConfig.Parse(json, "my/config.json"));

        Assert.Contains(named, e.Message);
        Assert.Contains("my/config.json", e.Message);
    }

    [Fact]
    public void Parse_NotJson_SaysSo()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => ModelConfig.Parse("{ nope", "x/config.json"));

        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void GenerationConfig_EosListAndSampling_AreRead()
    {
        var config = GenerationConfig.Parse("""{"eos_token_id": [151645, 151643], "do_sample": true, "temperature": 0.6, "top_k": 20, "top_p": 0.95, "pad_token_id": 151643}""");

        Assert.Equal([151645, 151643], config.EosTokenIds);
        Assert.True(config.DoSample);
        Assert.Equal(0.6, config.Temperature);
        Assert.Equal(20, config.TopK);
        Assert.Equal(151643, config.PadTokenId);
        Assert.Throws<CheckpointFormatException>(() => GenerationConfig.Parse("""{"eos_token_id": "x"}"""));
    }
}
