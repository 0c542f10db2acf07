using System.Runtime.Intrinsics;
using Xunit.Abstractions;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Qwen.Runtime.Tests.Model;

/// <summary>8-bit weights: the block format, the kernels, and whole models against float32.</summary>
public sealed class Int8Tests(ITestOutputHelper output)
{
    /// <summary>Every weight is within half a step of its block's scale, and the scale is at most max|w| / 127 rounded up to bf16.</summary>
    [Theory]
    [InlineData(1, 32)]
    [InlineData(3, 50)]
    [InlineData(5, 896)]
    [InlineData(2, 1000)]
    public unsafe void QuantizeRow_RandomRows_DequantizeWithinHalfAStepPerBlock(int rows, int cols)
    {
        var random = new Random(rows * cols);
        var weights = new float[rows * cols];
        for (var i = 0; i < weights.Length; i++)
        {
            // Blocks of very different magnitudes, one all-zero block, and an outlier.
            weights[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(10, (i / 32 % 5) - 2));
        }

        Array.Clear(weights, 0, Math.Min(32, cols));
        weights[^1] = 40f;
        var rowBytes = QuantizedWeight.RowBytes(cols);
        Assert.Equal(0, rowBytes % 64);
        var packed = new sbyte[rows * rowBytes];
        var restored = new float[cols];
        fixed (float* source = weights)
        fixed (sbyte* destination = packed)
        fixed (float* back = restored)
        {
            QuantizedWeight.QuantizeRows(source, destination, rows, cols);
            for (var r = 0; r < rows; r++)
            {
                var row = destination + (r * rowBytes);
                QuantizedWeight.DequantizeRow(row, back, cols);
                var scales = QuantizedWeight.Scales(row, cols);
                for (var b = 0; b < QuantizedWeight.Blocks(cols); b++)
                {
                    var start = b * 32;
                    var end = Math.Min(cols, start + 32);
                    var max = 0f;
                    for (var i = start; i < end; i++)
                    {
                        max = Math.Max(max, Math.Abs(weights[(r * cols) + i]));
                    }

                    var scale = QuantizedWeight.Bf16(scales[b]);
                    Assert.True(scale >= max / 127f && scale <= max / 127f * (1 + (1f / 128)), $"row {r} block {b}: scale {scale} for max {max}");
                    for (var i = start; i < end; i++)
                    {
                        Assert.InRange(row[i], -127, 127);
                        var error = Math.Abs(weights[(r * cols) + i] - back[i]);
                        Assert.True(error <= (scale / 2) * 1.0001f, $"row {r} col {i}: {weights[(r * cols) + i]} came back as {back[i]} (scale {scale})");
                    }

                    // Padding past the last column is zero, so it adds nothing to a dot product.
                    for (var i = end; i < start + 32; i++)
                    {
                        Assert.Equal(0, row[i]);
                    }
                }
            }
        }
    }

    [Fact]
    public unsafe void DequantizeRowBf16_RandomRow_IsTheFloatDequantizationRoundedToBf16()
    {
        const int Cols = 100;
        var random = new Random(7);
        var weights = Enumerable.Range(0, Cols).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var packed = new sbyte[QuantizedWeight.RowBytes(Cols)];
        var floats = new float[Cols];
        var halves = new ushort[Cols];
        fixed (float* source = weights)
        fixed (sbyte* row = packed)
        fixed (float* f = floats)
        fixed (ushort* h = halves)
        {
            QuantizedWeight.QuantizeRow(source, row, Cols);
            QuantizedWeight.DequantizeRow(row, f, Cols);
            QuantizedWeight.DequantizeRowBf16(row, h, Cols);
        }

        for (var i = 0; i < Cols; i++)
        {
            var bits = BitConverter.SingleToUInt32Bits(floats[i]);
            var rounded = (bits + 0x7FFFu + ((bits >> 16) & 1)) & 0xFFFF0000u;
            Assert.Equal(BitConverter.UInt32BitsToSingle(rounded), QuantizedWeight.Bf16(halves[i]));
        }
    }

    /// <summary>Each shape for the AVX-512 kernel (512) and the AVX2 one (256).</summary>
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
    public unsafe void MultiplyRows_VectorKernel_EqualsScalarKernel(int bits, int m, int rows, int cols)
    {
        var (x, packed) = RandomProblem(m, rows, cols, seed: m + rows + cols);
        var bias = Enumerable.Range(0, rows).Select(i => i * 0.01f).ToArray();
        using var parallel = new CpuParallel(2);
        using var vector = new Int8MatVec(parallel, bits);
        using var scalar = new Int8MatVec(parallel, maxVectorBits: 0);
        var expectedBits = bits == 512 && Int8MatVec.SupportsAvx512 ? 512 : Int8MatVec.SupportsAvx2 ? 256 : 0;
        Assert.Equal(expectedBits, vector.VectorBits);
        Assert.Equal(0, scalar.VectorBits);
        var a = new float[m * rows];
        var b = new float[m * rows];
        fixed (float* xp = x)
        fixed (sbyte* wp = packed)
        fixed (float* bp = bias)
        fixed (float* ap = a)
        fixed (float* sp = b)
        {
            vector.MultiplyRows(xp, m, wp, bp, ap, rows, cols);
            scalar.MultiplyRows(xp, m, wp, bp, sp, rows, cols);
        }

        for (var i = 0; i < a.Length; i++)
        {
            // Float sums of Blocks(cols) terms in two orders.
            Assert.True(Math.Abs(a[i] - b[i]) <= 1e-6f * QuantizedWeight.Blocks(cols) * (1 + Math.Abs(b[i])), $"output {i}: vector {a[i]}, scalar {b[i]}");
        }
    }

    /// <summary>Several activation rows at once (a batched decode step) give exactly what each row gives alone.</summary>
    [Fact]
    public unsafe void MultiplyRows_SeveralRows_BitIdenticalToOneRowAtATime()
    {
        const int M = 6, Rows = 77, Cols = 896;
        var (x, packed) = RandomProblem(M, Rows, Cols, seed: 5);
        using var parallel = new CpuParallel(2);
        using var kernel = new Int8MatVec(parallel);
        var together = new float[M * Rows];
        var alone = new float[M * Rows];
        fixed (float* xp = x)
        fixed (sbyte* wp = packed)
        fixed (float* tp = together)
        fixed (float* ap = alone)
        {
            kernel.MultiplyRows(xp, M, wp, null, tp, Rows, Cols);
            for (var i = 0; i < M; i++)
            {
                kernel.Multiply(xp + (i * Cols), wp, null, ap + (i * Rows), Rows, Cols);
            }
        }

        Assert.Equal(alone, together);
    }

    [Fact]
    public unsafe void MultiplyRows_TooManyRows_ThrowsArgumentOutOfRange()
    {
        using var parallel = new CpuParallel(1);
        using var kernel = new Int8MatVec(parallel);
        Assert.Throws<ArgumentOutOfRangeException>(() => kernel.MultiplyRows(null, Int8MatVec.MaxRows + 1, null, null, null, 4, 32));
    }

    /// <summary>Against float32 products of the same (dequantized) weights, the only error left is the activations' 8-bit rounding.</summary>
    [Theory]
    [InlineData(1, 61, 896)]
    [InlineData(4, 33, 200)]
    public unsafe void MultiplyRows_RandomProblem_WithinActivationRoundingOfFloat32(int m, int rows, int cols)
    {
        var (x, packed) = RandomProblem(m, rows, cols, seed: 3);
        var rowBytes = QuantizedWeight.RowBytes(cols);
        var dequantized = new float[rows * cols];
        var y = new float[m * rows];
        using var parallel = new CpuParallel(2);
        using var kernel = new Int8MatVec(parallel);
        fixed (float* xp = x)
        fixed (sbyte* wp = packed)
        fixed (float* dp = dequantized)
        fixed (float* yp = y)
        {
            for (var r = 0; r < rows; r++)
            {
                QuantizedWeight.DequantizeRow(wp + (r * rowBytes), dp + (r * cols), cols);
            }

            kernel.MultiplyRows(xp, m, wp, null, yp, rows, cols);
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

                Assert.True(Math.Abs(y[(i * rows) + r] - exact) <= (bound * 1.01) + 1e-5, $"row {i}, output {r}: {y[(i * rows) + r]} vs {exact} (bound {bound})");
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
        using var weight = empty([Rows, QuantizedWeight.RowBytes(Cols)], ScalarType.Int8);
        var rowBytes = QuantizedWeight.RowBytes(Cols);
        var dequantized = new float[Rows * Cols];
        fixed (sbyte* wp = packed)
        fixed (float* dp = dequantized)
        {
            Buffer.MemoryCopy(wp, NativeTensor.Data(weight), packed.Length, packed.Length);
            for (var r = 0; r < Rows; r++)
            {
                QuantizedWeight.DequantizeRow(wp + (r * rowBytes), dp + (r * Cols), Cols);
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

        // bf16 activations and weights: about 2⁻⁸ relative each, summed over 96 products of random sign.
        Assert.True(difference < 0.02 * scale, $"largest difference {difference} (largest value {scale})");
    }

    /// <summary>
    /// The documented tolerance: on the llama.cpp-verified tiny models, int8 logits stay within 3 % of the float32 logits'
    /// range (max |Δlogit| / (max logit − min logit)) at every position, prefill and token-by-token decode alike
    /// (measured: 0.9 % to 2.0 % on these models, whose hidden sizes of 64 to 128 leave little averaging).
    /// </summary>
    [Theory]
    [InlineData("qwen2_tiny")]
    [InlineData("qwen3_tiny")]
    [InlineData("qwen2_tied")]
    [InlineData("qwen3_untied_hd64")]
    [InlineData("qwen3_bf16_sharded")]
    [InlineData("qwen2_mqa")]
    public void Forward_Int8AgainstFloat32_LogitsWithinThreePercentOfRange(string name)
    {
        var dir = Fixtures.TinyModel(name);
        var ids = Fixtures.ReadGolden(dir).PromptIds;
        using var reference = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", DType = ModelDType.Float32 });
        using var int8 = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", DType = ModelDType.Int8 });
        Assert.Equal(ModelDType.Int8, int8.DType);

        var expected = reference.ForwardAllPositions(ids);
        var prefill = int8.ForwardAllPositions(ids);
        using var cache = int8.CreateCache(ids.Length);
        var worst = 0.0;
        for (var t = 0; t < ids.Length; t++)
        {
            var range = expected[t].Max() - expected[t].Min();
            var decode = int8.Forward([ids[t]], cache);
            foreach (var actual in new[] { prefill[t], decode })
            {
                var error = expected[t].Zip(actual, (a, b) => Math.Abs(a - b)).Max() / range;
                worst = Math.Max(worst, error);
                Assert.True(error < 0.03, $"{name} position {t}: max |Δlogit| is {error:P2} of the logit range");
            }
        }

        output.WriteLine($"{name}: worst max |Δlogit| / range = {worst:P3}");
    }

    /// <summary>Greedy decoding with int8 weights follows float32's tokens on a long run (the tiny models' logits are close together, so a few flips are allowed).</summary>
    [Theory]
    [InlineData("qwen2_tiny")]
    [InlineData("qwen3_tiny")]
    public async Task GenerateAsync_Int8Greedy_AgreesWithFloat32OnMostOf96Tokens(string name)
    {
        var dir = Fixtures.TinyModel(name);
        var prompt = Fixtures.ReadGolden(dir).PromptIds;
        using var reference = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", DType = ModelDType.Float32 });
        using var int8 = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", DType = ModelDType.Int8 });

        // Teacher-forced on float32's tokens, so one flip does not change everything after it.
        var expected = await Greedy(reference, prompt, 96);
        using var cache = int8.CreateCache(prompt.Length + expected.Length);
        var logits = int8.Forward(prompt, cache);
        var agree = 0;
        for (var t = 0; t < expected.Length; t++)
        {
            agree += ArgMax(logits) == expected[t] ? 1 : 0;
            logits = int8.Forward([expected[t]], cache);
        }

        output.WriteLine($"{name}: int8 greedy agrees with float32 on {agree} of {expected.Length} tokens");
        Assert.True(agree >= expected.Length * 0.9, $"{name}: int8 greedy agrees with float32 on only {agree} of {expected.Length} tokens");
    }

    [Fact]
    public void Load_Int8WithoutCpuKernels_MatchesKernelPath()
    {
        var dir = Fixtures.TinyModel("qwen3_untied_hd64");
        var ids = Fixtures.ReadGolden(dir).PromptIds;
        using var kernels = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", DType = ModelDType.Int8 });
        using var plain = QwenModel.Load(dir, new QwenModelOptions { Device = "cpu", DType = ModelDType.Int8, CpuKernels = false });
        var a = kernels.ForwardAllPositions(ids);
        var b = plain.ForwardAllPositions(ids);
        for (var t = 0; t < ids.Length; t++)
        {
            var range = a[t].Max() - a[t].Min();
            KvCacheTests.AssertClose(a[t], b[t], 0.02 * range, $"position {t}");
        }
    }

    [Theory]
    [InlineData(ModelDType.Int8, "--dtype int8")]
    [InlineData(ModelDType.Int4, "--dtype int4")]
    public void QuantizedStorageFor_Cuda_ThrowsNotSupportedNamingTheOption(ModelDType dtype, string flag)
    {
        TorchNative.EnsureLoaded();
        var e = Assert.Throws<NotSupportedException>(() => QwenModel.QuantizedStorageFor(dtype, TorchSharp.DeviceType.CUDA));
        Assert.Contains($"QwenModelOptions.DType = ModelDType.{dtype}", e.Message, StringComparison.Ordinal);
        Assert.Contains(flag, e.Message, StringComparison.Ordinal);
        Assert.Contains("CPU only", e.Message, StringComparison.Ordinal);
        Assert.Equal(dtype == ModelDType.Int4 ? QuantizedWeight4.StorageType : QuantizedWeight.StorageType, QwenModel.QuantizedStorageFor(dtype, TorchSharp.DeviceType.CPU));
    }

    private static async Task<int[]> Greedy(QwenModel model, int[] prompt, int tokens)
    {
        var ids = new List<int>();
        var options = new GenerationOptions { MaxNewTokens = tokens, IgnoreEos = true, Sampling = SamplingOptions.Greedy };
        await foreach (var update in model.GenerateAsync(prompt, options))
        {
            ids.Add(update.TokenId);
        }

        return [.. ids];
    }

    private static int ArgMax(float[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            best = values[i] > values[best] ? i : best;
        }

        return best;
    }

    private static unsafe (float[] X, sbyte[] Packed) RandomProblem(int m, int rows, int cols, int seed)
    {
        var random = new Random(seed);
        var x = Enumerable.Range(0, m * cols).Select(_ => (float)(random.NextDouble() - 0.5) * 4).ToArray();
        var w = Enumerable.Range(0, rows * cols).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var packed = new sbyte[rows * QuantizedWeight.RowBytes(cols)];
        fixed (float* wp = w)
        fixed (sbyte* pp = packed)
        {
            QuantizedWeight.QuantizeRows(wp, pp, rows, cols);
        }

        return (x, packed);
    }
}
