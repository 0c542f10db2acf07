using System.Text;

namespace Qwen.Tools;

/// <summary>
/// A key-value store of text in a directory: each key is a relative path (<c>/</c>-separated, a leading <c>/</c> allowed) of a
/// file under the root, which keys can never leave. Thread-safe for distinct keys.
/// </summary>
public sealed class FileStorage
{
    /// <summary>The ending of values being written; they are renamed into place when complete and never listed.</summary>
    private const string PartialSuffix = ".qwen-partial";

    private readonly string _root;

    /// <summary>Initializes a new instance of the <see cref="FileStorage"/> class.</summary>
    /// <param name="rootDirectory">The directory that holds the values; created on the first write.</param>
    public FileStorage(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        _root = Path.GetFullPath(rootDirectory);
    }

    /// <summary>Gets the directory that holds the values.</summary>
    public string RootDirectory => _root;

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/>, replacing any value there.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The text.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the value is stored.</returns>
    /// <exception cref="WorkDirectoryAccessException">The key is empty or leaves the storage directory.</exception>
    /// <exception cref="ArgumentException">The key names a folder of keys.</exception>
    public async Task PutAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var path = Resolve(key);
        if (Directory.Exists(path))
        {
            throw new ArgumentException($"The key '{key}' is a folder of other keys; choose a key that is not a prefix of existing keys.", nameof(key));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}{PartialSuffix}";
        await File.WriteAllTextAsync(temporary, value, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads the value under <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The text.</returns>
    /// <exception cref="KeyNotFoundException">No value is stored under the key.</exception>
    /// <exception cref="WorkDirectoryAccessException">The key is empty or leaves the storage directory.</exception>
    public async Task<string> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = Resolve(key);
        if (!File.Exists(path))
        {
            throw Missing(key, path);
        }

        return await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the value under <paramref name="key"/>, or every value under it when it is a folder of keys.</summary>
    /// <param name="key">The key.</param>
    /// <exception cref="KeyNotFoundException">No value is stored under the key.</exception>
    /// <exception cref="WorkDirectoryAccessException">The key is empty or leaves the storage directory.</exception>
    public void Delete(string key)
    {
        var path = Resolve(key);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            throw Missing(key, path);
        }
    }

    /// <summary>Lists the keys and values under <paramref name="prefix"/> (a folder of keys), sorted by key.</summary>
    /// <param name="prefix">The folder to list; <c>/</c> or empty for everything.</param>
    /// <param name="cancellationToken">Cancels the scan.</param>
    /// <returns>The keys (with a leading <c>/</c>) and values.</returns>
    /// <exception cref="WorkDirectoryAccessException">The prefix leaves the storage directory.</exception>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> ScanAsync(string prefix = "/", CancellationToken cancellationToken = default)
    {
        var relative = (prefix ?? string.Empty).Trim().TrimStart('/', '\\');
        var path = relative.Length == 0 ? _root : SafePath.Resolve(_root, relative);
        var result = new List<KeyValuePair<string, string>>();
        if (File.Exists(path))
        {
            result.Add(new(ToKey(path), await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken).ConfigureAwait(false)));
            return result;
        }

        if (!Directory.Exists(path))
        {
            return result;
        }

        foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (file.EndsWith(PartialSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            result.Add(new(ToKey(file), await File.ReadAllTextAsync(file, Encoding.UTF8, cancellationToken).ConfigureAwait(false)));
        }

        return result;
    }

    private string Resolve(string key)
    {
        ArgumentNullException.ThrowIfNull(key);

        // Keys are written like paths from the store's root ("/user/name"), so a leading slash is not an absolute path here.
        var relative = key.Trim().TrimStart('/', '\\');
        if (relative.Length == 0)
        {
            throw new WorkDirectoryAccessException(key, _root, "The key is empty; expected a name such as 'notes/today'.");
        }

        return SafePath.Resolve(_root, relative);
    }

    private string ToKey(string path) => "/" + Path.GetRelativePath(_root, path).Replace('\\', '/');

    private static KeyNotFoundException Missing(string key, string path) =>
        new(Directory.Exists(path) ? $"The key '{key}' is a folder of keys, not a value; use scan to list it." : $"No value is stored under the key '{key}'.");
}
