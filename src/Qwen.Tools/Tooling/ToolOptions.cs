namespace Qwen.Tools;

/// <summary>Configuration shared by the built-in tools: the work directory they are confined to, and their limits.</summary>
public sealed class ToolOptions
{
    /// <summary>
    /// Gets or sets the directory the tools work in: files are read relative to it, <c>storage</c> keeps its values under
    /// <c>storage/</c>, and caches live under <c>.cache/</c>. No tool reads or writes outside it.
    /// </summary>
    /// <value>The default value is <c>workspace</c> in the current directory, as in Qwen-Agent.</value>
    public string WorkDirectory { get; set; } = "workspace";

    /// <summary>Gets or sets the limits of <c>doc_parser</c> and <c>retrieval</c> when reading documents.</summary>
    public DocumentParserOptions Documents { get; set; } = new();

    /// <summary>Gets or sets the budget and chunking of <c>retrieval</c>.</summary>
    public RetrievalOptions Retrieval { get; set; } = new();

    /// <summary>Gets or sets the limits for every URL a tool fetches (<c>web_extractor</c>, and documents given by URL).</summary>
    public WebFetchOptions Web { get; set; } = new();

    /// <summary>Gets the work directory as a full path.</summary>
    internal string WorkDirectoryPath => Path.GetFullPath(WorkDirectory);

    /// <summary>Throws when a value is missing or out of range.</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(WorkDirectory, $"{nameof(ToolOptions)}.{nameof(WorkDirectory)}");
        ArgumentNullException.ThrowIfNull(Documents, $"{nameof(ToolOptions)}.{nameof(Documents)}");
        ArgumentNullException.ThrowIfNull(Retrieval, $"{nameof(ToolOptions)}.{nameof(Retrieval)}");
        ArgumentNullException.ThrowIfNull(Web, $"{nameof(ToolOptions)}.{nameof(Web)}");
        Documents.Validate();
        Retrieval.Validate();
        Web.Validate();
    }

    /// <summary>The parser options the tools use: parse results cached in the work directory, URLs fetched with <see cref="Web"/>.</summary>
    internal DocumentParserOptions ParserOptions() =>
        Documents.With(Documents.CacheDirectory ?? Path.Combine(WorkDirectoryPath, ".cache", "documents"), Web);

    /// <summary>The retrieval options the tools use: chunk indexes cached in the work directory.</summary>
    internal RetrievalOptions RetrieverOptions() =>
        Retrieval.With(Retrieval.CacheDirectory ?? Path.Combine(WorkDirectoryPath, ".cache", "retrieval"));
}
