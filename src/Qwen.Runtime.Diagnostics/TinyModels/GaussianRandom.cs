namespace Qwen.Runtime.Diagnostics;

/// <summary>A fast seeded normal generator (xoshiro256** with the Box-Muller transform), stable across .NET versions.</summary>
internal sealed class GaussianRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public GaussianRandom(ulong seed)
    {
        // splitmix64 expands the seed into the four state words.
        ulong Next()
        {
            seed += 0x9E3779B97F4A7C15;
            var z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }

        _s0 = Next();
        _s1 = Next();
        _s2 = Next();
        _s3 = Next();
    }

    public void Fill(Span<float> values, float mean, float std)
    {
        for (var i = 0; i < values.Length; i += 2)
        {
            // Two uniforms in (0, 1] and [0, 1) from the top 53 bits each.
            var u1 = ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));
            var u2 = (NextUInt64() >> 11) * (1.0 / (1UL << 53));
            var r = Math.Sqrt(-2.0 * Math.Log(u1));
            var (sin, cos) = Math.SinCos(2 * Math.PI * u2);
            values[i] = mean + (std * (float)(r * cos));
            if (i + 1 < values.Length)
            {
                values[i + 1] = mean + (std * (float)(r * sin));
            }
        }
    }

    private ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }
}
