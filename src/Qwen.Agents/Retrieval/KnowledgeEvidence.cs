namespace Qwen.Agents;

/// <summary>A sentence or passage a strategy quoted from a document as relevant to the question (Level 2's chunk answers).</summary>
/// <param name="Source">The path or URL of the document.</param>
/// <param name="Page">The page of the chunk the quote comes from (the chunk's first page).</param>
/// <param name="Text">The quoted text, as the model wrote it.</param>
public sealed record KnowledgeEvidence(string Source, int Page, string Text);
