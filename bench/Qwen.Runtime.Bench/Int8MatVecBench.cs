using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen.Runtime.Bench;

/// <summary>
/// Memory bandwidth of one int8 (or 4-bit) decode step's matrix-vector products alone, on Qwen2.5-0.5B shapes (fused
/// q/k/v, o, fused gate/up, down per layer, and the tied 151936x896 output layer, which stays 8-bit with 4-bit layers):
/// the integer kernel against the bf16 kernel on the same (dequantized) weights, alternating, so that both see the same
/// machine load.
/// </summary>
internal static unsafe class Int8MatVecBench
{
    public static void Run(int threads, int repeats, bool int4 = false, int rows = 1)
    {
        TorchLibrary.EnsureLoaded();
        torch.set_num_threads(threads);
        using var noGrad = torch.no_grad();
        var generator = new torch.Generator(1);
        var shapes = MatVecBench.DecodeShapes();
        bool Is4(int i) => int4 && i < shapes.Count - 1;
        var weights = PackedWeights(shapes, int4, generator);
        if (rows > 1)
        {
            RunRows(threads, repeats, int4, rows, shapes, weights, generator);
            return;
        }

        using var parallel = new CpuParallel(threads);
        var bytes = weights.Sum(w => w.numel());
        var bf16 = weights.Select((w, i) =>
        {
            var cols = (int)shapes[i].Cols;
            var wide = empty(shapes[i].Rows, cols, dtype: ScalarType.BFloat16);
            for (long r = 0; r < shapes[i].Rows; r++)
            {
                Widen(w, r, (ushort*)NativeTensor.Data(wide) + (r * cols), cols, Is4(i));
            }

            return wide;
        }).ToList();
        var bf16Bytes = bf16.Sum(w => w.numel() * 2);
        var matVec = new MatVec(parallel);
        var inputs = shapes.Select(s => randn(1, s.Cols, generator: generator)).ToList();
        using var kernel = new Int8MatVec(parallel);
        var outputs = shapes.Select(s => empty(1, s.Rows)).ToList();

        // The logits head alone (the last product), to decide between an int8 and a bf16 head.
        var headTimes = new List<double>();
        var bf16HeadTimes = new List<double>();

        double Kernel()
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < weights.Count; i++)
            {
                if (i == weights.Count - 1)
                {
                    headTimes.Add(watch.Elapsed.TotalSeconds);
                }

                if (Is4(i))
                {
                    kernel.MultiplyRows4((float*)NativeTensor.Data(inputs[i]), 1, (byte*)NativeTensor.Data(weights[i]), null, (float*)NativeTensor.Data(outputs[i]), (int)shapes[i].Rows, (int)shapes[i].Cols);
                }
                else
                {
                    kernel.Multiply((float*)NativeTensor.Data(inputs[i]), (sbyte*)NativeTensor.Data(weights[i]), null, (float*)NativeTensor.Data(outputs[i]), (int)shapes[i].Rows, (int)shapes[i].Cols);
                }
            }

            headTimes[^1] = watch.Elapsed.TotalSeconds - headTimes[^1];
            return watch.Elapsed.TotalSeconds;
        }

        double Bf16()
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < weights.Count; i++)
            {
                if (i == weights.Count - 1)
                {
                    bf16HeadTimes.Add(watch.Elapsed.TotalSeconds);
                }

                matVec.Multiply((float*)NativeTensor.Data(inputs[i]), NativeTensor.Data(bf16[i]), true, null, (float*)NativeTensor.Data(outputs[i]), (int)shapes[i].Rows, (int)shapes[i].Cols);
            }

            bf16HeadTimes[^1] = watch.Elapsed.TotalSeconds - bf16HeadTimes[^1];
            return watch.Elapsed.TotalSeconds;
        }

        var times = new List<double>();
        var bf16Times = new List<double>();
        Kernel();
        Bf16();
        for (var r = 0; r < repeats; r++)
        {
            times.Add(Kernel());
            bf16Times.Add(Bf16());
        }

        // Prefill's cost on top of bf16: widening every layer matrix to bf16 once per forward pass.
        var widenTimes = new List<double>();
        for (var r = 0; r < 3; r++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < weights.Count - 1; i++)
            {
                var cols = (int)shapes[i].Cols;
                for (long row = 0; row < shapes[i].Rows; row++)
                {
                    Widen(weights[i], row, (ushort*)NativeTensor.Data(bf16[i]) + (row * cols), cols, Is4(i));
                }
            }

            widenTimes.Add(watch.Elapsed.TotalSeconds);
        }

        Console.WriteLine($"  widening the 96 layer matrices to bf16 (one thread): min {widenTimes.Min() * 1000:F1} ms");
        Console.WriteLine($"matvec {(int4 ? "int4 layers, int8 head" : "int8")} (vector kernel: {kernel.VectorBits} bits), {threads} threads, {bytes / 1e9:F3} GB of weights per step, {repeats} repeats");
        Console.WriteLine($"  bf16 kernel: min {bf16Times.Min() * 1000:F1} ms ({bf16Bytes / bf16Times.Min() / 1e9:F1} GB/s, {1 / bf16Times.Min():F1} steps/s), median {bf16Times.Order().ElementAt(bf16Times.Count / 2) * 1000:F1} ms");
        Console.WriteLine($"  logits head alone (151936x896): int8 min {headTimes.Min() * 1000:F1} ms, median {headTimes.Order().ElementAt(headTimes.Count / 2) * 1000:F1} ms; bf16 min {bf16HeadTimes.Min() * 1000:F1} ms, median {bf16HeadTimes.Order().ElementAt(bf16HeadTimes.Count / 2) * 1000:F1} ms");
        Console.WriteLine($"  {(int4 ? "int4" : "int8")} kernel: min {times.Min() * 1000:F1} ms ({bytes / times.Min() / 1e9:F1} GB/s, {1 / times.Min():F1} steps/s), median {times.Order().ElementAt(times.Count / 2) * 1000:F1} ms");
    }

    /// <summary>The decode step's matrices, random and packed: 4-bit layers and an 8-bit head when <paramref name="int4"/>, else all 8-bit.</summary>
    private static List<Tensor> PackedWeights(IReadOnlyList<(long Rows, long Cols)> shapes, bool int4, torch.Generator generator)
    {
        bool Is4(int i) => int4 && i < shapes.Count - 1;
        return shapes.Select((s, i) =>
        {
            var packed = Is4(i)
                ? empty(s.Rows, QuantizedWeight4.RowBytes(s.Cols), dtype: QuantizedWeight4.StorageType)
                : empty(s.Rows, QuantizedWeight.RowBytes(s.Cols), dtype: ScalarType.Int8);
            for (long start = 0; start < s.Rows; start += 8192)
            {
                var count = Math.Min(8192, s.Rows - start);
                using var floats = randn(count, s.Cols, generator: generator);
                var destination = (byte*)NativeTensor.Data(packed) + (start * packed.shape[1]);
                if (Is4(i))
                {
                    QuantizedWeight4.QuantizeRows((float*)NativeTensor.Data(floats), destination, count, (int)s.Cols);
                }
                else
                {
                    QuantizedWeight.QuantizeRows((float*)NativeTensor.Data(floats), (sbyte*)destination, count, (int)s.Cols);
                }
            }

            return packed;
        }).ToList();
    }

    /// <summary>
    /// One batched decode step's products (<paramref name="rows"/> activation rows each): the kernel with its activation rows
    /// in lanes against the same kernel row by row, alternating.
    /// </summary>
    private static void RunRows(int threads, int repeats, bool int4, int rows, IReadOnlyList<(long Rows, long Cols)> shapes, List<Tensor> weights, torch.Generator generator)
    {
        bool Is4(int i) => int4 && i < shapes.Count - 1;
        using var parallel = new CpuParallel(threads);
        using var lanes = new Int8MatVec(parallel);
        using var rowByRow = new Int8MatVec(parallel, lanes: false);
        var inputs = shapes.Select(s => randn(rows, s.Cols, generator: generator)).ToList();
        var outputs = shapes.Select(s => empty(rows, s.Rows)).ToList();

        double Step(Int8MatVec kernel)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < weights.Count; i++)
            {
                var x = (float*)NativeTensor.Data(inputs[i]);
                var y = (float*)NativeTensor.Data(outputs[i]);
                if (Is4(i))
                {
                    kernel.MultiplyRows4(x, rows, (byte*)NativeTensor.Data(weights[i]), null, y, (int)shapes[i].Rows, (int)shapes[i].Cols);
                }
                else
                {
                    kernel.MultiplyRows(x, rows, (sbyte*)NativeTensor.Data(weights[i]), null, y, (int)shapes[i].Rows, (int)shapes[i].Cols);
                }
            }

            return watch.Elapsed.TotalSeconds;
        }

        var laneTimes = new List<double>();
        var rowTimes = new List<double>();
        Step(lanes);
        Step(rowByRow);
        for (var r = 0; r < repeats; r++)
        {
            laneTimes.Add(Step(lanes));
            rowTimes.Add(Step(rowByRow));
        }

        var kind = int4 ? "int4 layers, int8 head" : "int8";
        Console.WriteLine($"batched products ({kind}), {rows} activation rows, {threads} threads, {repeats} repeats (alternating), one decode step of the 0.5B shape");
        Console.WriteLine($"  row by row: min {rowTimes.Min() * 1000:F1} ms, median {rowTimes.Order().ElementAt(rowTimes.Count / 2) * 1000:F1} ms");
        Console.WriteLine($"  lanes ({(lanes.VectorBits == 512 ? "AVX-512" : "not available on this CPU: row by row")}): min {laneTimes.Min() * 1000:F1} ms, median {laneTimes.Order().ElementAt(laneTimes.Count / 2) * 1000:F1} ms");
    }

    /// <summary>Row <paramref name="row"/> of a packed matrix widened to bf16.</summary>
    private static void Widen(Tensor packed, long row, ushort* destination, int cols, bool int4)
    {
        var source = (byte*)NativeTensor.Data(packed) + (row * packed.shape[1]);
        if (int4)
        {
            QuantizedWeight4.DequantizeRowBf16(source, destination, cols);
        }
        else
        {
            QuantizedWeight.DequantizeRowBf16((sbyte*)source, destination, cols);
        }
    }
}
