namespace Qwen.Runtime;

/// <summary>The Hugging Face cache layout, shared with Python's huggingface_hub: <c>models--{org}--{name}/blobs/{etag}</c>, <c>snapshots/{commit}/{file}</c> as relative links to the blobs, <c>refs/{revision}</c> holding a commit, and <c>.locks/</c>.</summary>
internal sealed class HubCache(string root)
{
    public string Root { get; } = root;

    public static string FolderName(string repoId) => "models--" + repoId.Replace("/", "--", StringComparison.Ordinal);

    public string RepoFolder(string repoId) => Path.Combine(Root, FolderName(repoId));

    public string BlobPath(string repoId, string etag) => Path.Combine(RepoFolder(repoId), "blobs", etag);

    public string SnapshotFolder(string repoId, string commit) => Path.Combine(RepoFolder(repoId), "snapshots", commit);

    public string LockPath(string repoId, string etag) => Path.Combine(Root, ".locks", FolderName(repoId), etag + ".lock");

    /// <summary>The commit a branch or tag pointed at when it was last fetched, or the revision itself when it is a commit.</summary>
    public string? ResolveCommit(ModelReference model)
    {
        if (model.IsCommit)
        {
            return model.Revision;
        }

        var refPath = Path.Combine(RepoFolder(model.RepoId), "refs", model.Revision);
        try
        {
            return File.Exists(refPath) && File.ReadAllText(refPath).Trim() is { } commit && ModelReference.IsCommitHash(commit) ? commit : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The snapshot folder of <paramref name="model"/> when it holds a complete checkpoint, else null.</summary>
    public string? FindCompleteSnapshot(ModelReference model) =>
        ResolveCommit(model) is { } commit && SnapshotFolder(model.RepoId, commit) is var folder && Directory.Exists(folder) && CheckpointFiles.IsComplete(folder)
            ? folder
            : null;

    /// <summary>Records that <paramref name="revision"/> points at <paramref name="commit"/> (atomically: readers see the old or the new commit).</summary>
    public void WriteRef(string repoId, string revision, string commit)
    {
        if (revision == commit)
        {
            return;
        }

        var refPath = Path.Combine(RepoFolder(repoId), "refs", revision);
        Directory.CreateDirectory(Path.GetDirectoryName(refPath)!);
        var temp = refPath + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        File.WriteAllText(temp, commit);
        File.Move(temp, refPath, overwrite: true);
    }

    /// <summary>Makes <c>snapshots/{commit}/{file}</c> a relative link to the blob (a copy where links are not allowed), replacing it atomically.</summary>
    public void Link(string repoId, string commit, string file, string etag)
    {
        var pointer = Path.Combine(SnapshotFolder(repoId, commit), file);
        var blob = BlobPath(repoId, etag);
        var folder = Path.GetDirectoryName(pointer)!;
        Directory.CreateDirectory(folder);
        var temp = pointer + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            File.CreateSymbolicLink(temp, Path.GetRelativePath(folder, blob));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // Windows without developer mode refuses links; huggingface_hub copies then too.
            File.Copy(blob, temp, overwrite: true);
        }

        File.Move(temp, pointer, overwrite: true);
    }

    /// <summary>Every complete snapshot of a checkpoint the runtime loads, with the branch or tag pointing at it.</summary>
    public IReadOnlyList<CachedModel> List()
    {
        var models = new List<CachedModel>();
        if (!Directory.Exists(Root))
        {
            return models;
        }

        foreach (var repo in Directory.EnumerateDirectories(Root, "models--*"))
        {
            var parts = Path.GetFileName(repo)["models--".Length..].Split("--");
            if (parts.Length != 2 || !Directory.Exists(Path.Combine(repo, "snapshots")))
            {
                continue;
            }

            var refs = ReadRefs(repo);
            foreach (var snapshot in Directory.EnumerateDirectories(Path.Combine(repo, "snapshots")))
            {
                if (!CheckpointFiles.IsComplete(snapshot) || !CheckpointFiles.IsQwenCheckpoint(snapshot))
                {
                    continue;
                }

                var commit = Path.GetFileName(snapshot);
                var names = refs.Where(r => r.Commit == commit).Select(r => r.Name).OrderBy(n => n != ModelReference.DefaultRevision).ThenBy(n => n, StringComparer.Ordinal);
                models.Add(new CachedModel($"{parts[0]}/{parts[1]}", names.FirstOrDefault() ?? commit, commit, snapshot, SnapshotBytes(snapshot)));
            }
        }

        return [.. models.OrderBy(m => m.Id, StringComparer.OrdinalIgnoreCase).ThenBy(m => m.Revision, StringComparer.Ordinal)];
    }

    /// <summary>Whether a file exists, following links: a link to a missing blob does not count.</summary>
    public static bool FileExists(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return false;
        }

        try
        {
            return info.LinkTarget is null || info.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true };
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static List<(string Name, string Commit)> ReadRefs(string repo)
    {
        var refsFolder = Path.Combine(repo, "refs");
        var refs = new List<(string, string)>();
        if (!Directory.Exists(refsFolder))
        {
            return refs;
        }

        foreach (var file in Directory.EnumerateFiles(refsFolder, "*", SearchOption.AllDirectories))
        {
            try
            {
                var commit = File.ReadAllText(file).Trim();
                if (ModelReference.IsCommitHash(commit))
                {
                    refs.Add((Path.GetRelativePath(refsFolder, file).Replace('\\', '/'), commit));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // An unreadable ref is skipped; the snapshot is still listed under its commit.
            }
        }

        return refs;
    }

    private static long SnapshotBytes(string snapshot)
    {
        long bytes = 0;
        foreach (var path in Directory.EnumerateFiles(snapshot, "*", SearchOption.AllDirectories))
        {
            var info = new FileInfo(path);
            var target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo;
            bytes += target is { Exists: true } ? target.Length : 0;
        }

        return bytes;
    }
}
