using System.Text;

namespace Qwen.Tools;

/// <summary>
/// The <c>doc_parser</c> tool: reads a document (PDF, DOCX, PPTX, XLSX, HTML, TXT/Markdown, CSV/TSV, JSON) from the work directory
/// or an HTTP(S) URL and returns its text with <c>[page: N]</c> markers, then a <c>[not read: ...]</c> line for each part the reader left out.
/// </summary>
public sealed class DocParserTool : QwenTool
{
    /// <summary>The tool's name.</summary>
    public const string ToolName = "doc_parser";

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "url": { "type": "string", "description": "The document to read: a path relative to the work directory, or an http(s) URL." }
          },
          "required": ["url"],
          "additionalProperties": false
        }
        """;

    private readonly DocumentParser _parser;
    private readonly string _workDirectory;

    /// <summary>Initializes a new instance of the <see cref="DocParserTool"/> class with its own parser.</summary>
    /// <param name="options">The work directory and limits.</param>
    public DocParserTool(ToolOptions options)
        : this(options, CreateParser(options))
    {
    }

    /// <summary>Initializes a new instance of the <see cref="DocParserTool"/> class sharing <paramref name="parser"/>.</summary>
    /// <param name="options">The work directory.</param>
    /// <param name="parser">The parser (with its limits and cache).</param>
    public DocParserTool(ToolOptions options, DocumentParser parser)
        : base(ToolName, "Reads a document (PDF, Word, PowerPoint, Excel, HTML, text, Markdown, CSV, JSON) and returns its text, page by page.", Schema)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(parser);
        options.Validate();
        _parser = parser;
        _workDirectory = options.WorkDirectoryPath;
    }

    /// <inheritdoc />
    protected override async ValueTask<ToolResult> ExecuteAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var url = arguments.GetString("url");
        var document = await _parser.ParseAsync(ToolFiles.Resolve(_workDirectory, url), cancellationToken).ConfigureAwait(false);
        var text = new StringBuilder();
        text.Append("# ").Append(document.Title).Append('\n');
        foreach (var page in document.Pages)
        {
            text.Append("[page: ").Append(page.Number).Append("]\n").Append(page.Text).Append('\n');
        }

        // The model is told what could not be read, so it does not take missing text for absent text.
        foreach (var warning in document.Warnings)
        {
            text.Append("[not read: ").Append(warning).Append("]\n");
        }

        return ToolResult.FromText(text.ToString().TrimEnd());
    }

    /// <summary>Creates the parser the tools use when none is shared: parse cache in the work directory, URL limits from the options.</summary>
    internal static DocumentParser CreateParser(ToolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new DocumentParser(options.ParserOptions());
    }
}
