namespace Qwen.Tools;

/// <summary>
/// The <c>web_extractor</c> tool: fetches an HTTP(S) URL within size, time and redirect limits and returns its readable text
/// (a web page's visible text, headings and tables, or a linked document's text). Private and loopback addresses are refused
/// unless <see cref="WebFetchOptions.AllowPrivateNetworks"/> is set.
/// </summary>
public sealed class WebExtractorTool : QwenTool
{
    /// <summary>The tool's name.</summary>
    public const string ToolName = "web_extractor";

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "url": { "type": "string", "description": "The http or https URL of the page to read." }
          },
          "required": ["url"],
          "additionalProperties": false
        }
        """;

    private readonly DocumentParser _parser;

    /// <summary>Initializes a new instance of the <see cref="WebExtractorTool"/> class with its own parser.</summary>
    /// <param name="options">The web limits.</param>
    public WebExtractorTool(ToolOptions options)
        : this(options, DocParserTool.CreateParser(options))
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WebExtractorTool"/> class sharing <paramref name="parser"/>.</summary>
    /// <param name="options">The tool options.</param>
    /// <param name="parser">The parser, whose <see cref="DocumentParserOptions.Web"/> limits apply.</param>
    public WebExtractorTool(ToolOptions options, DocumentParser parser)
        : base(ToolName, "Reads a web page (or a document at a URL) and returns its text.", Schema)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(parser);
        options.Validate();
        _parser = parser;
    }

    /// <inheritdoc />
    protected override async ValueTask<ToolResult> ExecuteAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var url = arguments.GetString("url").Trim();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ToolArgumentException(ToolName, "url", $"Tool 'web_extractor': argument 'url' must be an absolute http or https URL, not '{url}'.");
        }

        var document = await _parser.ParseAsync(uri.AbsoluteUri, cancellationToken).ConfigureAwait(false);
        return ToolResult.FromText($"# {document.Title}\n{document.Text}".TrimEnd());
    }
}
