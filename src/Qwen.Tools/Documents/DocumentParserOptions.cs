namespace Qwen.Tools;

/// <summary>Limits and caching for <see cref="DocumentParser"/>.</summary>
public sealed class DocumentParserOptions
{
    /// <summary>Gets or sets the largest file (or downloaded document) accepted, in bytes; larger ones are refused before reading.</summary>
    /// <value>The default value is 100 MiB.</value>
    public long MaxFileBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Gets or sets how long reading one document may take before it is abandoned with a <see cref="DocumentParseException"/>.</summary>
    /// <value>The default value is 60 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the most bytes the parts of a DOCX, PPTX or XLSX package may expand to (zip bomb guard).</summary>
    /// <value>The default value is 512 MiB.</value>
    public long MaxUncompressedBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Gets or sets the highest compression ratio accepted for a package part larger than 1 MiB (zip bomb guard).</summary>
    /// <value>The default value is 200.</value>
    public int MaxCompressionRatio { get; set; } = 200;

    /// <summary>
    /// Gets or sets the directory where parse results are cached, keyed by the file's content hash and the parser version;
    /// <see langword="null"/> turns the cache off.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? CacheDirectory { get; set; }

    /// <summary>Gets or sets the limits for documents given by URL; the size limit is the smaller of <see cref="MaxFileBytes"/> and <see cref="WebFetchOptions.MaxBytes"/>.</summary>
    public WebFetchOptions Web { get; set; } = new();

    /// <summary>Returns a copy with another cache directory and web limits.</summary>
    internal DocumentParserOptions With(string? cacheDirectory, WebFetchOptions web) => new()
    {
        MaxFileBytes = MaxFileBytes,
        Timeout = Timeout,
        MaxUncompressedBytes = MaxUncompressedBytes,
        MaxCompressionRatio = MaxCompressionRatio,
        CacheDirectory = cacheDirectory,
        Web = web,
    };

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it and the allowed range.</exception>
    public void Validate()
    {
        if (MaxFileBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFileBytes), MaxFileBytes, $"{nameof(DocumentParserOptions)}.{nameof(MaxFileBytes)} must be positive.");
        }

        if (MaxFileBytes > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFileBytes), MaxFileBytes, $"{nameof(DocumentParserOptions)}.{nameof(MaxFileBytes)} must be at most {Array.MaxLength:N0} (files are read into memory).");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, $"{nameof(DocumentParserOptions)}.{nameof(Timeout)} must be positive.");
        }

        if (MaxUncompressedBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxUncompressedBytes), MaxUncompressedBytes, $"{nameof(DocumentParserOptions)}.{nameof(MaxUncompressedBytes)} must be positive.");
        }

        if (MaxCompressionRatio < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCompressionRatio), MaxCompressionRatio, $"{nameof(DocumentParserOptions)}.{nameof(MaxCompressionRatio)} must be at least 2.");
        }

        ArgumentNullException.ThrowIfNull(Web, $"{nameof(DocumentParserOptions)}.{nameof(Web)}");
        Web.Validate();
    }
}
