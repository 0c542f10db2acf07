namespace Qwen.Runtime;

/// <summary>How rotary position embeddings are stretched beyond the trained context (config.json <c>rope_scaling.type</c>).</summary>
public enum RopeScalingType
{
    /// <summary>No scaling: plain RoPE with <c>rope_theta</c>.</summary>
    None,

    /// <summary>Linear position interpolation: frequencies divided by <c>factor</c>.</summary>
    Linear,

    /// <summary>Dynamic NTK: the base grows with the sequence once it passes the original context.</summary>
    Dynamic,

    /// <summary>YaRN: per-dimension blend of interpolation and extrapolation, with an attention factor.</summary>
    Yarn,
}
