using Xunit.Abstractions;

namespace Qwen.Runtime.Tests.Generation;

/// <summary>Concurrent requests share batched decode steps and still get exactly what each would get alone.</summary>
public sealed class BatchedGenerationTests(ITestOutputHelper output)
{
    private static readonly string Qwen2Tiny = Fixtures.TinyModel("qwen2_tiny");

    /// <summary>Prompts of different lengths (so the sequences sit at different positions) and different generation lengths.</summary>
    private static readonly (int[] Prompt, int MaxNewTokens)[] Requests =
    [
        ([5, 17, 300, 42], 24),
        ([900, 901, 902, 903, 904, 905, 906, 907, 908, 909, 910, 911, 912], 9),
        ([1], 31),
        ([77, 1500, 3, 9, 2000, 64, 128], 17),
        ([400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 419, 420, 421, 422], 20),
    ];

    [Theory]
    [InlineData("qwen2_tiny", ModelDType.Float32)]
    [InlineData("qwen3_tiny", ModelDType.Float32)]
    [InlineData("qwen2_mqa", ModelDType.Float32)]
    [InlineData("qwen3_bf16_sharded", ModelDType.Float32)]
    [InlineData("qwen3_bf16_sharded", ModelDType.BFloat16)]
    [InlineData("qwen2_tiny", ModelDType.Int8)]
    [InlineData("qwen3_bf16_sharded", ModelDType.Int8)]
    [InlineData("qwen2_tiny", ModelDType.Int4)]
    [InlineData("qwen3_bf16_sharded", ModelDType.Int4)]
    public void ForwardDecodeBatch_SequencesAtDifferentPositions_LogitsMatchSingleSteps(string name, ModelDType dtype)
    {
        using var model = QwenModel.Load(Fixtures.TinyModel(name), new QwenModelOptions { Device = "cpu", DType = dtype });
        AssertBatchMatchesSingle(model, $"{name} {dtype}");
    }

    [Fact]
    public void ForwardDecodeBatch_SlidingWindowLayers_LogitsMatchSingleSteps()
    {
        using var dir = Model.SlidingWindowTests.OneLayerModel(sliding: true, layers: 2);
        using var model = QwenModel.Load(dir.Path, new QwenModelOptions { Device = "cpu" });
        AssertBatchMatchesSingle(model, "sliding window");
    }

    [Fact]
    public void ForwardDecodeBatch_MoreIdsThanCaches_ThrowsArgumentException()
    {
        using var model = QwenModel.Load(Qwen2Tiny, new QwenModelOptions { Device = "cpu" });
        using var cache = model.CreateCache(4);

        var e = Assert.Throws<ArgumentException>(() => model.ForwardDecodeBatch([1, 2], [cache]));
        Assert.Contains("one id per cache", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MaxBatchSizeZero_ThrowsArgumentExceptionNamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => QwenModel.Load(Qwen2Tiny, new QwenModelOptions { Device = "cpu", MaxBatchSize = 0 }));
        Assert.Contains("MaxBatchSize", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(2)]
    public async Task GenerateAsync_ConcurrentRequestsJoiningAtDifferentTimes_EqualSingleRuns(int maxBatchSize)
    {
        using var model = QwenModel.Load(Qwen2Tiny, new QwenModelOptions { Device = "cpu", MaxBatchSize = maxBatchSize });
        var alone = new List<int[]>();
        foreach (var (prompt, max) in Requests)
        {
            alone.Add(await Ids(model, prompt, max, CancellationToken.None));
        }

        Assert.Equal(1, model.Scheduler.LargestBatch);

        // Requests 0-2 start together; 3 joins once 0 has produced 3 tokens, 4 once 2 has produced 10.
        var joined3 = new TaskCompletionSource();
        var joined4 = new TaskCompletionSource();
        var first = Enumerable.Range(0, 3).Select(i => Ids(model, Requests[i].Prompt, Requests[i].MaxNewTokens, CancellationToken.None, count => (i, count) switch
        {
            (0, 3) => joined3,
            (2, 10) => joined4,
            _ => null,
        })).ToList();
        await joined3.Task;
        var late3 = Ids(model, Requests[3].Prompt, Requests[3].MaxNewTokens, CancellationToken.None);
        await joined4.Task;
        var late4 = Ids(model, Requests[4].Prompt, Requests[4].MaxNewTokens, CancellationToken.None);
        var together = await Task.WhenAll([.. first, late3, late4]);

        for (var i = 0; i < Requests.Length; i++)
        {
            Assert.Equal(alone[i], together[i]);
        }

        Assert.InRange(model.Scheduler.LargestBatch, 2, maxBatchSize);
    }

    [Fact]
    public async Task GenerateAsync_OneRequestCancelledMidway_OthersUnchangedAndItsCacheFreed()
    {
        using var model = QwenModel.Load(Qwen2Tiny, new QwenModelOptions { Device = "cpu" });
        var expected0 = await Ids(model, Requests[0].Prompt, Requests[0].MaxNewTokens, CancellationToken.None);
        var expected2 = await Ids(model, Requests[2].Prompt, Requests[2].MaxNewTokens, CancellationToken.None);
        var tensorsBefore = model.LiveTensorCount();
        using var cts = new CancellationTokenSource();
        var received = 0;

        async Task CancelledAsync()
        {
            await foreach (var update in model.GenerateAsync(Requests[3].Prompt, Greedy(200), cts.Token))
            {
                if (++received == 5)
                {
                    cts.Cancel();
                }
            }
        }

        var run0 = Ids(model, Requests[0].Prompt, Requests[0].MaxNewTokens, CancellationToken.None);
        var cancelled = Assert.ThrowsAnyAsync<OperationCanceledException>(CancelledAsync);
        var run2 = Ids(model, Requests[2].Prompt, Requests[2].MaxNewTokens, CancellationToken.None);
        await cancelled;

        // The cancelled request's cache is already gone when its enumeration ends, while the others still run.
        var tensorsAfterCancel = model.LiveTensorCount();
        Assert.Equal(expected0, await run0);
        Assert.Equal(expected2, await run2);
        Assert.Equal(5, received);
        Assert.True(model.Scheduler.LargestBatch >= 2, "the requests should have shared decode steps");
        Assert.True(
            tensorsAfterCancel <= tensorsBefore + (2 * 2 * model.Config.NumHiddenLayers),
            $"at most the two running requests' caches may be live after the cancel ({tensorsBefore} before, {tensorsAfterCancel} after)");
        Assert.Equal(tensorsBefore, model.LiveTensorCount());
    }

    [Fact]
    public async Task GenerateAsync_ReaderLeavesEarly_CacheFreedWhenTheLoopEnds()
    {
        using var model = QwenModel.Load(Qwen2Tiny, new QwenModelOptions { Device = "cpu" });
        var tensorsBefore = model.LiveTensorCount();
        var count = 0;

        await foreach (var update in model.GenerateAsync(Requests[2].Prompt, Greedy(500)))
        {
            if (++count == 3)
            {
                break;
            }
        }

        Assert.Equal(tensorsBefore, model.LiveTensorCount());
    }

    /// <remarks>
    /// With int8 weights the activations are rounded to 8 bits before every product, so any last-bit difference
    /// between the batched step and the single-token step can move a rounding by one step: where libtorch runs the
    /// batched step's small ops (no AVX-512), or where the rows sit in lanes (as many rows as
    /// <see cref="Int8MatVec.MinLaneRows8"/>, <see cref="Int8MatVec.MinLaneRows4"/> for 4-bit; float sums in another
    /// order). There the logits must agree within the int8 tolerance (2 % of the logit range); on these random tiny
    /// models, whose top logits are often near-ties, such a flip can change the greedy token, so only float weights must
    /// pick the same one. The managed batched step with 8-bit weights row by row (these five sequences) computes
    /// exactly what the single-token step does, bit for bit.
    /// </remarks>
    private void AssertBatchMatchesSingle(QwenModel model, string name)
    {
        // With the managed kernels and AVX-512 (the few-rows kernel), the batched step is the managed one.
        Assert.Equal(model.UsesCpuKernel && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, model.UsesManagedBatchStep);
        var prompts = Requests.Select(r => r.Prompt.Select(id => id % model.Config.VocabSize).ToArray()).ToArray();
        var batched = prompts.Select(p => model.CreateCache(p.Length + 4)).ToArray();
        var single = prompts.Select(p => model.CreateCache(p.Length + 4)).ToArray();
        try
        {
            var next = new int[prompts.Length];
            var largest = 0f;
            for (var i = 0; i < prompts.Length; i++)
            {
                model.Forward(prompts[i], batched[i]);
                next[i] = ArgMax(model.Forward(prompts[i], single[i]));
            }

            for (var step = 0; step < 4; step++)
            {
                var rows = model.ForwardDecodeBatch(next, batched);
                for (var i = 0; i < prompts.Length; i++)
                {
                    var alone = model.Forward([next[i]], single[i]);
                    var tolerance = model.DType is ModelDType.Int8 or ModelDType.Int4 ? 0.02 * (alone.Max() - alone.Min()) : 1e-4;
                    Model.KvCacheTests.AssertClose(alone, rows[i], tolerance, $"{name}: sequence {i}, step {step}");
                    if (model.UsesManagedBatchStep && model.DType == ModelDType.Int8 && prompts.Length < Int8MatVec.MinLaneRows8)
                    {
                        Assert.Equal(alone, rows[i]);
                    }

                    largest = Math.Max(largest, alone.Zip(rows[i], (a, b) => Math.Abs(a - b)).Max());
                    if (model.DType is not (ModelDType.Int8 or ModelDType.Int4))
                    {
                        Assert.Equal(ArgMax(alone), ArgMax(rows[i]));
                    }

                    Assert.Equal(single[i].Length, batched[i].Length);
                    next[i] = ArgMax(alone);
                }
            }

            output.WriteLine($"{name}: largest |batched - single| logit difference {largest:E2}");
        }
        finally
        {
            foreach (var cache in batched.Concat(single))
            {
                cache.Dispose();
            }
        }
    }

    private static int ArgMax(float[] logits) => Array.IndexOf(logits, logits.Max());

    private static GenerationOptions Greedy(int maxNewTokens) =>
        new() { MaxNewTokens = maxNewTokens, IgnoreEos = true, Sampling = SamplingOptions.Greedy };

    /// <summary>The ids of one greedy request; <paramref name="signal"/> picks a completion to set after a given number of ids.</summary>
    private static async Task<int[]> Ids(QwenModel model, int[] prompt, int max, CancellationToken cancellationToken, Func<int, TaskCompletionSource?>? signal = null)
    {
        var ids = new List<int>();
        await foreach (var update in model.GenerateAsync(prompt, Greedy(max), cancellationToken))
        {
            ids.Add(update.TokenId);
            signal?.Invoke(ids.Count)?.TrySetResult();
        }

        return [.. ids];
    }
}
