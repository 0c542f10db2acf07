using Xunit.Abstractions;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Qwen.Runtime.Tests.Model;

/// <summary>4-bit weights: the block format, the kernels, and whole models against float32.</summary>
public sealed class Int4Tests(ITestOutputHelper output)
{
    /// <summary>
    /// Every weight is within half a step of its block's scale d = m / -8 (m the block's extreme, |d| rounded up to bf16),
    /// but for positive weights beyond 7.5 |d| in a block whose extreme is negative, which clip to code 15 (within one step).
    /// </summary>
    [Theory]
    [InlineData(1, 32)]
    [InlineData(3, 50)]
    [InlineData(2, 96)]
    [InlineData(5, 896)]
    [InlineData(2, 1000)]
    public unsafe void QuantizeRow_RandomRows_DequantizeWithinHalfAStepPerBlock(int rows, int cols)
    {
        var random = new Random(rows * cols);
        var weights = new float[rows * cols];
        for (var i = 0; i < weights.Length; i++)
        {
            // Blocks of very different magnitudes, one all-zero block, and an outlier of each sign.
            weights[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(10, (i / 32 % 5) - 2));
        }

        Array.Clear(weights, 0, Math.Min(32, cols));
        weights[^1] = 40f;
        weights[Math.Min(40, weights.Length - 2)] = -30f;
        var rowBytes = QuantizedWeight4.RowBytes(cols);
        Assert.Equal(0, rowBytes % 64);
        var packed = new byte[rows * rowBytes];
        var restored = new float[cols];
        var clipped = 0;
        fixed (float* source = weights)
        fixed (byte* destination = packed)
        fixed (float* back = restored)
        {
            QuantizedWeight4.QuantizeRows(source, destination, rows, cols);
            for (var r = 0; r < rows; r++)
            {
                var row = destination + (r * rowBytes);
                QuantizedWeight4.DequantizeRow(row, back, cols);
                var scales = QuantizedWeight4.Scales(row, cols);
                for (var b = 0; b < 2 * QuantizedWeight4.Pairs(cols); b++)
                {
                    var start = b * 32;
                    var end = Math.Min(cols, start + 32);
                    var extreme = 0f;
                    for (var i = start; i < end; i++)
                    {
                        var w = weights[(r * cols) + i];
                        extreme = Math.Abs(w) > Math.Abs(extreme) ? w : extreme;
                    }

                    var scale = QuantizedWeight.Bf16(scales[b]);
                    var step = Math.Abs(scale);
                    Assert.True(step >= Math.Abs(extreme) / 8 && step <= Math.Abs(extreme) / 8 * (1 + (1f / 128)), $"row {r} block {b}: scale {scale} for extreme {extreme}");
                    Assert.True(extreme == 0 || Math.Sign(scale) == -Math.Sign(extreme), $"row {r} block {b}: scale {scale} has the extreme's sign ({extreme})");
                    for (var i = start; i < end; i++)
                    {
                        var w = weights[(r * cols) + i];
                        var error = Math.Abs(w - back[i]);
                        var code = QuantizedWeight4.Code(row, i);
                        if (code == 15 && w / scale > 7.5f)
                        {
                            clipped++;
                            Assert.True(error <= step * 1.0001f, $"row {r} col {i}: clipped {w} came back as {back[i]} (scale {scale})");
                        }
                        else
                        {
                            Assert.True(error <= (step / 2) * 1.0001f, $"row {r} col {i}: {w} came back as {back[i]} (scale {scale})");
                        }
                    }

                    // Padding past the last column (and an odd row's empty block) is code 8, weight 0.
                    for (var i = end; i < start + 32; i++)
                    {
                        Assert.Equal(8, QuantizedWeight4.Code(row, i));
                    }
                }
            }
        }

        output.WriteLine($"{rows}x{cols}: {clipped} weights clipped at code 15");
    }

    [Theory]
    [InlineData(100)]
    [InlineData(200)]
    [InlineData(896)]
    public unsafe void DequantizeRowBf16_RandomRow_IsTheFloatDequantizationRoundedToBf16(int cols)
    {
        var random = new Random(cols);
        var weights = Enumerable.Range(0, cols).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var packed = new byte[QuantizedWeight4.RowBytes(cols)];
        var floats = new float[cols];
        var halves = new ushort[cols];
        fixed (float* source = weights)
        fixed (byte* row = packed)
        fixed (float* f = floats)
        fixed (ushort* h = halves)
        {
            QuantizedWeight4.QuantizeRow(source, row, cols);
            QuantizedWeight4.DequantizeRow(row, f, cols);
            QuantizedWeight4.DequantizeRowBf16(row, h, cols);
        }

        for (var i = 0; i < cols; i++)
        {
            var bits = BitConverter.SingleToUInt32Bits(floats[i]);
            var rounded = (bits + 0x7FFFu + ((bits >> 16) & 1)) & 0xFFFF0000u;
            Assert.Equal(BitConverter.UInt32BitsToSingle(rounded), QuantizedWeight.Bf16(halves[i]));
        }
    }

    /// <summary>Each shape (odd block counts included) for the AVX-512 kernel (512) and the AVX2 one (256).</summary>
    public static TheoryData<int, int, int, int> KernelShapes()
    {
        var data = new TheoryData<int, int, int, int>();
        foreach (var bits in new[] { 512, 256 })
        {
            foreach (var (m, rows, cols) in new[] { (1, 37, 896), (1, 8, 32), (1, 13, 160), (5, 64, 96), (3, 9, 1000), (16, 130, 4864) })
            {
                data.Add(bits, m, rows, cols);
            }
        }

        return data;
    }

    /// <summary>The AVX-512 and AVX2 kernels and the scalar one compute the same integer block sums; only the float summation order differs.</summary>
    [Theory]
    [MemberData(nameof(KernelShapes))]
    public unsafe void MultiplyRows4_VectorKernel_EqualsScalarKernel(int bits, int m, int rows, int cols)
    {
        var (x, packed) = RandomProblem(m, rows, cols, seed: m + rows + cols);
        var bias = Enumerable.Range(0, rows).Select(i => i * 0.01f).ToArray();
        using var parallel = new CpuParallel(2);
        using var vector = new Int8MatVec(parallel, bits);
        using var scalar = new Int8MatVec(parallel, maxVectorBits: 0);
        var a = new float[m * rows];
        var b = new float[m * rows];
        fixed (float* xp = x)
        fixed (byte* wp = packed)
        fixed (float* bp = bias)
        fixed (float* ap = a)
        fixed (float* sp = b)
        {
            vector.MultiplyRows4(xp, m, wp, bp, ap, rows, cols);
            scalar.MultiplyRows4(xp, m, wp, bp, sp, rows, cols);
        }

        for (var i = 0; i < a.Length; i++)
        {
            // Float sums of a few terms per block in different orders, and the offset taken off in two ways.
            Assert.True(Math.Abs(a[i] - b[i]) <= 2e-6f * QuantizedWeight.Blocks(cols) * (1 + Math.Abs(b[i])), $"output {i}: vector {a[i]}, scalar {b[i]}");
        }
    }

    /// <summary>Several activation rows at once (a batched decode step) give exactly what each row gives alone.</summary>
    [Fact]
    public unsafe void MultiplyRows4_SeveralRows_BitIdenticalToOneRowAtATime()
    {
        const int M = 6, Rows = 77, Cols = 896;
        var (x, packed) = RandomProblem(M, Rows, Cols, seed: 5);
        using var parallel = new CpuParallel(2);
        using var kernel = new Int8MatVec(parallel);
        var together = new float[M * Rows];
        var alone = new float[M * Rows];
        fixed (float* xp = x)
        fixed (byte* wp = packed)
        fixed (float* tp = together)
        fixed (float* ap = alone)
        {
            kernel.MultiplyRows4(xp, M, wp, null, tp, Rows, Cols);
            for (var i = 0; i < M; i++)
            {
                kernel.MultiplyRows4(xp + (i * Cols), 1, wp, null, ap + (i * Rows), Rows, Cols);
            }
        }

        Assert.Equal(alone, together);
    }

    /// <summary>Against float64 products of the same (dequantized) weights, the only error left is the activations' 8-bit rounding.</summary>
    [Theory]
    [InlineData(1, 61, 896)]
    [InlineData(4, 33, 200)]
    public unsafe void MultiplyRows4_RandomProblem_WithinActivationRoundingOfExact(int m, int rows, int cols)
    {
        var (x, packed) = RandomProblem(m, rows, cols, seed: 3);
        var rowBytes = QuantizedWeight4.RowBytes(cols);
        var dequantized = new float[rows * cols];
        var y = new float[m * rows];
        using var parallel = new CpuParallel(2);
        using var kernel = new Int8MatVec(parallel);
        fixed (float* xp = x)
        fixed (byte* wp = packed)
        fixed (float* dp = dequantized)
        fixed (float* yp = y)
        {
            for (var r = 0; r < rows; r++)
            {
                QuantizedWeight4.DequantizeRow(wp + (r * rowBytes), dp + (r * cols), cols);
            }

            kernel.MultiplyRows4(xp, m, wp, null, yp, rows, cols);
        }

        for (var i = 0; i < m; i++)
        {
            for (var r = 0; r < rows; r++)
            {
                double exact = 0, bound = 0;
                for (var c = 0; c < cols; c++)
                {
                    exact += dequantized[(r * cols) + c] * (double)x[(i * cols) + c];

                    // Each activation moves by at most half its block's step (max|x| / 254).
                    var blockMax = x.Skip((i * cols) + (c / 32 * 32)).Take(Math.Min(32, cols - (c / 32 * 32))).Max(Math.Abs);
                    bound += Math.Abs(dequantized[(r * cols) + c]) * blockMax / 254;
                }

                Assert.True(Math.Abs(y[(i * rows) + r] - exact) <= (bound * 1.01) + 1e-4, $"row {i}, output {r}: {y[(i * rows) + r]} vs {exact} (bound {bound})");
            }
        }
    }

    /// <summary>More rows than the kernel takes (a prefill) go through bf16 dequantization and libtorch's GEMM.</summary>
    [Fact]
    public unsafe void Apply_ManyRows_MatchesFloat32LinearOfDequantizedWeights()
    {
        TorchNative.EnsureLoaded();
        const int Rows = 70, Cols = 96, M = 100;
        var (x, packed) = RandomProblem(M, Rows, Cols, seed: 11);
        using var linear = LinearOps.Create(CPU, enableKernels: true, threads: 2);
        var rowBytes = QuantizedWeight4.RowBytes(Cols);
        using var weight = empty([Rows, rowBytes], QuantizedWeight4.StorageType);
        var dequantized = new float[Rows * Cols];
        fixed (byte* wp = packed)
        fixed (float* dp = dequantized)
        {
            Buffer.MemoryCopy(wp, NativeTensor.Data(weight), packed.Length, packed.Length);
            for (var r = 0; r < Rows; r++)
            {
                QuantizedWeight4.DequantizeRow(wp + (r * rowBytes), dp + (r * Cols), Cols);
            }
        }

        using var input = tensor(x, [1, M, Cols]);
        using var w = tensor(dequantized, [Rows, Cols]);
        using var bias = arange(Rows, dtype: ScalarType.Float32) * 0.1f;
        using var expected = F.linear(input, w, bias);
        using var actual = linear.Apply(input, weight, bias);

        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(ScalarType.Float32, actual.dtype);
        var scale = expected.abs().max().item<float>();
        var difference = (expected - actual).abs().max().item<float>();
        Assert.True(difference < 0.02 * scale, $"largest difference {difference} (largest value {scale})");
    }

    /// <summary>
    /// The documented tolerance: on the llama.cpp-verified tiny models, 4-bit logits stay within 20 % of the float32 logits'
    /// range (max |Δlogit| / (max logit − min logit)) at every position, prefill and token-by-token decode alike (measured:
    /// 8.9 % to 14.3 %). Uniform random weights of hidden size 64 to 128 are a hard case for 16 levels a block: little
    /// averaging, and no outliers whose block could spare the rest.
    /// </summary>
    [Theory]
    [InlineData("qwen2_tiny")]
    [InlineData("qwen3_tiny")]
    [InlineData("qwen2_tied")]
    [InlineData("qwen3_untied_hd64")]
    [InlineData("qwen3_bf16_sharded")]
    [InlineData("qwen2_mqa")]
    public void Forward_Int4AgainstFloat32_LogitsWithinTwentyPercentOfRange(string name)
    {
        var dir = Fixtures.TinyModel(name);
        var ids = Fixtures.ReadGolden(dir).PromptIds;
        using var reference = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", DType = ModelDType.Float32 });
        using var int4 = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", DType = ModelDType.Int4 });
        Assert.Equal(ModelDType.Int4, int4.DType);

        var expected = reference.ForwardAllPositions(ids);
        var prefill = int4.ForwardAllPositions(ids);
        using var cache = int4.CreateCache(ids.Length);
        var worst = 0.0;
        for (var t = 0; t < ids.Length; t++)
        {
            var range = expected[t].Max() - expected[t].Min();
            var decode = int4.Forward([ids[t]], cache);
            foreach (var actual in new[] { prefill[t], decode })
            {
                var error = expected[t].Zip(actual, (a, b) => Math.Abs(a - b)).Max() / range;
                worst = Math.Max(worst, error);
                Assert.True(error < 0.20, $"{name} position {t}: max |Δlogit| is {error:P2} of the logit range");
            }
        }

        output.WriteLine($"{name}: worst max |Δlogit| / range = {worst:P3}");
    }

    /// <summary>Greedy decoding with 4-bit weights, teacher-forced on float32's tokens, picks float32's token most of the time (measured: 90 and 96 of 96).</summary>
    [Theory]
    [InlineData("qwen2_tiny")]
    [InlineData("qwen3_tiny")]
    public async Task GenerateAsync_Int4Greedy_AgreesWithFloat32OnMostOf96Tokens(string name)
    {
        var dir = Fixtures.TinyModel(name);
        var prompt = Fixtures.ReadGolden(dir).PromptIds;
        using var reference = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", DType = ModelDType.Float32 });
        using var int4 = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", DType = ModelDType.Int4 });

        var expected = new List<int>();
        var options = new GenerationOptions { MaxNewTokens = 96, IgnoreEos = true, Sampling = SamplingOptions.Greedy };
        await foreach (var update in reference.GenerateAsync(prompt, options))
        {
            expected.Add(update.TokenId);
        }

        using var cache = int4.CreateCache(prompt.Length + expected.Count);
        var logits = int4.Forward(prompt, cache);
        var agree = 0;
        foreach (var token in expected)
        {
            agree += Array.IndexOf(logits, logits.Max()) == token ? 1 : 0;
            logits = int4.Forward([token], cache);
        }

        output.WriteLine($"{name}: int4 greedy agrees with float32 on {agree} of {expected.Count} tokens");
        Assert.True(agree >= expected.Count * 0.8, $"{name}: int4 greedy agrees with float32 on only {agree} of {expected.Count} tokens");
    }

    [Fact]
    public void Load_Int4WithoutCpuKernels_MatchesKernelPath()
    {
        var dir = Fixtures.TinyModel("qwen3_untied_hd64");
        var ids = Fixtures.ReadGolden(dir).PromptIds;
        using var kernels = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", DType = ModelDType.Int4 });
        using var plain = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", DType = ModelDType.Int4, CpuKernels = false });
        var a = kernels.ForwardAllPositions(ids);
        var b = plain.ForwardAllPositions(ids);
        for (var t = 0; t < ids.Length; t++)
        {
            var range = a[t].Max() - a[t].Min();
            KvCacheTests.AssertClose(a[t], b[t], 0.02 * range, $"position {t}");
        }
    }

    private static unsafe (float[] X, byte[] Packed) RandomProblem(int m, int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var x = Enumerable.Range(0, m * cols).Select(_ => (float)(random.NextDouble() - 0.5) * 4).ToArray();
        var w = Enumerable.Range(0, rows * cols).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var packed = new byte[rows * QuantizedWeight4.RowBytes(cols)];
        fixed (float* wp = w)
        fixed (byte* pp = packed)
        {
            QuantizedWeight4.QuantizeRows(wp, pp, rows, cols);
        }

        return (x, packed);
    }
}
