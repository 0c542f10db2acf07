namespace Qwen.Runtime;

/// <summary>An exclusive lock on a file shared by processes (flock on Unix, a share-none handle on Windows), the same lock Python's filelock takes.</summary>
internal sealed class FileLock : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    /// <summary>Waits until the lock is free and takes it; <paramref name="waiting"/> is called once if another holder makes it wait.</summary>
    public static async Task<FileLock> AcquireAsync(string path, Action? waiting, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var announced = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Held by another process (or another download in this one): wait for it to finish the blob.
                if (!announced)
                {
                    announced = true;
                    waiting?.Invoke();
                }

                await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
