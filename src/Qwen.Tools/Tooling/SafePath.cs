namespace Qwen.Tools;

/// <summary>Resolves paths that tools receive from a model so that they never leave the tool's work directory.</summary>
public static class SafePath
{
    private const int MaxLinkHops = 40;

    private static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>
    /// Resolves <paramref name="relativePath"/> inside <paramref name="workDirectory"/>: absolute paths, <c>..</c> segments that
    /// climb out, and symbolic links (anywhere on the way) that point outside are refused.
    /// </summary>
    /// <param name="workDirectory">The directory the path must stay in; it need not exist yet.</param>
    /// <param name="relativePath">The path as the model gave it, relative to <paramref name="workDirectory"/>.</param>
    /// <returns>The full path inside the work directory.</returns>
    /// <exception cref="ArgumentException"><paramref name="workDirectory"/> is empty.</exception>
    /// <exception cref="WorkDirectoryAccessException">The path is empty, absolute or leads outside the work directory.</exception>
    public static string Resolve(string workDirectory, string relativePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workDirectory);
        ArgumentNullException.ThrowIfNull(relativePath);

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(workDirectory));
        if (string.IsNullOrWhiteSpace(relativePath))
        {
            throw new WorkDirectoryAccessException(relativePath, root, "The path is empty; expected a path relative to the work directory.");
        }

        if (relativePath.Contains('\0', StringComparison.Ordinal))
        {
            throw new WorkDirectoryAccessException(relativePath, root, $"The path '{relativePath.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a NUL character.");
        }

        if (Path.IsPathRooted(relativePath))
        {
            throw new WorkDirectoryAccessException(
                relativePath,
                root,
                $"'{relativePath}' is an absolute path; only paths relative to the work directory are allowed.");
        }

        var full = Path.GetFullPath(Path.Combine(root, relativePath));
        if (!IsInside(root, full))
        {
            throw new WorkDirectoryAccessException(relativePath, root, $"'{relativePath}' leads outside the work directory.");
        }

        // Links are judged by where they really lead, so both sides are compared with every link resolved.
        var realRoot = RealPath(root);
        var realFull = RealPath(full);
        if (!IsInside(realRoot, realFull))
        {
            throw new WorkDirectoryAccessException(
                relativePath,
                root,
                $"'{relativePath}' passes through a symbolic link that points outside the work directory.");
        }

        return full;
    }

    /// <summary>Returns whether <paramref name="path"/> is <paramref name="root"/> or lies below it (both full paths).</summary>
    internal static bool IsInside(string root, string path)
    {
        root = Path.TrimEndingDirectorySeparator(root);
        path = Path.TrimEndingDirectorySeparator(path);
        return path.Equals(root, PathComparison)
            || (path.StartsWith(root, PathComparison) && path.Length > root.Length && IsSeparator(path[root.Length]))
            || (root.Length > 0 && IsSeparator(root[^1]) && path.StartsWith(root, PathComparison));
    }

    private static bool IsSeparator(char c) => c == Path.DirectorySeparatorChar || c == Path.AltDirectorySeparatorChar;

    /// <summary>Resolves every symbolic link on the way to <paramref name="fullPath"/>, like POSIX realpath, tolerating missing parts.</summary>
    private static string RealPath(string fullPath)
    {
        var pending = new List<string>(Split(fullPath, out var current));
        var hops = 0;
        for (var i = 0; i < pending.Count; i++)
        {
            var next = Path.Combine(current, pending[i]);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++hops > MaxLinkHops)
            {
                throw new WorkDirectoryAccessException(fullPath, current, $"Too many levels of symbolic links under '{next}'.");
            }

            // The target replaces this component; its own components are walked again, since they may hold links too.
            var resolved = Path.GetFullPath(target, current);
            var rest = pending.Skip(i + 1).ToList();
            pending = [.. Split(resolved, out current), .. rest];
            i = -1;
        }

        return current;
    }

    private static string[] Split(string fullPath, out string root)
    {
        root = Path.GetPathRoot(fullPath) ?? string.Empty;
        return fullPath[root.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
    }
}
