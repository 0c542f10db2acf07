using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen.Runtime.Bench;

/// <summary>
/// Memory bandwidth of one decode step's matrix-vector products alone, on Qwen2.5-0.5B shapes (fused q/k/v, o,
/// fused gate/up, down per layer, and the tied 151936x896 output layer): the runtime's managed kernel against libtorch.
/// </summary>
internal static unsafe class MatVecBench
{
    /// <summary>The products of one decode step of the Qwen2.5-0.5B shape: 24 layers of q/k/v, o, gate/up and down, then the logits head.</summary>
    public static List<(long Rows, long Cols)> DecodeShapes()
    {
        var shapes = new List<(long Rows, long Cols)>();
        for (var layer = 0; layer < 24; layer++)
        {
            shapes.AddRange([(1152, 896), (896, 896), (9728, 896), (896, 4864)]);
        }

        shapes.Add((151936, 896));
        return shapes;
    }

    public static void Run(int threads, int repeats, ScalarType dtype, int rows = 1)
    {
        TorchLibrary.EnsureLoaded();
        torch.set_num_threads(threads);
        using var noGrad = torch.no_grad();
        var generator = new torch.Generator(1);
        var shapes = DecodeShapes();
        var weights = shapes.Select(s => randn(s.Rows, s.Cols, generator: generator).to(dtype, disposeAfter: true)).ToList();
        if (rows > 1)
        {
            RunRows(threads, repeats, dtype, rows, shapes, weights, generator);
            return;
        }

        var bytes = weights.Sum(w => w.numel() * w.element_size());
        var inputs = shapes.Select(s => randn(1, s.Cols, generator: generator)).ToList();
        using var parallel = new CpuParallel(threads);
        var kernel = new MatVec(parallel);
        var outputs = shapes.Select(s => empty(1, s.Rows)).ToList();

        double Kernel()
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < weights.Count; i++)
            {
                kernel.Multiply((float*)NativeTensor.Data(inputs[i]), NativeTensor.Data(weights[i]), dtype == ScalarType.BFloat16, null, (float*)NativeTensor.Data(outputs[i]), (int)shapes[i].Rows, (int)shapes[i].Cols);
            }

            return watch.Elapsed.TotalSeconds;
        }

        double Torch()
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < weights.Count; i++)
            {
                using var x = dtype == ScalarType.Float32 ? inputs[i].alias() : inputs[i].to(dtype);
                using var y = nn.functional.linear(x, weights[i]);
            }

            return watch.Elapsed.TotalSeconds;
        }

        // Each product timed alone, best of all repeats: on a shared machine some run of each short product escapes
        // the other processes, so the sum of the bests estimates an undisturbed step (memory bandwidth is still shared).
        var best = new double[weights.Count];
        Array.Fill(best, double.MaxValue);
        void KernelEach()
        {
            for (var i = 0; i < weights.Count; i++)
            {
                var watch = Stopwatch.StartNew();
                kernel.Multiply((float*)NativeTensor.Data(inputs[i]), NativeTensor.Data(weights[i]), dtype == ScalarType.BFloat16, null, (float*)NativeTensor.Data(outputs[i]), (int)shapes[i].Rows, (int)shapes[i].Cols);
                best[i] = Math.Min(best[i], watch.Elapsed.TotalSeconds);
            }
        }

        var kernelTimes = new List<double>();
        var torchTimes = new List<double>();
        Kernel();
        Torch();
        for (var r = 0; r < repeats; r++)
        {
            kernelTimes.Add(Kernel());
            torchTimes.Add(Torch());
            KernelEach();
        }

        static string Figures(List<double> t, long bytes) =>
            $"min {t.Min() * 1000:F1} ms ({bytes / t.Min() / 1e9:F1} GB/s, {1 / t.Min():F1} steps/s), median {t.Order().ElementAt(t.Count / 2) * 1000:F1} ms";

        Console.WriteLine($"matvec {dtype}, {threads} threads, {bytes / 1e9:F2} GB of weights per step, {repeats} repeats (alternating)");
        Console.WriteLine($"  managed kernel: {Figures(kernelTimes, bytes)}");
        Console.WriteLine($"  libtorch linear: {Figures(torchTimes, bytes)}");
        Console.WriteLine($"  managed kernel, each product's best run summed: {best.Sum() * 1000:F1} ms ({bytes / best.Sum() / 1e9:F1} GB/s); output layer alone {best[^1] * 1000:F2} ms ({weights[^1].numel() * weights[^1].element_size() / best[^1] / 1e9:F1} GB/s)");
    }

    /// <summary>A batched decode step's products (<paramref name="rows"/> activation rows, the few-rows kernel), as a step's time and the arithmetic rate.</summary>
    private static void RunRows(int threads, int repeats, ScalarType dtype, int rows, List<(long Rows, long Cols)> shapes, List<Tensor> weights, torch.Generator generator)
    {
        var inputs = shapes.Select(s => randn(rows, s.Cols, generator: generator)).ToList();
        var outputs = shapes.Select(s => empty(rows, s.Rows)).ToList();
        var flops = 2.0 * rows * shapes.Sum(s => s.Rows * s.Cols);
        using var parallel = new CpuParallel(threads);
        using var kernel = new RowsMatMul(parallel);
        var times = new List<double>();
        for (var r = 0; r <= repeats; r++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < weights.Count; i++)
            {
                kernel.Multiply((float*)NativeTensor.Data(inputs[i]), rows, NativeTensor.Data(weights[i]), dtype == ScalarType.BFloat16, null, (float*)NativeTensor.Data(outputs[i]), (int)shapes[i].Rows, (int)shapes[i].Cols);
            }

            // The first pass warms the code and the pages; it is not counted.
            if (r > 0)
            {
                times.Add(watch.Elapsed.TotalSeconds);
            }
        }

        Console.WriteLine($"batched products ({dtype}), {rows} activation rows, {threads} threads, {repeats} repeats, one decode step of the 0.5B shape");
        Console.WriteLine($"  few-rows kernel: min {times.Min() * 1000:F1} ms ({flops / times.Min() / 1e9:F0} GFLOP/s), median {times.Order().ElementAt(times.Count / 2) * 1000:F1} ms");
    }
}
