using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Qwen.Tools;

/// <summary>
/// The <c>retrieval</c> tool: BM25 search over documents for the chunks most relevant to a query, within a token budget,
/// returned in document order with their file and page.
/// </summary>
public sealed class RetrievalTool : QwenTool
{
    /// <summary>The tool's name.</summary>
    public const string ToolName = "retrieval";

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "query": { "type": "string", "description": "What to look for: a question, sentences, or keywords (a JSON list, or Qwen-Agent's {\"keywords_en\": [...], \"keywords_zh\": [...], \"text\": ...})." },
            "files": { "type": "array", "items": { "type": "string" }, "minItems": 1, "description": "The documents to search: paths relative to the work directory, or http(s) URLs." }
          },
          "required": ["query", "files"],
          "additionalProperties": false
        }
        """;

    private readonly DocumentRetriever _retriever;
    private readonly string _workDirectory;

    /// <summary>Initializes a new instance of the <see cref="RetrievalTool"/> class with its own parser and retriever.</summary>
    /// <param name="options">The work directory, limits and budget.</param>
    /// <param name="tokenizer">Counts tokens for chunks and the budget.</param>
    public RetrievalTool(ToolOptions options, Tokenizer tokenizer)
        : this(options, CreateRetriever(options, DocParserTool.CreateParser(options), tokenizer))
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RetrievalTool"/> class sharing <paramref name="retriever"/>.</summary>
    /// <param name="options">The work directory.</param>
    /// <param name="retriever">The retriever (with its budget and index cache).</param>
    public RetrievalTool(ToolOptions options, DocumentRetriever retriever)
        : base(ToolName, "Finds the passages of documents most relevant to a query (BM25) and returns them with their file and page.", Schema)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(retriever);
        options.Validate();
        _retriever = retriever;
        _workDirectory = options.WorkDirectoryPath;
    }

    /// <inheritdoc />
    protected override async ValueTask<ToolResult> ExecuteAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var query = RetrievalQuery.Parse(arguments.GetString("query"));
        var files = arguments.GetStringList("files").Select(f => ToolFiles.Resolve(_workDirectory, f)).ToList();
        var chunks = await _retriever.RetrieveAsync(files, query, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (chunks.Count == 0)
        {
            return ToolResult.FromText("No passage of the documents fits the query within the token budget.");
        }

        var text = new StringBuilder();
        foreach (var chunk in chunks)
        {
            var source = chunk.Chunk.Source.StartsWith(_workDirectory, StringComparison.Ordinal)
                ? Path.GetRelativePath(_workDirectory, chunk.Chunk.Source)
                : chunk.Chunk.Source;
            text.Append(CultureInfo.InvariantCulture, $"[file: {source}] [score: {chunk.Score:0.###}]\n{chunk.Chunk.Text}\n\n");
        }

        return ToolResult.FromText(text.ToString().TrimEnd());
    }

    /// <summary>Creates the retriever the tools use when none is shared: index cache in the work directory.</summary>
    internal static DocumentRetriever CreateRetriever(ToolOptions options, DocumentParser parser, Tokenizer tokenizer) =>
        new(parser, tokenizer, options.RetrieverOptions());
}
