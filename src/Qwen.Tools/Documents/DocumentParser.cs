using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Qwen.Tools;

/// <summary>
/// Reads documents (PDF, DOCX, PPTX, XLSX, HTML, TXT/Markdown, CSV/TSV, JSON) from a path or URL into a <see cref="ParsedDocument"/>,
/// within size and time limits, caching results on disk by content hash and parser version. Thread-safe.
/// </summary>
public sealed class DocumentParser : IDisposable
{
    /// <summary>The version of the parsers' output; part of the cache key, raised whenever any reader's output changes.</summary>
    public const int Version = 2;

    private readonly DocumentParserOptions _options;
    private readonly ILogger _logger;
    private readonly Lazy<WebFetcher> _fetcher;
    private int _readerRuns;

    /// <summary>Initializes a new instance of the <see cref="DocumentParser"/> class.</summary>
    /// <param name="options">Limits and cache; defaults when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Creates the logger for parses, cache hits and timings; null for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public DocumentParser(DocumentParserOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new DocumentParserOptions();
        _options.Validate();
        _logger = (ILogger?)loggerFactory?.CreateLogger<DocumentParser>() ?? NullLogger.Instance;
        _fetcher = new Lazy<WebFetcher>(() => new WebFetcher(_options.Web));
    }

    /// <summary>Gets the options in force.</summary>
    public DocumentParserOptions Options => _options;

    /// <summary>Gets how many times a reader actually ran (cache misses), for tests and diagnostics.</summary>
    internal int ReaderRuns => Volatile.Read(ref _readerRuns);

    /// <summary>Reads the document at <paramref name="pathOrUrl"/>.</summary>
    /// <param name="pathOrUrl">A file path, or an <c>http://</c> or <c>https://</c> URL.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The parsed document.</returns>
    /// <exception cref="DocumentParseException">The file is missing, too large, of an unknown type, damaged, encrypted, a zip bomb, or too slow to read.</exception>
    public async Task<ParsedDocument> ParseAsync(string pathOrUrl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrUrl);
        if (IsUrl(pathOrUrl))
        {
            return await ParseUrlAsync(pathOrUrl, cancellationToken).ConfigureAwait(false);
        }

        var info = new FileInfo(pathOrUrl);
        if (!info.Exists)
        {
            throw new DocumentParseException(pathOrUrl, Directory.Exists(pathOrUrl) ? "it is a directory, not a file." : "the file does not exist.");
        }

        var format = DocumentFormats.FromExtension(info.Name, pathOrUrl);
        if (info.Length > _options.MaxFileBytes)
        {
            throw TooLarge(pathOrUrl, info.Length);
        }

        byte[] content;
        try
        {
            content = await File.ReadAllBytesAsync(info.FullName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DocumentParseException(pathOrUrl, $"the file cannot be read ({e.Message}).", e);
        }

        return await ParseCoreAsync(content, pathOrUrl, Path.GetFileNameWithoutExtension(info.Name), format, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a document held in memory.</summary>
    /// <param name="content">The document's bytes.</param>
    /// <param name="fileName">Its file name; the extension tells the format.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The parsed document, whose <see cref="ParsedDocument.Source"/> is <paramref name="fileName"/>.</returns>
    /// <exception cref="DocumentParseException">The content is too large, of an unknown type, damaged, encrypted, a zip bomb, or too slow to read.</exception>
    public async Task<ParsedDocument> ParseAsync(ReadOnlyMemory<byte> content, string fileName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        var format = DocumentFormats.FromExtension(fileName, fileName);
        if (content.Length > _options.MaxFileBytes)
        {
            throw TooLarge(fileName, content.Length);
        }

        return await ParseCoreAsync(content, fileName, Path.GetFileNameWithoutExtension(fileName), format, null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_fetcher.IsValueCreated)
        {
            _fetcher.Value.Dispose();
        }
    }

    /// <summary>Returns whether <paramref name="value"/> is an HTTP or HTTPS URL rather than a path.</summary>
    internal static bool IsUrl(string value) =>
        value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a fetched web resource, choosing the reader from its media type, then its URL's extension, then its first bytes.</summary>
    internal Task<ParsedDocument> ParseResourceAsync(WebResource resource, string url, CancellationToken cancellationToken)
    {
        var name = Uri.UnescapeDataString(resource.Url.Segments.LastOrDefault()?.Trim('/') ?? string.Empty);
        if (!DocumentFormats.TryFromMediaType(resource.MediaType, out var format) && !DocumentFormats.TryFromExtension(name, out format))
        {
            var head = resource.Content.Span[..Math.Min(resource.Content.Length, 512)];
            format = head.IndexOf("%PDF-"u8) >= 0 ? DocumentFormat.Pdf
                : head.TrimStart(" \t\r\n"u8).StartsWith("<"u8) ? DocumentFormat.Html
                : throw new DocumentParseException(url, $"the server sent '{resource.MediaType ?? "no content type"}', which is not a supported document type.");
        }

        var title = string.IsNullOrEmpty(name) ? resource.Url.Host : Path.GetFileNameWithoutExtension(name);
        return ParseCoreAsync(resource.Content, url, title, format, resource.Charset, cancellationToken);
    }

    private async Task<ParsedDocument> ParseUrlAsync(string url, CancellationToken cancellationToken)
    {
        WebResource resource;
        try
        {
            resource = await _fetcher.Value.FetchAsync(url, Math.Min(_options.MaxFileBytes, _options.Web.MaxBytes), cancellationToken).ConfigureAwait(false);
        }
        catch (WebFetchException e)
        {
            throw new DocumentParseException(url, e.Reason, e);
        }

        return await ParseResourceAsync(resource, url, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ParsedDocument> ParseCoreAsync(
        ReadOnlyMemory<byte> content,
        string source,
        string fallbackTitle,
        DocumentFormat format,
        string? charset,
        CancellationToken cancellationToken)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(content.Span));
        var cachePath = _options.CacheDirectory is null ? null : Path.Combine(_options.CacheDirectory, $"{hash}.v{Version}.json");
        if (cachePath is not null && await TryReadCacheAsync(cachePath, cancellationToken).ConfigureAwait(false) is { } cached)
        {
            ToolsLog.ParseCacheHit(_logger, source, hash);
            var warnings = cached.Warnings ?? [];
            LogWarnings(source, warnings);
            return new ParsedDocument(source, cached.Title ?? fallbackTitle, hash, [.. cached.Pages.Select(p => new DocumentPage(p.Number, p.Paragraphs))]) { Warnings = warnings };
        }

        var reader = DocumentFormats.CreateReader(format, _options);
        var stopwatch = Stopwatch.StartNew();
        var read = await RunWithTimeLimitAsync(reader, content, source, charset, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _readerRuns);
        ToolsLog.DocumentParsed(_logger, source, format, read.Pages.Count, stopwatch.ElapsedMilliseconds);
        LogWarnings(source, read.Warnings);

        if (cachePath is not null)
        {
            await WriteCacheAsync(cachePath, read, cancellationToken).ConfigureAwait(false);
        }

        return new ParsedDocument(source, read.Title ?? fallbackTitle, hash, read.Pages) { Warnings = read.Warnings };
    }

    /// <summary>Logs what the reader left out, a warning each time the document is parsed (from the cache too), as the caller may only see the log.</summary>
    private void LogWarnings(string source, IReadOnlyList<string> warnings)
    {
        foreach (var warning in warnings)
        {
            ToolsLog.DocumentPartLeftOut(_logger, source, warning);
        }
    }

    private async Task<DocumentContent> RunWithTimeLimitAsync(
        IDocumentReader reader,
        ReadOnlyMemory<byte> content,
        string source,
        string? charset,
        CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_options.Timeout);
        var token = limit.Token;

        // Readers are synchronous and may run for long; each gets a thread of its own (not a pool thread), so a busy pool
        // cannot hold back the timer that enforces the limit. They check the token between pages and large elements; if one
        // is stuck inside a library call, the caller still gets its answer on time and the reader stops at its next check.
        // The timer's callback itself runs on the pool, so a starved pool can still fire it late; the elapsed time is checked
        // again once the reader returns, so a read that overran the limit never counts as a success.
        var elapsed = Stopwatch.StartNew();
        var work = Task.Factory.StartNew(
            () => reader.Read(content, source, charset, token), token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            var read = await work.WaitAsync(token).ConfigureAwait(false);
            return elapsed.Elapsed <= _options.Timeout ? read : throw TooSlow(source);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _ = work.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw TooSlow(source);
        }
        catch (Exception e) when (e is not DocumentParseException and not OperationCanceledException)
        {
            throw new DocumentParseException(source, $"the content could not be read ({e.Message}).", e);
        }
    }

    private DocumentParseException TooSlow(string source) =>
        new(source, $"reading took longer than the {_options.Timeout.TotalSeconds:0.#} s limit ({nameof(DocumentParserOptions)}.{nameof(DocumentParserOptions.Timeout)}).");

    private async Task<CachedDocument?> TryReadCacheAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var stream = File.OpenRead(path);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(stream, DocumentCacheJsonContext.Default.CachedDocument, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            ToolsLog.ParseCacheUnreadable(_logger, path, e.Message);
            return null;
        }
    }

    private async Task WriteCacheAsync(string path, DocumentContent content, CancellationToken cancellationToken)
    {
        var document = new CachedDocument(content.Title, [.. content.Pages.Select(p => new CachedPage(p.Number, [.. p.Paragraphs]))], content.Warnings.Count > 0 ? [.. content.Warnings] : null);
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var stream = File.Create(temporary);
            await using (stream.ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(stream, document, DocumentCacheJsonContext.Default.CachedDocument, cancellationToken).ConfigureAwait(false);
            }

            // Renaming makes the entry appear whole or not at all, even with several processes sharing the directory.
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ToolsLog.ParseCacheNotWritten(_logger, path, e.Message);
            File.Delete(temporary);
        }
    }

    private DocumentParseException TooLarge(string source, long size) =>
        new(source, $"the file is {size:N0} bytes, over the limit of {_options.MaxFileBytes:N0} bytes ({nameof(DocumentParserOptions)}.{nameof(DocumentParserOptions.MaxFileBytes)}).");
}
