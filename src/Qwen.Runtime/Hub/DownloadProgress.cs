namespace Qwen.Runtime;

/// <summary>How far a model download has got: reported by <see cref="HubClient"/> as bytes arrive.</summary>
/// <param name="Model">The repository being downloaded, such as <c>Qwen/Qwen3-0.6B</c>.</param>
/// <param name="File">The file being downloaded now, or null before the first and after the last.</param>
/// <param name="BytesDownloaded">Bytes of the files to fetch that are on disk so far (a resumed file counts its earlier part).</param>
/// <param name="TotalBytes">Bytes of all the files this download fetches (files already in the cache are not counted).</param>
/// <param name="FilesDone">Files fetched so far.</param>
/// <param name="FileCount">Files to fetch in all.</param>
public readonly record struct DownloadProgress(string Model, string? File, long BytesDownloaded, long TotalBytes, int FilesDone, int FileCount);
