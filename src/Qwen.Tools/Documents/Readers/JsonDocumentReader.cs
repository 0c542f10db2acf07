using System.Text;
using System.Text.Json;

namespace Qwen.Tools;

/// <summary>Reads JSON: checks it is well formed and lays it out indented, one value a line, as one page.</summary>
internal sealed class JsonDocumentReader : IDocumentReader
{
    public DocumentContent Read(ReadOnlyMemory<byte> content, string fileName, string? charset, CancellationToken cancellationToken)
    {
        var text = TextDecoder.Decode(content.Span, charset);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new DocumentParseException(fileName, $"not valid JSON ({e.Message}).", e);
        }

        using (document)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                document.WriteTo(writer);
            }

            var pretty = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            return new DocumentContent(null, [new DocumentPage(1, [new DocumentParagraph(DocumentParagraphKind.Text, pretty)])]);
        }
    }
}
