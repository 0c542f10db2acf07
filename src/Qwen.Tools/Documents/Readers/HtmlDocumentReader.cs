using System.Text;
using System.Text.RegularExpressions;

namespace Qwen.Tools;

/// <summary>Reads HTML: the visible text, headings and tables of the page (see <see cref="HtmlTextExtractor"/>), as one page.</summary>
internal sealed partial class HtmlDocumentReader : IDocumentReader
{
    public DocumentContent Read(ReadOnlyMemory<byte> content, string fileName, string? charset, CancellationToken cancellationToken)
    {
        var html = TextDecoder.Decode(content.Span, charset ?? MetaCharset(content.Span));
        var (title, paragraphs) = HtmlTextExtractor.Extract(html, cancellationToken);
        return new DocumentContent(string.IsNullOrWhiteSpace(title) ? null : title, [new DocumentPage(1, paragraphs)]);
    }

    /// <summary>The charset a <c>&lt;meta&gt;</c> tag declares in the first kilobytes, as browsers look for it.</summary>
    private static string? MetaCharset(ReadOnlySpan<byte> bytes)
    {
        var head = Encoding.ASCII.GetString(bytes[..Math.Min(bytes.Length, 4096)]);
        var match = MetaCharsetPattern().Match(head);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"<meta[^>]+charset\s*=\s*[""']?\s*([A-Za-z0-9_\-:.]+)", RegexOptions.IgnoreCase)]
    private static partial Regex MetaCharsetPattern();
}
