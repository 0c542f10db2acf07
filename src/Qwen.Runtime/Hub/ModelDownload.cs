using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;

namespace Qwen.Runtime;

/// <summary>One download of a model's checkpoint files into the cache: blobs fetched under a per-blob file lock, resumed with ranges, verified, then linked into the snapshot.</summary>
internal sealed class ModelDownload(HubSettings settings, HubCache cache, HubHttp http, ModelReference model, IProgress<DownloadProgress>? progress)
{
    private const int BufferSize = 1 << 20;
    private static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(100);

    private readonly Stopwatch _sinceReport = Stopwatch.StartNew();
    private long _finishedBytes;
    private long _totalBytes;
    private int _filesDone;
    private int _fileCount;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var (commit, siblings) = await http.GetRevisionAsync(model, cancellationToken).ConfigureAwait(false);
        var files = CheckpointFiles.Select(model.RepoId, siblings);
        var snapshot = cache.SnapshotFolder(model.RepoId, commit);
        var remote = new List<RemoteFile>();
        foreach (var file in files.Where(f => !HubCache.FileExists(Path.Combine(snapshot, f))))
        {
            remote.Add(await http.HeadAsync(model, commit, file, cancellationToken).ConfigureAwait(false));
        }

        var toFetch = remote.Where(f => !HubCache.FileExists(cache.BlobPath(model.RepoId, f.Etag))).ToList();
        _totalBytes = toFetch.Sum(f => f.Size);
        _fileCount = toFetch.Count;
        if (toFetch.Count > 0)
        {
            Directory.CreateDirectory(Path.Combine(cache.RepoFolder(model.RepoId), "blobs"));
            CheckFreeSpace(toFetch.Sum(f => f.Size - PartialLength(f)), what: $"{toFetch.Count} files");
        }

        foreach (var file in toFetch)
        {
            await FetchBlobAsync(commit, file, cancellationToken).ConfigureAwait(false);
            _finishedBytes += file.Size;
            _filesDone++;
        }

        // Every blob is verified before the snapshot gets its links and the branch its ref, so a failed download never leaves a half-written snapshot.
        foreach (var file in remote)
        {
            cache.Link(model.RepoId, commit, file.Name, file.Etag);
        }

        cache.WriteRef(model.RepoId, model.Revision, commit);
        progress?.Report(new DownloadProgress(model.RepoId, null, _totalBytes, _totalBytes, _filesDone, _fileCount));
        return snapshot;
    }

    private long PartialLength(RemoteFile file)
    {
        var partial = new FileInfo(cache.BlobPath(model.RepoId, file.Etag) + ".incomplete");
        return partial.Exists ? Math.Min(partial.Length, file.Size) : 0;
    }

    private async Task FetchBlobAsync(string commit, RemoteFile file, CancellationToken cancellationToken)
    {
        var blob = cache.BlobPath(model.RepoId, file.Etag);
        Report(file.Name, 0, force: true);
        using var fileLock = await FileLock.AcquireAsync(cache.LockPath(model.RepoId, file.Etag), null, cancellationToken).ConfigureAwait(false);
        if (File.Exists(blob))
        {
            return; // another process fetched it while we waited for the lock
        }

        var incomplete = blob + ".incomplete";
        byte[]? sha256;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                sha256 = await TransferAsync(commit, file, incomplete, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (HubException e) when (e.Kind == HubErrorKind.Network && attempt < settings.MaxRetries)
            {
                // The partial file stays; the next attempt asks only for the rest.
                await Task.Delay(TimeSpan.FromMilliseconds(250 * (1 << attempt)), cancellationToken).ConfigureAwait(false);
            }
        }

        var length = new FileInfo(incomplete).Length;
        var actual = sha256 is null ? null : Convert.ToHexStringLower(sha256);
        if (length != file.Size || (actual is not null && !actual.Equals(file.Etag, StringComparison.OrdinalIgnoreCase)))
        {
            File.Delete(incomplete);
            var found = actual is not null && length == file.Size ? $"sha256 {actual}, expected {file.Etag.ToLowerInvariant()}" : $"{length} bytes, expected {file.Size}";
            throw new HubException(HubErrorKind.ChecksumMismatch,
                $"{model.RepoId}/{file.Name} failed verification ({found}): it was corrupted on the way or the server sent another file. The bad copy was deleted; run again to download it anew.");
        }

        File.Move(incomplete, blob, overwrite: true);
    }

    /// <summary>Downloads the rest of a file into its partial file; returns the sha256 of the whole file for LFS files.</summary>
    private async Task<byte[]?> TransferAsync(string commit, RemoteFile file, string incomplete, CancellationToken cancellationToken)
    {
        var have = File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0;
        if (have > file.Size)
        {
            File.Delete(incomplete);
            have = 0;
        }

        CheckFreeSpace(file.Size - have, what: file.Name);
        using var hash = file.IsSha256 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        if (have == file.Size)
        {
            if (have == 0)
            {
                await File.WriteAllBytesAsync(incomplete, [], cancellationToken).ConfigureAwait(false);
            }

            await HashPrefixAsync(hash, incomplete, cancellationToken).ConfigureAwait(false);
            return hash?.GetHashAndReset();
        }

        using var response = await http.GetFileAsync(model, commit, file.Name, have, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable
            || (response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From != have))
        {
            // The partial file does not match what the server has: start again from the first byte.
            File.Delete(incomplete);
            throw http.NetworkError(model, new HttpRequestException($"HTTP {(int)response.StatusCode}"), $"the server refused to resume {file.Name} at byte {have}");
        }

        if (response.StatusCode != HttpStatusCode.PartialContent)
        {
            have = 0; // the server ignored the range and sends the whole file
        }

        if (have > 0)
        {
            await HashPrefixAsync(hash, incomplete, cancellationToken).ConfigureAwait(false);
        }

        await using var output = OpenPartial(incomplete, append: have > 0);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            Stream body;
            try
            {
                body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                throw http.NetworkError(model, e);
            }

            await using (body.ConfigureAwait(false))
            {
                while (true)
                {
                    int read;
                    idle.CancelAfter(settings.Timeout);
                    try
                    {
                        read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), idle.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException)
                    {
                        throw http.NetworkError(model, e, $"the connection broke {have:N0} bytes into {file.Name} ({e.Message})");
                    }
                    catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw http.NetworkError(model, e, $"nothing arrived for {settings.Timeout.TotalSeconds:0.#} s, {have:N0} bytes into {file.Name}");
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    await WriteAsync(output, buffer.AsMemory(0, read), file, cancellationToken).ConfigureAwait(false);
                    hash?.AppendData(buffer, 0, read);
                    have += read;
                    Report(file.Name, have, force: false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (have < file.Size)
        {
            throw http.NetworkError(model, new IOException("response ended early"), $"the connection closed {have:N0} bytes into {file.Name} of {file.Size:N0}");
        }

        Report(file.Name, have, force: true);
        return hash?.GetHashAndReset();
    }

    private static FileStream OpenPartial(string path, bool append) =>
        new(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, useAsync: true);

    private static async Task HashPrefixAsync(IncrementalHash? hash, string path, CancellationToken cancellationToken)
    {
        if (hash is null)
        {
            return;
        }

        var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, useAsync: true);
        await using (input.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                int read;
                while ((read = await input.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async Task WriteAsync(FileStream output, ReadOnlyMemory<byte> data, RemoteFile file, CancellationToken cancellationToken)
    {
        try
        {
            await output.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            throw new HubException(HubErrorKind.DiskFull,
                $"The disk of {cache.Root} is full while downloading {model.RepoId}/{file.Name}. Free some space (the part already downloaded is kept and resumes), or set HF_HUB_CACHE to a folder on a bigger disk.", e);
        }
    }

    private static bool IsDiskFull(IOException e) =>
        e.HResult is 28 or 122 // ENOSPC, EDQUOT on Unix
        || (e.HResult & 0xFFFF) is 0x27 or 0x70; // ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL on Windows

    private void CheckFreeSpace(long needed, string what)
    {
        if (needed <= 0)
        {
            return;
        }

        long free;
        try
        {
            free = settings.FreeSpaceProbe(Path.Combine(cache.RepoFolder(model.RepoId), "blobs"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            return; // the disk cannot be measured here; a full disk still fails clearly while writing
        }

        if (free < needed)
        {
            throw new HubException(HubErrorKind.DiskFull,
                $"Not enough disk space to download {model.RepoId} ({what}): {FormatBytes(needed)} needed, {FormatBytes(free)} free in {cache.Root}. Free some space, or set HF_HUB_CACHE to a folder on a bigger disk.");
        }
    }

    private void Report(string file, long fileBytes, bool force)
    {
        if (progress is null || (!force && _sinceReport.Elapsed < ReportInterval))
        {
            return;
        }

        _sinceReport.Restart();
        progress.Report(new DownloadProgress(model.RepoId, file, _finishedBytes + fileBytes, _totalBytes, _filesDone, _fileCount));
    }

    internal static string FormatBytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };
}
