namespace Qwen.Tools;

/// <summary>A piece of a document of at most a given number of tokens, with <c>[page: N]</c> markers, as retrieval and long-context agents use it.</summary>
/// <param name="Source">The path or URL of the document.</param>
/// <param name="Index">The 0-based position of the chunk in its document.</param>
/// <param name="Page">The page the chunk starts on.</param>
/// <param name="LastPage">The page the chunk ends on.</param>
/// <param name="Text">The text, starting with a <c>[page: N]</c> line and holding another at each page change.</param>
/// <param name="Tokens">The number of tokens in <paramref name="Text"/>.</param>
public sealed record DocumentChunk(string Source, int Index, int Page, int LastPage, string Text, int Tokens);
