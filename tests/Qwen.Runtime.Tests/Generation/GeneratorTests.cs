using Qwen.Core;

namespace Qwen.Runtime.Tests.Generation;

public sealed class GeneratorTests
{
    private static readonly string Qwen2Tiny = Fixtures.TinyModel("qwen2_tiny");

    [Fact]
    public async Task GenerateAsync_Greedy_GivesLlamaCppIdsAndEndsWithLength()
    {
        var golden = Fixtures.ReadGolden(Qwen2Tiny);
        using var model = QwenModel.Load(Qwen2Tiny, new QwenModelOptions { Device = "cpu" });

        var updates = await Collect(model.GenerateAsync(golden.PromptIds, new GenerationOptions { MaxNewTokens = 16, Sampling = SamplingOptions.Greedy }));

        Assert.Equal(golden.Greedy, updates.Select(u => u.TokenId));
        Assert.All(updates[..^1], u => Assert.Null(u.FinishReason));
        Assert.Equal(GenerationFinishReason.Length, updates[^1].FinishReason);
    }

    [Fact]
    public async Task GenerateAsync_WithDecoder_TextIsTheDecodedIds()
    {
        var golden = Fixtures.ReadGolden(Qwen2Tiny);
        using var model = QwenModel.Load(Qwen2Tiny, new QwenModelOptions { Device = "cpu" });
        var decoder = QwenTokenVocabulary.FromFiles(Path.Combine(Qwen2Tiny, "tokenizer.json"));

        var updates = await Collect(model.GenerateAsync(golden.PromptIds, new GenerationOptions { MaxNewTokens = 16, Sampling = SamplingOptions.Greedy, Decoder = decoder.AsTokenDecoder() }));

        Assert.Equal(decoder.Decode(golden.Greedy), string.Concat(updates.Select(u => u.Text)));
    }

    [Fact]
    public async Task GenerateAsync_StopTokenId_EndsOnItWithStop()
    {
        var golden = Fixtures.ReadGolden(Qwen2Tiny);
        using var model = QwenModel.Load(Qwen2Tiny, new QwenModelOptions { Device = "cpu" });
        var options = new GenerationOptions { MaxNewTokens = 16, Sampling = SamplingOptions.Greedy, StopTokenIds = [golden.Greedy[3]] };

        var updates = await Collect(model.GenerateAsync(golden.PromptIds, options));

        Assert.Equal(golden.Greedy[..4], updates.Select(u => u.TokenId));
        Assert.Equal(GenerationFinishReason.Stop, updates[^1].FinishReason);
    }

    [Fact]
    public async Task GenerateAsync_EosFromGenerationConfig_Stops()
    {
        // qwen2_tiny's generation_config.json lists 2050 and 2048 as EOS; a prompt token of the model's own greedy
        // continuation is made an EOS by copying the model with an edited generation_config.json.
        var golden = Fixtures.ReadGolden(Qwen2Tiny);
        using var copy = Fixtures.CopyModel("qwen2_tiny");
        File.WriteAllText(Path.Combine(copy.Path, "generation_config.json"), $$"""{"eos_token_id": [{{golden.Greedy[1]}}]}""");
        using var model = QwenModel.Load(copy.Path, new QwenModelOptions { Device = "cpu" });

        var stopped = await Collect(model.GenerateAsync(golden.PromptIds, new GenerationOptions { MaxNewTokens = 16, Sampling = SamplingOptions.Greedy }));
        var ignored = await Collect(model.GenerateAsync(golden.PromptIds, new GenerationOptions { MaxNewTokens = 16, Sampling = SamplingOptions.Greedy, IgnoreEos = true }));

        Assert.Equal(golden.Greedy[..2], stopped.Select(u => u.TokenId));
        Assert.Equal(GenerationFinishReason.Stop, stopped[^1].FinishReason);
        Assert.Equal(16, ignored.Count);
    }

    [Fact]
    public async Task GenerateAsync_StopStringAcrossTokens_StopsBeforeIt()
    {
        var golden = Fixtures.ReadGolden(Qwen2Tiny);
        using var model = QwenModel.Load(Qwen2Tiny, new QwenModelOptions { Device = "cpu" });
        var decoder = QwenTokenVocabulary.FromFiles(Path.Combine(Qwen2Tiny, "tokenizer.json"));

        // The stop string is the last character of token 0's text and the first of token 1's (" can" + "();").
        var first = decoder.Decode(golden.Greedy[..1]);
        var both = decoder.Decode(golden.Greedy[..2]);
        var stop = first[^1..] + both[first.Length..][..1];
        var expectedText = first[..^1];

        var updates = await Collect(model.GenerateAsync(golden.PromptIds, new GenerationOptions
        {
            MaxNewTokens = 16, Sampling = SamplingOptions.Greedy, Decoder = decoder.AsTokenDecoder(), StopStrings = [stop],
        }));

        Assert.Equal(golden.Greedy[..2], updates.Select(u => u.TokenId));
        Assert.Equal(GenerationFinishReason.Stop, updates[^1].FinishReason);
        Assert.Equal(expectedText, string.Concat(updates.Select(u => u.Text)));
    }

    [Fact]
    public async Task GenerateAsync_SameSeed_SameTokens_OtherSeed_OtherTokens()
    {
        var golden = Fixtures.ReadGolden(Qwen2Tiny);
        using var model = QwenModel.Load(Qwen2Tiny, new QwenModelOptions { Device = "cpu" });
        GenerationOptions Options(int seed) => new() { MaxNewTokens = 24, IgnoreEos = true, Sampling = new SamplingOptions { Temperature = 1.5, TopP = 0.95, Seed = seed } };

        var a = (await Collect(model.GenerateAsync(golden.PromptIds, Options(1)))).Select(u => u.TokenId).ToArray();
        var b = (await Collect(model.GenerateAsync(golden.PromptIds, Options(1)))).Select(u => u.TokenId).ToArray();
        var c = (await Collect(model.GenerateAsync(golden.PromptIds, Options(2)))).Select(u => u.TokenId).ToArray();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public async Task GenerateAsync_CancelledMidStream_ThrowsOperationCanceled()
    {
        using var model = QwenModel.Load(Qwen2Tiny, new QwenModelOptions { Device = "cpu" });
        using var cts = new CancellationTokenSource();
        var seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in model.GenerateAsync([1, 2, 3], new GenerationOptions { MaxNewTokens = 100, IgnoreEos = true }, cts.Token))
            {
                if (++seen == 3)
                {
                    await cts.CancelAsync();
                }
            }
        });
        Assert.Equal(3, seen);
    }

    [Fact]
    public async Task GenerateAsync_ModelDisposedMidStream_ThrowsObjectDisposed()
    {
        var model = QwenModel.Load(Qwen2Tiny, new QwenModelOptions { Device = "cpu" });
        var seen = 0;

        await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
        {
            await foreach (var update in model.GenerateAsync([1, 2, 3], new GenerationOptions { MaxNewTokens = 100, IgnoreEos = true }))
            {
                if (++seen == 3)
                {
                    model.Dispose();
                }
            }
        });
        Assert.Equal(3, seen);
        Assert.Throws<ObjectDisposedException>(() => model.Forward([1]));
    }

    [Fact]
    public void GenerateAsync_InvalidArguments_ThrowBeforeRunning()
    {
        using var model = QwenModel.Load(Qwen2Tiny, new QwenModelOptions { Device = "cpu" });

        Assert.Throws<ArgumentException>(() => model.GenerateAsync([]));
        Assert.Throws<ArgumentException>(() => model.GenerateAsync([model.Config.VocabSize]));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GenerateAsync([1], new GenerationOptions { MaxNewTokens = 0 }));
        Assert.Throws<ArgumentException>(() => model.GenerateAsync([1], new GenerationOptions { StopStrings = ["x"] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GenerateAsync([1], new GenerationOptions { Sampling = new SamplingOptions { TopP = 2 } }));
    }

    private static async Task<List<GenerationUpdate>> Collect(IAsyncEnumerable<GenerationUpdate> updates)
    {
        var list = new List<GenerationUpdate>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }

        return list;
    }
}
