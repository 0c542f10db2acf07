namespace Qwen.Tools;

/// <summary>Reads one document format into pages of paragraphs.</summary>
internal interface IDocumentReader
{
    /// <summary>Reads <paramref name="content"/>; throws <see cref="DocumentParseException"/> for content it cannot read.</summary>
    /// <param name="content">The file's bytes.</param>
    /// <param name="fileName">The file name or URL, for messages.</param>
    /// <param name="charset">A charset declared by the source (HTTP), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Checked between pages and large elements, so a time limit stops the work.</param>
    DocumentContent Read(ReadOnlyMemory<byte> content, string fileName, string? charset, CancellationToken cancellationToken);
}
