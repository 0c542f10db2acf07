namespace Qwen.Runtime;

/// <summary>How the next token is chosen from the logits: greedy, or sampled with temperature, top-k, top-p, min-p and penalties.</summary>
/// <remarks>
/// Order of application (as in transformers / vLLM): repetition penalty (prompt and generated tokens), presence and
/// frequency penalties (generated tokens), then temperature, top-k, top-p and min-p, then a draw from the rest.
/// </remarks>
public sealed record SamplingOptions
{
    /// <summary>Gets greedy decoding: always the most likely token.</summary>
    public static SamplingOptions Greedy { get; } = new() { Temperature = 0 };

    /// <summary>Gets the temperature; 0 means greedy.</summary>
    /// <value>The default value is 1.</value>
    public double Temperature { get; init; } = 1;

    /// <summary>Gets how many of the most likely tokens stay candidates; 0 keeps all.</summary>
    /// <value>The default value is 0.</value>
    public int TopK { get; init; }

    /// <summary>Gets the nucleus: the smallest set of most likely tokens whose probability reaches it; 1 keeps all.</summary>
    /// <value>The default value is 1.</value>
    public double TopP { get; init; } = 1;

    /// <summary>Gets the minimum probability, relative to the most likely token's, a candidate needs; 0 keeps all.</summary>
    /// <value>The default value is 0.</value>
    public double MinP { get; init; }

    /// <summary>Gets the repetition penalty over prompt and generated tokens (positive logits divided, negative multiplied); 1 is off.</summary>
    /// <value>The default value is 1.</value>
    public double RepetitionPenalty { get; init; } = 1;

    /// <summary>Gets the amount subtracted from the logit of every token generated at least once; 0 is off.</summary>
    /// <value>The default value is 0.</value>
    public double PresencePenalty { get; init; }

    /// <summary>Gets the amount subtracted per earlier generation of a token; 0 is off.</summary>
    /// <value>The default value is 0.</value>
    public double FrequencyPenalty { get; init; }

    /// <summary>Gets the random seed; the same seed, prompt and options give the same tokens. Null draws a fresh seed.</summary>
    /// <value>The default value is null.</value>
    public int? Seed { get; init; }

    /// <summary>Gets whether these options pick the most likely token (temperature 0).</summary>
    public bool IsGreedy => Temperature == 0;

    /// <summary>The sampling a checkpoint's generation_config.json asks for (greedy unless it sets <c>do_sample</c>).</summary>
    /// <param name="config">The checkpoint's generation defaults.</param>
    /// <returns>The corresponding options.</returns>
    public static SamplingOptions FromGenerationConfig(GenerationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var penalty = config.RepetitionPenalty ?? 1;
        if (!config.DoSample)
        {
            return Greedy with { RepetitionPenalty = penalty };
        }

        return new SamplingOptions
        {
            Temperature = config.Temperature ?? 1,
            TopK = config.TopK ?? 0,
            TopP = config.TopP ?? 1,
            MinP = config.MinP ?? 0,
            RepetitionPenalty = penalty,
        };
    }

    /// <summary>Checks every field's range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field is out of range; the message names it.</exception>
    public void Validate()
    {
        static void Check(bool ok, string name, object value, string expected)
        {
            if (!ok)
            {
                throw new ArgumentOutOfRangeException(name, value, $"SamplingOptions.{name} must be {expected}.");
            }
        }

        Check(double.IsFinite(Temperature) && Temperature >= 0, nameof(Temperature), Temperature, "a finite number >= 0");
        Check(TopK >= 0, nameof(TopK), TopK, ">= 0");
        Check(TopP is > 0 and <= 1, nameof(TopP), TopP, "in (0, 1]");
        Check(MinP is >= 0 and <= 1, nameof(MinP), MinP, "in [0, 1]");
        Check(double.IsFinite(RepetitionPenalty) && RepetitionPenalty > 0, nameof(RepetitionPenalty), RepetitionPenalty, "a finite number > 0");
        Check(double.IsFinite(PresencePenalty), nameof(PresencePenalty), PresencePenalty, "finite");
        Check(double.IsFinite(FrequencyPenalty), nameof(FrequencyPenalty), FrequencyPenalty, "finite");
    }
}
