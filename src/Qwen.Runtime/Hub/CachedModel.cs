namespace Qwen.Runtime;

/// <summary>A checkpoint snapshot in the Hugging Face cache, as <see cref="HubClient.GetCachedModels"/> lists it.</summary>
/// <param name="Id">The repository, such as <c>Qwen/Qwen3-0.6B</c>.</param>
/// <param name="Revision">The branch or tag that points at the snapshot (<c>main</c> first), or its commit when none does.</param>
/// <param name="Commit">The snapshot's commit.</param>
/// <param name="Path">The snapshot folder, loadable as a checkpoint directory.</param>
/// <param name="Bytes">The size of the snapshot's files.</param>
public sealed record CachedModel(string Id, string Revision, string Commit, string Path, long Bytes);
