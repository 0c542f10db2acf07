namespace Qwen.Agents;

/// <summary>How far chunk reading (Level 2) has got: chunks read so far, of how many, and how many were relevant.</summary>
/// <param name="Done">The chunks whose answer has arrived.</param>
/// <param name="Total">All chunks of the documents.</param>
/// <param name="Relevant">The chunks answered with something other than "none" so far.</param>
public sealed record ChunkReadingProgress(int Done, int Total, int Relevant);
