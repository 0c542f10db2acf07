using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>RMSNorm as Qwen defines it: x * rsqrt(mean(x²) + eps) computed in float32, then scaled by the weight in the model dtype.</summary>
internal static class RmsNorm
{
    public static Tensor Apply(Tensor x, Tensor weight, double eps)
    {
        if (x.dtype == ScalarType.Float32)
        {
            var scale = x.square().mean([-1], keepdim: true).add_(eps).rsqrt_();
            return (x * scale).mul_(weight);
        }

        var x32 = x.to(ScalarType.Float32);
        var r = x32.square().mean([-1], keepdim: true).add_(eps).rsqrt_();
        return x32.mul_(r).to(x.dtype).mul_(weight);
    }
}
