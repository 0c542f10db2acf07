using Qwen.Core;

namespace Qwen.Runtime.Tests.TinyModels;

public sealed class TinyModelWriterTests
{
    [Fact]
    public void Write_Defaults_LoadsAndDecodesBytes()
    {
        using var dir = new TempDirectory();

        var config = TinyModelWriter.Write(dir.Path);
        using var model = QwenModel.Load(dir.Path, new QwenModelOptions { Device = "cpu" });
        var vocabulary = QwenTokenVocabulary.FromDirectory(dir.Path);

        Assert.Equal("Qwen2ForCausalLM", config.Architecture);
        Assert.Equal(259, config.VocabSize);
        Assert.Equal(259, model.Forward([72, 105]).Length);
        Assert.Equal([258, 256], model.EosTokenIds);
        Assert.Equal("Hé<|im_end|>", vocabulary.Decode([72, 0xC3, 0xA9, 258]));
        Assert.True(File.Exists(Path.Combine(dir.Path, "tokenizer_config.json")));
    }

    [Fact]
    public void Write_SameSeed_SameBytes_OtherSeed_OtherWeights()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        using var c = new TempDirectory();

        TinyModelWriter.Write(a.Path, new TinyModelOptions { Seed = 5 });
        TinyModelWriter.Write(b.Path, new TinyModelOptions { Seed = 5 });
        TinyModelWriter.Write(c.Path, new TinyModelOptions { Seed = 6 });

        var weights = (TempDirectory d) => File.ReadAllBytes(Path.Combine(d.Path, "model.safetensors"));
        Assert.Equal(weights(a), weights(b));
        Assert.NotEqual(weights(a), weights(c));
    }

    [Fact]
    public void Write_Qwen3Bf16ShardedWithTokenizer_LoadsWithTheTokenizersSize()
    {
        using var dir = new TempDirectory();
        var options = new TinyModelOptions
        {
            Architecture = "qwen3", HeadDim = 32, Shards = 3, DType = ModelDType.BFloat16, Tie = true, Vocab = 2100,
            TokenizerDirectory = Fixtures.TinyModel("qwen3_tiny"),
        };

        var config = TinyModelWriter.Write(dir.Path, options);
        using var model = QwenModel.Load(dir.Path, new QwenModelOptions { Device = "cpu" });

        Assert.True(config.IsQwen3);
        Assert.Equal(32, config.HeadDim);
        Assert.Equal("bfloat16", config.DType);
        Assert.True(File.Exists(Path.Combine(dir.Path, "model.safetensors.index.json")));
        Assert.Equal(3, Directory.GetFiles(dir.Path, "model-*-of-00003.safetensors").Length);
        Assert.Equal(2100, model.Forward([1, 2, 3]).Length);
        Assert.Equal([2050, 2048], model.EosTokenIds);
    }

    [Theory]
    [InlineData("qwen4", 2, 64, 4, 2, null, "Architecture")]
    [InlineData("qwen2", 0, 64, 4, 2, null, "Layers")]
    [InlineData("qwen2", 2, 64, 4, 3, null, "KvHeads")]
    [InlineData("qwen2", 2, 60, 8, 2, null, "Hidden")]
    [InlineData("qwen3", 2, 64, 4, 2, 33, "HeadDim")]
    public void Write_InvalidOptions_ThrowsNamingTheOption(string arch, int layers, int hidden, int heads, int kvHeads, int? headDim, string named)
    {
        using var dir = new TempDirectory();
        var options = new TinyModelOptions { Architecture = arch, Layers = layers, Hidden = hidden, Heads = heads, KvHeads = kvHeads, HeadDim = headDim };

        var e = Assert.Throws<ArgumentException>(() => TinyModelWriter.Write(dir.Path, options));

        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void Write_VocabSmallerThanTokenizer_Throws()
    {
        using var dir = new TempDirectory();

        var e = Assert.Throws<ArgumentException>(() => TinyModelWriter.Write(dir.Path, new TinyModelOptions { Vocab = 100 }));

        Assert.Contains("Vocab", e.Message);
    }

    [Fact]
    public void Write_TokenizerDirectoryWithoutTokenizerJson_ThrowsNamingTheOption()
    {
        using var source = new TempDirectory();
        using var dir = new TempDirectory();

        var e = Assert.Throws<TokenizerFormatException>(() => TinyModelWriter.Write(dir.Path, new TinyModelOptions { TokenizerDirectory = source.Path }));

        Assert.Contains("TinyModelOptions.TokenizerDirectory", e.Message);
        Assert.Equal(Path.Combine(source.Path, "tokenizer.json"), e.FilePath);
    }

    [Fact]
    public void Write_TokenizerThatCannotEncode_TakesItsSizeAndSpecialIdsFromTheVocabulary()
    {
        using var source = new TempDirectory();
        using var dir = new TempDirectory();
        TinyModelWriter.Write(source.Path);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(source.Path, "tokenizer.json")))!;
        json["pre_tokenizer"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "Whitespace" };
        File.WriteAllText(Path.Combine(source.Path, "tokenizer.json"), json.ToJsonString());
        Assert.Throws<TokenizerFormatException>(() => QwenTokenizer.FromDirectory(source.Path));

        var config = TinyModelWriter.Write(dir.Path, new TinyModelOptions { TokenizerDirectory = source.Path });

        Assert.Equal(259, config.VocabSize);
        Assert.Equal([258], config.EosTokenIds);
    }
}
