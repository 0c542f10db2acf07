using System.Buffers.Binary;
using System.Text;

namespace Qwen.Runtime.Tests.Checkpoints;

/// <summary>Broken checkpoints give a <see cref="CheckpointFormatException"/> naming the file, the tensor and what was expected.</summary>
public sealed class CheckpointErrorTests
{
    [Fact]
    public void Load_NoConfigJson_NamesTheFile()
    {
        using var dir = new TempDirectory();

        var e = Assert.Throws<CheckpointFormatException>(() => QwenModel.Load(dir.Path));

        Assert.Contains("config.json", e.Message);
    }

    [Fact]
    public void Load_NotADirectory_Throws()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => QwenModel.Load("/no/such/model/dir"));

        Assert.Contains("/no/such/model/dir", e.Message);
    }

    [Fact]
    public void Load_UnknownArchitecture_NamesIt()
    {
        using var dir = WriteTiny();
        Rewrite(Path.Combine(dir.Path, "config.json"), s => s.Replace("Qwen2ForCausalLM", "LlamaForCausalLM", StringComparison.Ordinal));

        var e = Assert.Throws<CheckpointFormatException>(() => QwenModel.Load(dir.Path));

        Assert.Contains("LlamaForCausalLM", e.Message);
        Assert.Contains("Qwen2ForCausalLM", e.Message);
    }

    [Fact]
    public void Load_MissingTensor_NamesIt()
    {
        using var dir = WriteTiny();
        EditWeights(dir.Path, specs => specs.Where(s => s.Name != "model.layers.1.mlp.up_proj.weight").ToList());

        var e = Assert.Throws<CheckpointFormatException>(() => QwenModel.Load(dir.Path));

        Assert.Contains("model.layers.1.mlp.up_proj.weight", e.Message);
        Assert.Contains("missing", e.Message);
    }

    [Fact]
    public void Load_ExtraTensor_NamesIt()
    {
        using var dir = WriteTiny();
        EditWeights(dir.Path, specs => [.. specs, new SafeTensorsWriter.TensorSpec("model.layers.0.mlp.extra.weight", "F32", [4])]);

        var e = Assert.Throws<CheckpointFormatException>(() => QwenModel.Load(dir.Path));

        Assert.Contains("model.layers.0.mlp.extra.weight", e.Message);
        Assert.Contains("model.safetensors", e.Message);
    }

    [Fact]
    public void Load_MisShapedTensor_NamesItAndBothShapes()
    {
        using var dir = WriteTiny();
        EditWeights(dir.Path, specs => [.. specs.Select(s => s.Name == "model.layers.0.self_attn.k_proj.weight" ? s with { Shape = [31, 64] } : s)]);

        var e = Assert.Throws<CheckpointFormatException>(() => QwenModel.Load(dir.Path));

        Assert.Contains("model.layers.0.self_attn.k_proj.weight", e.Message);
        Assert.Contains("[31, 64]", e.Message);
        Assert.Contains("[32, 64]", e.Message);
    }

    [Fact]
    public void Load_UnsupportedDtype_NamesTensorAndDtype()
    {
        using var dir = WriteTiny();
        EditWeights(dir.Path, specs => [.. specs.Select(s => s.Name == "model.norm.weight" ? s with { DType = "I32" } : s)]);

        var e = Assert.Throws<CheckpointFormatException>(() => QwenModel.Load(dir.Path));

        Assert.Contains("model.norm.weight", e.Message);
        Assert.Contains("I32", e.Message);
    }

    [Fact]
    public void Load_TruncatedFile_SaysTheDataRunsPastTheEnd()
    {
        using var dir = WriteTiny();
        var file = Path.Combine(dir.Path, "model.safetensors");
        using (var stream = new FileStream(file, FileMode.Open))
        {
            stream.SetLength(stream.Length - 100);
        }

        var e = Assert.Throws<CheckpointFormatException>(() => QwenModel.Load(dir.Path));

        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("lm_head.weight", e.Message);
    }

    [Fact]
    public void Load_HeaderLengthPastTheFile_IsRejectedBeforeReadingData()
    {
        using var dir = WriteTiny();
        var file = Path.Combine(dir.Path, "model.safetensors");
        var bytes = File.ReadAllBytes(file);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)bytes.Length);
        File.WriteAllBytes(file, bytes);

        var e = Assert.Throws<CheckpointFormatException>(() => QwenModel.Load(dir.Path));

        Assert.Contains("header", e.Message);
        Assert.Contains("model.safetensors", e.Message);
    }

    [Fact]
    public void Load_HeaderNotJson_SaysSo()
    {
        using var dir = WriteTiny();
        var file = Path.Combine(dir.Path, "model.safetensors");
        var bytes = File.ReadAllBytes(file);
        Encoding.ASCII.GetBytes("{{{{{{").CopyTo(bytes, 8);
        File.WriteAllBytes(file, bytes);

        var e = Assert.Throws<CheckpointFormatException>(() => QwenModel.Load(dir.Path));

        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void Load_DataOffsetsDisagreeWithShape_NamesTheTensor()
    {
        using var dir = WriteTiny();
        var file = Path.Combine(dir.Path, "model.safetensors");
        var bytes = File.ReadAllBytes(file);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = Encoding.UTF8.GetString(bytes, 8, headerLength);

        // Shrink the norm's declared shape without moving its offsets: 64 elements cannot span 256 bytes... as 32.
        var edited = header.Replace("\"model.norm.weight\":{\"dtype\":\"F32\",\"shape\":[64]", "\"model.norm.weight\":{\"dtype\":\"F32\",\"shape\":[32]", StringComparison.Ordinal);
        Assert.NotEqual(header, edited);
        Encoding.UTF8.GetBytes(edited).CopyTo(bytes, 8);
        File.WriteAllBytes(file, bytes);

        var e = Assert.Throws<CheckpointFormatException>(() => QwenModel.Load(dir.Path));

        Assert.Contains("model.norm.weight", e.Message);
        Assert.Contains("data_offsets", e.Message);
    }

    [Fact]
    public void Load_IndexNamesMissingShard_NamesIt()
    {
        using var dir = WriteTiny(shards: 2);
        File.Delete(Path.Combine(dir.Path, "model-00002-of-00002.safetensors"));

        var e = Assert.Throws<CheckpointFormatException>(() => QwenModel.Load(dir.Path));

        Assert.Contains("model-00002-of-00002.safetensors", e.Message);
    }

    [Fact]
    public void Load_IndexPointsTensorToWrongShard_NamesBoth()
    {
        using var dir = WriteTiny(shards: 2);
        var index = Path.Combine(dir.Path, "model.safetensors.index.json");
        Rewrite(index, s => s.Replace("\"model.norm.weight\": \"model-00002-of-00002.safetensors\"", "\"model.norm.weight\": \"model-00001-of-00002.safetensors\"", StringComparison.Ordinal));

        var e = Assert.Throws<CheckpointFormatException>(() => QwenModel.Load(dir.Path));

        Assert.Contains("model.norm.weight", e.Message);
    }

    [Fact]
    public void Load_NoWeightFiles_SaysWhatIsExpected()
    {
        using var dir = WriteTiny();
        File.Delete(Path.Combine(dir.Path, "model.safetensors"));

        var e = Assert.Throws<CheckpointFormatException>(() => QwenModel.Load(dir.Path));

        Assert.Contains("model.safetensors", e.Message);
    }

    [Fact]
    public void Load_TiedCheckpointThatStillCarriesLmHead_LoadsAndIgnoresIt()
    {
        using var dir = WriteTiny(tie: true);
        EditWeights(dir.Path, specs => [.. specs, new SafeTensorsWriter.TensorSpec("lm_head.weight", "F32", [259, 64])]);

        using var model = QwenModel.Load(dir.Path, new QwenModelOptions { Device = "cpu" });

        Assert.Equal(259, model.Forward([1, 2]).Length);
    }

    [Fact]
    public void Load_UnknownDevice_ThrowsArgumentException()
    {
        using var dir = WriteTiny();

        Assert.Throws<ArgumentException>(() => QwenModel.Load(dir.Path, new QwenModelOptions { Device = "tpu" }));
        Assert.Throws<ArgumentException>(() => QwenModel.Load(dir.Path, new QwenModelOptions { Threads = 0 }));
    }

    private static TempDirectory WriteTiny(int shards = 1, bool tie = false)
    {
        var dir = new TempDirectory();
        TinyModelWriter.Write(dir.Path, new TinyModelOptions { Shards = shards, Tie = tie });
        return dir;
    }

    private static void Rewrite(string path, Func<string, string> edit)
    {
        var before = File.ReadAllText(path);
        var after = edit(before);
        Assert.NotEqual(before, after);
        File.WriteAllText(path, after);
    }

    /// <summary>Rewrites model.safetensors with an edited list of tensors (zero data).</summary>
    private static void EditWeights(string dir, Func<List<SafeTensorsWriter.TensorSpec>, List<SafeTensorsWriter.TensorSpec>> edit)
    {
        var path = Path.Combine(dir, "model.safetensors");
        List<SafeTensorsWriter.TensorSpec> specs;
        using (var file = SafeTensorsFile.Open(path))
        {
            specs = [.. file.Tensors.Values.OrderBy(t => t.Offset).Select(t => new SafeTensorsWriter.TensorSpec(t.Name, t.DType, t.Shape))];
        }

        var edited = edit(specs);
        SafeTensorsWriter.Write(path, edited, (spec, stream) => stream.Write(new byte[spec.ByteLength]));
    }
}
