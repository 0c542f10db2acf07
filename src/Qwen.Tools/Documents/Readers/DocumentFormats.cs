namespace Qwen.Tools;

/// <summary>Maps file extensions and media types to formats, and formats to readers.</summary>
internal static class DocumentFormats
{
    private static readonly Dictionary<string, DocumentFormat> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = DocumentFormat.Pdf,
        [".docx"] = DocumentFormat.Docx,
        [".pptx"] = DocumentFormat.Pptx,
        [".xlsx"] = DocumentFormat.Xlsx,
        [".docm"] = DocumentFormat.Docx,
        [".pptm"] = DocumentFormat.Pptx,
        [".xlsm"] = DocumentFormat.Xlsx,
        [".dotx"] = DocumentFormat.Docx,
        [".dotm"] = DocumentFormat.Docx,
        [".potx"] = DocumentFormat.Pptx,
        [".potm"] = DocumentFormat.Pptx,
        [".ppsx"] = DocumentFormat.Pptx,
        [".ppsm"] = DocumentFormat.Pptx,
        [".xltx"] = DocumentFormat.Xlsx,
        [".xltm"] = DocumentFormat.Xlsx,
        [".html"] = DocumentFormat.Html,
        [".htm"] = DocumentFormat.Html,
        [".xhtml"] = DocumentFormat.Html,
        [".txt"] = DocumentFormat.Text,
        [".text"] = DocumentFormat.Text,
        [".md"] = DocumentFormat.Text,
        [".markdown"] = DocumentFormat.Text,
        [".csv"] = DocumentFormat.Csv,
        [".tsv"] = DocumentFormat.Tsv,
        [".tab"] = DocumentFormat.Tsv,
        [".json"] = DocumentFormat.Json,
    };

    private static readonly Dictionary<string, DocumentFormat> ByMediaType = new(StringComparer.OrdinalIgnoreCase)
    {
        ["application/pdf"] = DocumentFormat.Pdf,
        ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"] = DocumentFormat.Docx,
        ["application/vnd.openxmlformats-officedocument.presentationml.presentation"] = DocumentFormat.Pptx,
        ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = DocumentFormat.Xlsx,
        ["application/vnd.ms-word.document.macroEnabled.12"] = DocumentFormat.Docx,
        ["application/vnd.ms-powerpoint.presentation.macroEnabled.12"] = DocumentFormat.Pptx,
        ["application/vnd.ms-excel.sheet.macroEnabled.12"] = DocumentFormat.Xlsx,
        ["application/vnd.openxmlformats-officedocument.wordprocessingml.template"] = DocumentFormat.Docx,
        ["application/vnd.ms-word.template.macroEnabled.12"] = DocumentFormat.Docx,
        ["application/vnd.openxmlformats-officedocument.presentationml.template"] = DocumentFormat.Pptx,
        ["application/vnd.ms-powerpoint.template.macroEnabled.12"] = DocumentFormat.Pptx,
        ["application/vnd.openxmlformats-officedocument.presentationml.slideshow"] = DocumentFormat.Pptx,
        ["application/vnd.ms-powerpoint.slideshow.macroEnabled.12"] = DocumentFormat.Pptx,
        ["application/vnd.openxmlformats-officedocument.spreadsheetml.template"] = DocumentFormat.Xlsx,
        ["application/vnd.ms-excel.template.macroEnabled.12"] = DocumentFormat.Xlsx,
        ["text/html"] = DocumentFormat.Html,
        ["application/xhtml+xml"] = DocumentFormat.Html,
        ["text/plain"] = DocumentFormat.Text,
        ["text/markdown"] = DocumentFormat.Text,
        ["text/csv"] = DocumentFormat.Csv,
        ["text/tab-separated-values"] = DocumentFormat.Tsv,
        ["application/json"] = DocumentFormat.Json,
    };

    private static readonly Dictionary<string, string> Legacy = new(StringComparer.OrdinalIgnoreCase)
    {
        [".doc"] = ".docx",
        [".ppt"] = ".pptx",
        [".xls"] = ".xlsx",
    };

    /// <summary>Gets the supported extensions, for messages.</summary>
    public static string SupportedExtensions => string.Join(", ", ByExtension.Keys);

    /// <summary>Finds the format of a file by its extension.</summary>
    /// <exception cref="DocumentParseException">The extension is unknown or a legacy Office format.</exception>
    public static DocumentFormat FromExtension(string fileName, string displayName)
    {
        if (TryFromExtension(fileName, out var format))
        {
            return format;
        }

        var extension = Path.GetExtension(fileName);
        if (Legacy.TryGetValue(extension, out var modern))
        {
            throw new DocumentParseException(displayName, $"the legacy binary Office format '{extension}' is not supported; save it as '{modern}'.");
        }

        throw new DocumentParseException(
            displayName,
            extension.Length == 0
                ? $"the file has no extension to tell its type; supported: {SupportedExtensions}."
                : $"the file type '{extension}' is not supported; supported: {SupportedExtensions}.");
    }

    /// <summary>Finds the format of a file by its extension, if known.</summary>
    public static bool TryFromExtension(string fileName, out DocumentFormat format) =>
        ByExtension.TryGetValue(Path.GetExtension(fileName), out format);

    /// <summary>Finds the format of a media type, if known.</summary>
    public static bool TryFromMediaType(string? mediaType, out DocumentFormat format)
    {
        format = default;
        return mediaType is not null && ByMediaType.TryGetValue(mediaType, out format);
    }

    /// <summary>Creates the reader for <paramref name="format"/>.</summary>
    public static IDocumentReader CreateReader(DocumentFormat format, DocumentParserOptions options) => format switch
    {
        DocumentFormat.Pdf => new PdfDocumentReader(),
        DocumentFormat.Docx => new WordDocumentReader(options),
        DocumentFormat.Pptx => new PresentationReader(options),
        DocumentFormat.Xlsx => new SpreadsheetReader(options),
        DocumentFormat.Html => new HtmlDocumentReader(),
        DocumentFormat.Text => new PlainTextReader(),
        DocumentFormat.Csv => new DelimitedTextReader(','),
        DocumentFormat.Tsv => new DelimitedTextReader('\t'),
        DocumentFormat.Json => new JsonDocumentReader(),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown document format."),
    };
}
