using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Qwen.Tools;

namespace Qwen.Agents;

/// <summary>
/// An agent's documents: opens one BM25 index over a set of files and keeps it, so a later question on the same files
/// (same paths, sizes and modification times, or the same URLs) neither reads nor parses them again; the retriever below
/// also shares per-document indexes by content hash. Attached file bytes are written once to a private folder.
/// </summary>
internal sealed class DocumentLibrary : IDisposable
{
    private const int MaxOpenSets = 8;

    private readonly DocumentRetriever _retriever;
    private readonly DocumentParser? _ownedParser;
    private readonly bool _ownsRetriever;
    private readonly SemaphoreSlim _openLock = new(1, 1);
    private readonly LinkedList<(string Key, ChunkIndex Index)> _open = new();
    private readonly Lazy<string> _attachments = new(() => Directory.CreateTempSubdirectory("qwen-agent-files-").FullName);
    private int _indexOpens;

    public DocumentLibrary(DocumentOptions options, ILoggerFactory? loggerFactory)
    {
        if (options.Retriever is { } shared)
        {
            _retriever = shared;
            return;
        }

        _ownedParser = new DocumentParser(null, loggerFactory);
        _retriever = new DocumentRetriever(_ownedParser, options.EffectiveTokenizer, options.Retrieval, loggerFactory);
        _ownsRetriever = true;
    }

    /// <summary>Gets the most tokens one chunk holds.</summary>
    public int ChunkTokens => _retriever.Options.Chunking.MaxTokens;

    /// <summary>Gets how many indexes were opened (files read), for tests.</summary>
    internal int IndexOpens => Volatile.Read(ref _indexOpens);

    /// <summary>The index over <paramref name="files"/>, from the cache when they have not changed.</summary>
    /// <exception cref="DocumentParseException">A file cannot be read.</exception>
    public async Task<ChunkIndex> OpenAsync(IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var key = string.Join("\n", files.Select(Identity));
        await _openLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var node = _open.First; node is not null; node = node.Next)
            {
                if (node.Value.Key == key)
                {
                    _open.Remove(node);
                    _open.AddFirst(node);
                    return node.Value.Index;
                }
            }

            var index = await _retriever.OpenIndexAsync(files, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _indexOpens);
            _open.AddFirst((key, index));

            // Dropped sets are left to the garbage collector: a run may still be searching them.
            while (_open.Count > MaxOpenSets)
            {
                _open.RemoveLast();
            }

            return index;
        }
        finally
        {
            _openLock.Release();
        }
    }

    /// <summary>Writes attached bytes to a file named after their content hash (once) and returns its path.</summary>
    public string Materialize(DataContent data, string name)
    {
        var bytes = data.Data.Span;
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
        var safe = string.Concat(Path.GetFileName(name).Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c));
        var folder = Path.Combine(_attachments.Value, hash);
        var path = Path.Combine(folder, safe.Length == 0 ? "attachment" : safe);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(folder);
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllBytes(temporary, data.Data.ToArray());
            File.Move(temporary, path, overwrite: true);
        }

        return path;
    }

    public void Dispose()
    {
        if (_ownsRetriever)
        {
            _retriever.Dispose();
            _ownedParser?.Dispose();
        }

        _openLock.Dispose();
        if (_attachments.IsValueCreated)
        {
            try
            {
                Directory.Delete(_attachments.Value, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A file still open elsewhere; the temporary folder is left to the system.
            }
        }
    }

    /// <summary>A URL as it is; a file by full path, size and modification time, so a changed file is read again.</summary>
    private static string Identity(string file)
    {
        if (file.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || file.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return file;
        }

        var info = new FileInfo(file);
        return info.Exists
            ? string.Create(CultureInfo.InvariantCulture, $"{file}|{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}")
            : file + "|missing";
    }
}
