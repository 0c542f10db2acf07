namespace Qwen.Runtime;

/// <summary>A file of a Hub repository as a HEAD describes it: its blob id in the cache, its size, and whether the id is the content's sha256 (an LFS file).</summary>
internal sealed record RemoteFile(string Name, string Etag, long Size, bool IsSha256);
