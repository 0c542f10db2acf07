namespace Qwen.Tools;

/// <summary>A chunk found by retrieval, with its BM25 score (0 for chunks returned without a match, such as the start of a document).</summary>
/// <param name="Chunk">The chunk, with its source and pages.</param>
/// <param name="Score">The BM25 score.</param>
public sealed record RetrievedChunk(DocumentChunk Chunk, double Score);
