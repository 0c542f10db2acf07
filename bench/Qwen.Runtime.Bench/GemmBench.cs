using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Qwen.Runtime.Bench;

/// <summary>
/// The products of one prefill layer on Qwen2.5-0.5B shapes (fused q/k/v, o, fused gate/up, down) over T prompt
/// tokens: libtorch's <c>linear</c> (MKL sgemm) against the runtime's own float32 GEMM (PanelMatMul, with AVX-512) and
/// against the same product as a 1x1 convolution, which libtorch hands to oneDNN, with the tokens as the batch.
/// </summary>
internal static unsafe class GemmBench
{
    public static void Run(int threads, int repeats, int tokens, ScalarType dtype)
    {
        TorchLibrary.EnsureLoaded();
        torch.set_num_threads(threads);
        using var noGrad = torch.no_grad();
        var generator = new torch.Generator(1);
        (long Rows, long Cols)[] shapes = [(1152, 896), (896, 896), (9728, 896), (896, 4864)];
        var weights = shapes.Select(s => randn(s.Rows, s.Cols, generator: generator).to(dtype, disposeAfter: true)).ToList();
        var inputs = shapes.Select(s => randn(tokens, s.Cols, generator: generator).to(dtype, disposeAfter: true)).ToList();
        var flops = shapes.Sum(s => 2.0 * tokens * s.Rows * s.Cols);

        double Time(Func<Tensor, Tensor, Tensor> product)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < shapes.Length; i++)
            {
                using var y = product(inputs[i], weights[i]);
            }

            return watch.Elapsed.TotalSeconds;
        }

        static Tensor Linear(Tensor x, Tensor w) => F.linear(x, w);
        static Tensor Conv(Tensor x, Tensor w)
        {
            using var y = F.conv2d(x.view(x.shape[0], x.shape[1], 1, 1), w.view(w.shape[0], w.shape[1], 1, 1));
            return y.view(x.shape[0], w.shape[0]);
        }

        static Tensor ConvChannels(Tensor x, Tensor w)
        {
            // Channels first ([1, in, T, 1]): the layout oneDNN's 1x1 kernels expect; the transposes are timed too.
            using var t = x.t().contiguous().view(1, x.shape[1], x.shape[0], 1);
            using var y = F.conv2d(t, w.view(w.shape[0], w.shape[1], 1, 1));
            return y.view(w.shape[0], x.shape[0]).t().contiguous();
        }

        using var parallel = new CpuParallel(threads);
        var panel = new PanelMatMul(parallel);
        Tensor Panel(Tensor x, Tensor w)
        {
            var y = empty(x.shape[0], w.shape[0]);
            panel.Multiply((float*)NativeTensor.Data(x), (int)x.shape[0], (float*)NativeTensor.Data(w), null, (float*)NativeTensor.Data(y), (int)w.shape[0], (int)w.shape[1]);
            return y;
        }

        var usePanel = dtype == ScalarType.Float32 && PanelMatMul.IsSupported;
        if (usePanel)
        {
            for (var i = 0; i < shapes.Length; i++)
            {
                using var expected = Linear(inputs[i], weights[i]);
                using var actual = Panel(inputs[i], weights[i]);
                Console.WriteLine($"  panel kernel vs sgemm, {shapes[i].Rows}x{shapes[i].Cols}: max |diff| {(actual - expected).abs().max().item<float>():G3}");
            }
        }

        var linear = new List<double>();
        var panels = new List<double>();
        var conv = new List<double>();
        var channels = new List<double>();
        Time(Linear);
        Time(Conv);
        Time(ConvChannels);
        if (usePanel)
        {
            Time(Panel);
        }

        for (var r = 0; r < repeats; r++)
        {
            if (usePanel)
            {
                panels.Add(Time(Panel));
            }

            linear.Add(Time(Linear));
            conv.Add(Time(Conv));
            channels.Add(Time(ConvChannels));
        }

        string Figures(List<double> t) => $"min {t.Min() * 1000:F1} ms ({flops / t.Min() / 1e9:F0} GFLOP/s), median {t.Order().ElementAt(t.Count / 2) * 1000:F1} ms";
        Console.WriteLine($"prefill products of one layer, {tokens} tokens, {dtype}, {threads} threads, {repeats} repeats (alternating)");
        Console.WriteLine($"  linear (sgemm):       {Figures(linear)}");
        Console.WriteLine($"  1x1 conv2d (oneDNN), tokens as batch:    {Figures(conv)}");
        Console.WriteLine($"  1x1 conv2d (oneDNN), channels first:     {Figures(channels)}");
        if (usePanel)
        {
            Console.WriteLine($"  panel kernel (managed, AVX-512):         {Figures(panels)}");
            var panelRatios = linear.Zip(panels, (l, c) => l / c).Order().ToList();
            Console.WriteLine($"  linear/panel per pair: median {panelRatios[panelRatios.Count / 2]:F2} (min {panelRatios[0]:F2}, max {panelRatios[^1]:F2})");
        }

        var ratios = linear.Zip(conv, (l, c) => l / c).Order().ToList();
        Console.WriteLine($"  linear/conv per pair: median {ratios[ratios.Count / 2]:F2} (min {ratios[0]:F2}, max {ratios[^1]:F2})");
        ratios = linear.Zip(channels, (l, c) => l / c).Order().ToList();
        Console.WriteLine($"  linear/conv channels first per pair: median {ratios[ratios.Count / 2]:F2} (min {ratios[0]:F2}, max {ratios[^1]:F2})");
    }
}
