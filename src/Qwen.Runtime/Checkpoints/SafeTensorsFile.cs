using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>One open <c>.safetensors</c> file: its validated header, and the tensors' bytes streamed straight into tensors.</summary>
/// <remarks>
/// The header is checked completely (length, JSON, dtypes, shapes, offsets inside the file and consistent with the sizes)
/// before any tensor data is touched. Data is read with positioned reads into the destination's own memory (CPU) or
/// through a small reusable staging tensor (other devices or dtypes), so no managed copy of a whole tensor is ever made.
/// </remarks>
internal sealed partial class SafeTensorsFile : IDisposable
{
    // Large enough to amortise the calls, small enough that a staging buffer stays negligible next to the weights.
    private const long ChunkBytes = 32L << 20;
    private const long MaxHeaderBytes = 256L << 20;

    private static readonly Dictionary<string, int> ElementSizes = new(StringComparer.Ordinal)
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1,
        ["U64"] = 8, ["U32"] = 4, ["U16"] = 2, ["U8"] = 1, ["BOOL"] = 1, ["F8_E4M3"] = 1, ["F8_E5M2"] = 1,
    };

    private readonly SafeFileHandle _handle;

    private SafeTensorsFile(string path, SafeFileHandle handle, IReadOnlyDictionary<string, SafeTensorInfo> tensors)
    {
        Path = path;
        _handle = handle;
        Tensors = tensors;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors { get; }

    /// <summary>Opens a file and validates its header.</summary>
    /// <exception cref="CheckpointFormatException">The file is missing, truncated or its header is malformed.</exception>
    public static SafeTensorsFile Open(string path)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointFormatException(path, $"cannot be opened: {e.Message}", e);
        }

        try
        {
            var tensors = ReadHeader(path, handle);
            return new SafeTensorsFile(path, handle, tensors);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Torch dtype of a safetensors dtype name the model can load, or null for any other.</summary>
    public static ScalarType? TorchType(string dtype) => dtype switch
    {
        "F32" => ScalarType.Float32,
        "BF16" => ScalarType.BFloat16,
        "F16" => ScalarType.Float16,
        _ => null,
    };

    /// <summary>Copies a tensor's data into <paramref name="destination"/> (any device and floating dtype, contiguous, same element count).</summary>
    public void ReadInto(SafeTensorInfo info, Tensor destination, ref Tensor? staging)
    {
        var sourceType = TorchType(info.DType) ?? throw new CheckpointFormatException(Path, $"tensor '{info.Name}' has dtype {info.DType}; expected F32, BF16 or F16");
        if (destination.numel() != info.ElementCount || !destination.is_contiguous())
        {
            throw new InvalidOperationException($"internal: destination for '{info.Name}' does not match {info.ShapeText}");
        }

        using var flat = destination.view(-1);
        var elementSize = (long)ElementSizes[info.DType];
        var chunkElements = Math.Max(1, ChunkBytes / elementSize);
        var direct = destination.device_type == DeviceType.CPU && destination.dtype == sourceType;
        if (!direct && (staging is null || staging.dtype != sourceType))
        {
            staging?.Dispose();
            staging = torch.empty(chunkElements, dtype: sourceType, device: torch.CPU);
        }

        for (long start = 0; start < info.ElementCount; start += chunkElements)
        {
            var count = Math.Min(chunkElements, info.ElementCount - start);
            using var target = flat.narrow(0, start, count);
            var fileOffset = info.Offset + (start * elementSize);
            if (direct)
            {
                ReadExactly(target.bytes, fileOffset, info.Name);
            }
            else
            {
                using var stage = staging!.narrow(0, 0, count);
                ReadExactly(stage.bytes, fileOffset, info.Name);
                target.copy_(stage);
            }
        }
    }

    public void Dispose() => _handle.Dispose();

    private static Dictionary<string, SafeTensorInfo> ReadHeader(string path, SafeFileHandle handle)
    {
        var fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8)
        {
            throw new CheckpointFormatException(path, $"is {fileLength} bytes long; a safetensors file starts with an 8-byte header length");
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        ReadAll(handle, lengthBytes, 0, path);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength < 2 || headerLength > (ulong)MaxHeaderBytes || headerLength > (ulong)(fileLength - 8))
        {
            throw new CheckpointFormatException(path, $"declares a {headerLength}-byte header but the file holds {fileLength - 8} bytes after the length field (truncated or not a safetensors file)");
        }

        var headerBytes = new byte[headerLength];
        ReadAll(handle, headerBytes, 8, path);
        var dataStart = 8 + (long)headerLength;
        var dataLength = fileLength - dataStart;

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"header is not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointFormatException(path, "header must be a JSON object");
            }

            var tensors = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    continue;
                }

                tensors.Add(entry.Name, ReadEntry(path, entry, dataStart, dataLength));
            }

            return tensors;
        }
    }

    private static SafeTensorInfo ReadEntry(string path, JsonProperty entry, long dataStart, long dataLength)
    {
        var name = entry.Name;
        var value = entry.Value;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
        {
            throw new CheckpointFormatException(path, $"header entry for tensor '{name}' must have a string 'dtype', an array 'shape' and two 'data_offsets'");
        }

        var dtype = dtypeElement.GetString()!;
        if (!ElementSizes.TryGetValue(dtype, out var elementSize))
        {
            throw new CheckpointFormatException(path, $"tensor '{name}' has unknown dtype '{dtype}'");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        long count = 1;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var dim) || dim < 0)
            {
                throw new CheckpointFormatException(path, $"tensor '{name}' has an invalid dimension {d.GetRawText()} in its shape");
            }

            shape[i++] = dim;
            count = dim == 0 || count <= long.MaxValue / dim / elementSize ? count * dim : throw new CheckpointFormatException(path, $"tensor '{name}' has an impossibly large shape");
        }

        var offsets = offsetsElement.EnumerateArray().Select(o => o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out var v) && v >= 0 ? v : -1).ToArray();
        if (offsets[0] < 0 || offsets[1] < offsets[0])
        {
            throw new CheckpointFormatException(path, $"tensor '{name}' has invalid data_offsets {offsetsElement.GetRawText()}");
        }

        if (offsets[1] > dataLength)
        {
            throw new CheckpointFormatException(path, $"tensor '{name}' declares data up to byte {offsets[1]} of the data section but the file holds only {dataLength} bytes there (truncated file?)");
        }

        if (offsets[1] - offsets[0] != count * elementSize)
        {
            throw new CheckpointFormatException(path, $"tensor '{name}' ({dtype}, shape [{string.Join(", ", shape)}]) needs {count * elementSize} bytes but its data_offsets span {offsets[1] - offsets[0]}");
        }

        return new SafeTensorInfo(name, dtype, shape, dataStart + offsets[0], offsets[1] - offsets[0], path);
    }

    private static void ReadAll(SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        while (!buffer.IsEmpty)
        {
            var n = RandomAccess.Read(handle, buffer, offset);
            if (n <= 0)
            {
                throw new CheckpointFormatException(path, $"ends at byte {offset}, before the data its header declares (truncated?)");
            }

            buffer = buffer[n..];
            offset += n;
        }
    }

    private void ReadExactly(Span<byte> buffer, long offset, string tensorName)
    {
        try
        {
            ReadAll(_handle, buffer, offset, Path);
        }
        catch (CheckpointFormatException e)
        {
            throw new CheckpointFormatException(Path, $"tensor '{tensorName}': {e.Message}", e);
        }
    }
}
