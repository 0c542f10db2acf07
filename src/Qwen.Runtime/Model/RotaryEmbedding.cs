using TorchSharp;
using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>Rotary position embedding tables (rotate-half / NEOX layout) for a range of positions, with every RoPE scaling Qwen checkpoints use.</summary>
/// <remarks>
/// Angles and their cosines are computed in double precision and rounded once, so long positions lose no accuracy.
/// The sine table is returned with the first half negated, so that <c>rotate_half(x) * sin == roll(x, half) * signedSin</c>.
/// </remarks>
internal sealed class RotaryEmbedding
{
    private readonly ModelConfig _config;
    private readonly double[] _invFreq;
    private readonly double _attentionFactor;

    public RotaryEmbedding(ModelConfig config)
    {
        _config = config;
        (_invFreq, _attentionFactor) = ComputeParameters(config, seqLen: null);
    }

    public int HeadDim => _config.HeadDim;

    /// <summary>The inverse frequencies and cos/sin magnitude for a sequence whose last position is <paramref name="seqLen"/> - 1.</summary>
    public static (double[] InvFreq, double AttentionFactor) ComputeParameters(ModelConfig config, long? seqLen)
    {
        var dim = config.HeadDim;
        var half = dim / 2;
        var theta = config.RopeTheta;
        var scaling = config.RopeScaling;
        var inv = new double[half];
        for (var i = 0; i < half; i++)
        {
            inv[i] = 1.0 / Math.Pow(theta, 2.0 * i / dim);
        }

        switch (scaling?.Type ?? RopeScalingType.None)
        {
            case RopeScalingType.None:
                return (inv, 1.0);

            case RopeScalingType.Linear:
                return ([.. inv.Select(f => f / scaling!.Factor)], 1.0);

            case RopeScalingType.Dynamic:
            {
                // transformers' dynamic NTK: the base grows once the sequence passes max_position_embeddings.
                var maxPos = (double)config.MaxPositionEmbeddings;
                var len = Math.Max(seqLen ?? config.MaxPositionEmbeddings, maxPos);
                var factor = scaling!.Factor;
                var baseScaled = theta * Math.Pow((factor * len / maxPos) - (factor - 1), dim / (dim - 2.0));
                for (var i = 0; i < half; i++)
                {
                    inv[i] = 1.0 / Math.Pow(baseScaled, 2.0 * i / dim);
                }

                return (inv, 1.0);
            }

            case RopeScalingType.Yarn:
                return Yarn(config, scaling!, inv);

            default:
                throw new NotSupportedException($"RoPE scaling {scaling?.Type} is not supported");
        }
    }

    /// <summary>Cos and signed-sin tables of shape [length, head_dim] for positions start .. start+length-1.</summary>
    public (Tensor Cos, Tensor SignedSin) Tables(long start, long length, ScalarType dtype, Device device)
    {
        var dim = _config.HeadDim;
        var cos = new float[length * dim];
        var sin = new float[length * dim];
        Fill(start, length, cos, sin);
        var cosT = tensor(cos, [length, dim]);
        var sinT = tensor(sin, [length, dim]);
        if (dtype == ScalarType.Float32 && device.type == DeviceType.CPU)
        {
            return (cosT, sinT);
        }

        return (cosT.to(dtype, device, disposeAfter: true), sinT.to(dtype, device, disposeAfter: true));
    }

    /// <summary>Writes the cos and signed-sin rows (head_dim each) for <paramref name="length"/> positions from <paramref name="start"/>.</summary>
    public void Fill(long start, long length, Span<float> cos, Span<float> signedSin)
    {
        var (inv, scale) = _config.RopeScaling?.Type == RopeScalingType.Dynamic && start + length > _config.MaxPositionEmbeddings
            ? ComputeParameters(_config, start + length)
            : (_invFreq, _attentionFactor);
        var half = inv.Length;
        var dim = half * 2;
        for (long t = 0; t < length; t++)
        {
            var pos = (double)(start + t);
            var row = (int)(t * dim);
            for (var i = 0; i < half; i++)
            {
                var (s, c) = Math.SinCos(pos * inv[i]);
                var cs = (float)(c * scale);
                var sn = (float)(s * scale);
                cos[row + i] = cs;
                cos[row + half + i] = cs;
                signedSin[row + i] = -sn;
                signedSin[row + half + i] = sn;
            }
        }
    }

    private static (double[] InvFreq, double AttentionFactor) Yarn(ModelConfig config, RopeScaling s, double[] extrapolation)
    {
        var dim = config.HeadDim;
        var half = dim / 2;
        var factor = s.Factor;
        var original = s.OriginalMaxPositionEmbeddings ?? config.MaxPositionEmbeddings;

        static double GetMscale(double scale, double m = 1) => scale <= 1 ? 1.0 : (0.1 * m * Math.Log(scale)) + 1.0;

        var attentionFactor = s.AttentionFactor
            ?? (s.Mscale is { } m && m != 0 && s.MscaleAllDim is { } mAll && mAll != 0
                ? GetMscale(factor, m) / GetMscale(factor, mAll)
                : GetMscale(factor));

        double CorrectionDim(double rotations) =>
            dim * Math.Log(original / (rotations * 2 * Math.PI)) / (2 * Math.Log(config.RopeTheta));

        var low = CorrectionDim(s.BetaFast);
        var high = CorrectionDim(s.BetaSlow);
        if (s.Truncate)
        {
            low = Math.Floor(low);
            high = Math.Ceiling(high);
        }

        low = Math.Max(low, 0);
        high = Math.Min(high, dim - 1);
        if (low == high)
        {
            high += 0.001;
        }

        var inv = new double[half];
        for (var i = 0; i < half; i++)
        {
            var ramp = Math.Clamp((i - low) / (high - low), 0, 1);
            var extrapolationWeight = 1 - ramp;
            var interpolation = extrapolation[i] / factor;
            inv[i] = (interpolation * (1 - extrapolationWeight)) + (extrapolation[i] * extrapolationWeight);
        }

        return (inv, attentionFactor);
    }
}
