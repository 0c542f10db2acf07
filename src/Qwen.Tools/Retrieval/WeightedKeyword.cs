namespace Qwen.Tools;

/// <summary>A keyword (a word or a short phrase) of a retrieval query, with how much it counts.</summary>
/// <param name="Text">The keyword.</param>
/// <param name="Weight">How much it counts relative to others (1 = as much as a word of the question).</param>
public sealed record WeightedKeyword(string Text, double Weight = 1);
