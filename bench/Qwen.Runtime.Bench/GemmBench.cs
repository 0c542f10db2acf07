using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Qwen.Runtime.Bench;

/// <summary>
/// The products of one prefill layer on Qwen2.5-0.5B shapes (fused q/k/v, o, fused gate/up, down) over T prompt
/// tokens: libtorch's <c>linear</c> (MKL sgemm) against the same product as a 1x1 convolution, which libtorch hands
/// to oneDNN, with the tokens as the batch (no copy either side).
/// </summary>
internal static class GemmBench
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

        var linear = new List<double>();
        var conv = new List<double>();
        var channels = new List<double>();
        Time(Linear);
        Time(Conv);
        Time(ConvChannels);
        for (var r = 0; r < repeats; r++)
        {
            linear.Add(Time(Linear));
            conv.Add(Time(Conv));
            channels.Add(Time(ConvChannels));
        }

        string Figures(List<double> t) => $"min {t.Min() * 1000:F1} ms ({flops / t.Min() / 1e9:F0} GFLOP/s), median {t.Order().ElementAt(t.Count / 2) * 1000:F1} ms";
        Console.WriteLine($"prefill products of one layer, {tokens} tokens, {dtype}, {threads} threads, {repeats} repeats (alternating)");
        Console.WriteLine($"  linear (sgemm):       {Figures(linear)}");
        Console.WriteLine($"  1x1 conv2d (oneDNN), tokens as batch:    {Figures(conv)}");
        Console.WriteLine($"  1x1 conv2d (oneDNN), channels first:     {Figures(channels)}");
        var ratios = linear.Zip(conv, (l, c) => l / c).Order().ToList();
        Console.WriteLine($"  linear/conv per pair: median {ratios[ratios.Count / 2]:F2} (min {ratios[0]:F2}, max {ratios[^1]:F2})");
        ratios = linear.Zip(channels, (l, c) => l / c).Order().ToList();
        Console.WriteLine($"  linear/conv channels first per pair: median {ratios[ratios.Count / 2]:F2} (min {ratios[0]:F2}, max {ratios[^1]:F2})");
    }
}
