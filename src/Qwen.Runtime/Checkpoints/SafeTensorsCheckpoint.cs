using System.Text.Json;

namespace Qwen.Runtime;

/// <summary>All safetensors files of a checkpoint directory (one file, or shards listed in <c>model.safetensors.index.json</c>), as one name-to-tensor map.</summary>
internal sealed class SafeTensorsCheckpoint : IDisposable
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly List<SafeTensorsFile> _files;

    private SafeTensorsCheckpoint(List<SafeTensorsFile> files, Dictionary<string, (SafeTensorsFile File, SafeTensorInfo Info)> tensors)
    {
        _files = files;
        Tensors = tensors;
    }

    public IReadOnlyDictionary<string, (SafeTensorsFile File, SafeTensorInfo Info)> Tensors { get; }

    public long TotalBytes => Tensors.Values.Sum(t => t.Info.Length);

    /// <exception cref="CheckpointFormatException">Files are missing, malformed, or disagree with the index.</exception>
    public static SafeTensorsCheckpoint Open(string directory)
    {
        var indexPath = Path.Combine(directory, IndexFileName);
        var singlePath = Path.Combine(directory, SingleFileName);
        Dictionary<string, string>? weightMap = null;
        List<string> paths;
        if (File.Exists(indexPath))
        {
            weightMap = ReadIndex(indexPath);
            paths = [.. weightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(f => Path.Combine(directory, f))];
        }
        else if (File.Exists(singlePath))
        {
            paths = [singlePath];
        }
        else
        {
            throw new CheckpointFormatException(directory, $"holds neither {SingleFileName} nor {IndexFileName}");
        }

        var files = new List<SafeTensorsFile>();
        try
        {
            var tensors = new Dictionary<string, (SafeTensorsFile, SafeTensorInfo)>(StringComparer.Ordinal);
            foreach (var path in paths)
            {
                if (!File.Exists(path))
                {
                    throw new CheckpointFormatException(indexPath, $"lists shard '{Path.GetFileName(path)}', which does not exist");
                }

                var file = SafeTensorsFile.Open(path);
                files.Add(file);
                foreach (var (name, info) in file.Tensors)
                {
                    if (tensors.TryGetValue(name, out var previous))
                    {
                        throw new CheckpointFormatException(path, $"tensor '{name}' is also in {previous.Item1.Path}");
                    }

                    tensors.Add(name, (file, info));
                }
            }

            if (weightMap is not null)
            {
                CheckAgainstIndex(indexPath, weightMap, tensors);
            }

            return new SafeTensorsCheckpoint(files, tensors);
        }
        catch
        {
            files.ForEach(f => f.Dispose());
            throw;
        }
    }

    public void Dispose() => _files.ForEach(f => f.Dispose());

    private static Dictionary<string, string> ReadIndex(string indexPath)
    {
        using var doc = JsonFields.ParseFile(indexPath);
        if (JsonFields.Get(doc.RootElement, "weight_map") is not { ValueKind: JsonValueKind.Object } map)
        {
            throw new CheckpointFormatException(indexPath, "needs a 'weight_map' object mapping tensor names to shard files");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in map.EnumerateObject())
        {
            var file = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : string.Empty;
            if (file.Length == 0 || file != Path.GetFileName(file))
            {
                throw new CheckpointFormatException(indexPath, $"weight_map entry for '{entry.Name}' must be a file name in the same directory, found {entry.Value.GetRawText()}");
            }

            result[entry.Name] = file;
        }

        return result.Count > 0 ? result : throw new CheckpointFormatException(indexPath, "weight_map is empty");
    }

    private static void CheckAgainstIndex(string indexPath, Dictionary<string, string> weightMap, Dictionary<string, (SafeTensorsFile File, SafeTensorInfo Info)> tensors)
    {
        foreach (var (name, file) in weightMap)
        {
            if (!tensors.TryGetValue(name, out var found))
            {
                throw new CheckpointFormatException(indexPath, $"maps tensor '{name}' to {file}, but no shard holds it");
            }

            if (Path.GetFileName(found.File.Path) != file)
            {
                throw new CheckpointFormatException(indexPath, $"maps tensor '{name}' to {file}, but it is in {Path.GetFileName(found.File.Path)}");
            }
        }

        foreach (var name in tensors.Keys.Where(n => !weightMap.ContainsKey(n)))
        {
            throw new CheckpointFormatException(tensors[name].File.Path, $"holds tensor '{name}', which {Path.GetFileName(indexPath)} does not list");
        }
    }
}
