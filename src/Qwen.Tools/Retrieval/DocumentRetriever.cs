using System.Collections.Concurrent;
using System.Globalization;
using Lucene.Net.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.Tokenizers;

namespace Qwen.Tools;

/// <summary>
/// BM25 retrieval over files and URLs: each document is parsed, chunked and indexed once, the index cached by the document's
/// content hash (in memory, and on disk when <see cref="RetrievalOptions.CacheDirectory"/> is set), then searched within a token
/// budget. Thread-safe.
/// </summary>
public sealed class DocumentRetriever : IDisposable
{
    /// <summary>The version of the index layout; part of the cache key.</summary>
    private const int IndexVersion = 1;

    private readonly DocumentParser _parser;
    private readonly DocumentChunker _chunker;
    private readonly RetrievalOptions _options;
    private readonly ILogger _logger;
    private readonly string _tokenizerName;
    private readonly ConcurrentDictionary<string, Lazy<IndexedDocument>> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _cacheOrder = new();
    private int _indexBuilds;

    /// <summary>Initializes a new instance of the <see cref="DocumentRetriever"/> class.</summary>
    /// <param name="parser">Reads the documents (and caches their parse).</param>
    /// <param name="tokenizer">Counts tokens for chunking and budgets.</param>
    /// <param name="options">Budget, chunking and cache; defaults when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Creates the logger for index builds and cache hits; null for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public DocumentRetriever(DocumentParser parser, Tokenizer tokenizer, RetrievalOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(tokenizer);
        _options = options ?? new RetrievalOptions();
        _options.Validate();
        _parser = parser;
        _chunker = new DocumentChunker(tokenizer, _options.Chunking);
        _logger = (ILogger?)loggerFactory?.CreateLogger<DocumentRetriever>() ?? NullLogger.Instance;
        _tokenizerName = tokenizer.GetType().Name;
    }

    /// <summary>Gets the options in force.</summary>
    public RetrievalOptions Options => _options;

    /// <summary>Gets the chunker that cuts documents for the index.</summary>
    public DocumentChunker Chunker => _chunker;

    /// <summary>Gets how many per-document indexes were built (cache misses), for tests and diagnostics.</summary>
    internal int IndexBuilds => Volatile.Read(ref _indexBuilds);

    /// <summary>Retrieves the chunks of <paramref name="files"/> that best match <paramref name="query"/> within the token budget.</summary>
    /// <param name="files">Paths or URLs, in the order results are listed.</param>
    /// <param name="query">The query.</param>
    /// <param name="tokenBudget">The most tokens the chunks may add up to; <see cref="RetrievalOptions.TokenBudget"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The chunks in document order, each with its source, pages and score.</returns>
    /// <exception cref="DocumentParseException">A file cannot be parsed.</exception>
    public async Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(
        IEnumerable<string> files,
        RetrievalQuery query,
        int? tokenBudget = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var index = await OpenIndexAsync(files, cancellationToken).ConfigureAwait(false);
        return index.Search(query, tokenBudget ?? _options.TokenBudget);
    }

    /// <summary>Opens one index over <paramref name="files"/>, for several queries against the same documents.</summary>
    /// <param name="files">Paths or URLs; a file whose content repeats an earlier one is skipped.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The index; dispose it when done (the cached per-document indexes stay with the retriever).</returns>
    /// <exception cref="DocumentParseException">A file cannot be parsed.</exception>
    public async Task<ChunkIndex> OpenIndexAsync(IEnumerable<string> files, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        var documents = new List<(IndexedDocument, IReadOnlyList<DocumentChunk>)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var parsed = await _parser.ParseAsync(file, cancellationToken).ConfigureAwait(false);
            if (!seen.Add(parsed.ContentHash))
            {
                ToolsLog.DuplicateDocumentSkipped(_logger, file);
                continue;
            }

            var indexed = await Task.Run(() => GetOrBuild(parsed, cancellationToken), cancellationToken).ConfigureAwait(false);

            // The cached index may have been built from the same content under another path; report the path asked for.
            var chunks = indexed.Chunks.Count > 0 && indexed.Chunks[0].Source != file
                ? [.. indexed.Chunks.Select(c => c with { Source = file })]
                : indexed.Chunks;
            documents.Add((indexed, chunks));
        }

        return new ChunkIndex(documents, ownsDocuments: false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var entry in _cache.Values)
        {
            if (entry.IsValueCreated)
            {
                entry.Value.Dispose();
            }
        }

        _cache.Clear();
    }

    private IndexedDocument GetOrBuild(ParsedDocument document, CancellationToken cancellationToken)
    {
        var key = string.Create(
            CultureInfo.InvariantCulture,
            $"{document.ContentHash}.c{_options.Chunking.MaxTokens}-{_options.Chunking.OverlapTokens}.{_tokenizerName}.p{DocumentParser.Version}.i{IndexVersion}");
        var entry = _cache.GetOrAdd(key, k => new Lazy<IndexedDocument>(() =>
        {
            var built = LoadOrBuild(k, document, cancellationToken);
            _cacheOrder.Enqueue(k);
            return built;
        }));
        try
        {
            var value = entry.Value;
            Evict();
            return value;
        }
        catch
        {
            // A failed build is not cached: the next call tries again.
            _cache.TryRemove(new KeyValuePair<string, Lazy<IndexedDocument>>(key, entry));
            throw;
        }
    }

    private IndexedDocument LoadOrBuild(string key, ParsedDocument document, CancellationToken cancellationToken)
    {
        var folder = _options.CacheDirectory is null ? null : Path.Combine(_options.CacheDirectory, key);
        if (folder is not null && System.IO.Directory.Exists(folder))
        {
            try
            {
                var loaded = IndexedDocument.Open(FSDirectory.Open(folder));
                ToolsLog.IndexCacheHit(_logger, document.Source, key);
                return loaded;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or Lucene.Net.Index.CorruptIndexException or UnauthorizedAccessException)
            {
                ToolsLog.IndexCacheUnreadable(_logger, folder, e.Message);
                TryDelete(folder);
            }
        }

        var chunks = _chunker.Split(document, cancellationToken);
        Interlocked.Increment(ref _indexBuilds);
        ToolsLog.Indexing(_logger, chunks.Count, document.Source);
        if (folder is null)
        {
            return IndexedDocument.Build(chunks, new RAMDirectory(), cancellationToken);
        }

        // Built under a temporary name and renamed, so that another process never opens a half-written index.
        var temporary = $"{folder}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        IndexedDocument.Build(chunks, FSDirectory.Open(temporary), cancellationToken).Dispose();
        try
        {
            System.IO.Directory.Move(temporary, folder);
        }
        catch (IOException) when (System.IO.Directory.Exists(folder))
        {
            TryDelete(temporary);
        }

        return IndexedDocument.Open(FSDirectory.Open(folder));
    }

    private void Evict()
    {
        // Dropped indexes are left to the garbage collector rather than disposed: an open ChunkIndex may still be reading them.
        while (_cacheOrder.Count > _options.MaxCachedDocuments && _cacheOrder.TryDequeue(out var oldest))
        {
            _cache.TryRemove(oldest, out _);
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leftovers of a failed write do no harm; the next build uses a fresh temporary name.
        }
    }
}
