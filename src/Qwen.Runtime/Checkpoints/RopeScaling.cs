namespace Qwen.Runtime;

/// <summary>The rotary-embedding scaling a checkpoint asks for, as read from <c>rope_scaling</c> or <c>rope_parameters</c>.</summary>
public sealed record RopeScaling
{
    /// <summary>Gets the kind of scaling.</summary>
    public RopeScalingType Type { get; init; }

    /// <summary>Gets the scaling factor (context extension ratio).</summary>
    /// <value>The default value is 1.</value>
    public double Factor { get; init; } = 1;

    /// <summary>Gets the context the model was trained with before scaling, when the config states it.</summary>
    public int? OriginalMaxPositionEmbeddings { get; init; }

    /// <summary>Gets YaRN's explicit attention (magnitude) factor, when the config states it.</summary>
    public double? AttentionFactor { get; init; }

    /// <summary>Gets YaRN's fast boundary, in rotations.</summary>
    /// <value>The default value is 32.</value>
    public double BetaFast { get; init; } = 32;

    /// <summary>Gets YaRN's slow boundary, in rotations.</summary>
    /// <value>The default value is 1.</value>
    public double BetaSlow { get; init; } = 1;

    /// <summary>Gets YaRN's optional <c>mscale</c>.</summary>
    public double? Mscale { get; init; }

    /// <summary>Gets YaRN's optional <c>mscale_all_dim</c>.</summary>
    public double? MscaleAllDim { get; init; }

    /// <summary>Gets whether YaRN rounds its correction range to whole dimensions.</summary>
    /// <value>The default value is true.</value>
    public bool Truncate { get; init; } = true;
}
