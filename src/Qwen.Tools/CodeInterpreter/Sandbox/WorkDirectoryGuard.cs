namespace Qwen.Tools;

/// <summary>
/// Resolves the paths sandboxed code names to files inside one work directory, and refuses every path that
/// would leave it: <c>..</c>, absolute paths elsewhere, and symbolic links that point outside.
/// </summary>
internal sealed class WorkDirectoryGuard
{
    private readonly string _root;
    private readonly string _rootWithSeparator;

    public WorkDirectoryGuard(string root)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _rootWithSeparator = _root + Path.DirectorySeparatorChar;
    }

    public string Root => _root;

    /// <summary>The full path of <paramref name="path"/> (relative to the work directory, or absolute inside it).</summary>
    /// <exception cref="UnauthorizedAccessException">The path leaves the work directory.</exception>
    /// <exception cref="ArgumentException">The path is empty or has characters no file name can have.</exception>
    public string Resolve(string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{path}' is not a file path.", nameof(path));
        }

        var full = Path.GetFullPath(Path.Combine(_root, path));
        if (!IsInside(full))
        {
            throw new UnauthorizedAccessException($"'{path}' is outside the work directory; only files inside it can be used.");
        }

        // A link inside the directory may point anywhere: follow every link on the way and check where it lands.
        var current = _root;
        foreach (var part in Path.GetRelativePath(_root, full).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.Exists && info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
                if (target is null || !IsInside(Path.GetFullPath(target)))
                {
                    throw new UnauthorizedAccessException($"'{path}' is a link that leads outside the work directory.");
                }
            }
        }

        return full;
    }

    /// <summary>The path of <paramref name="fullPath"/> relative to the work directory, with forward slashes.</summary>
    public string Relative(string fullPath) => Path.GetRelativePath(_root, fullPath).Replace(Path.DirectorySeparatorChar, '/');

    private bool IsInside(string fullPath) =>
        string.Equals(fullPath, _root, StringComparison.Ordinal) || fullPath.StartsWith(_rootWithSeparator, StringComparison.Ordinal);
}
