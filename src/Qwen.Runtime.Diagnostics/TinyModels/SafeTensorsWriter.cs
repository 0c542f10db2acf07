using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Qwen.Runtime.Diagnostics;

/// <summary>Writes <c>.safetensors</c> files: the JSON header (padded to 8 bytes) first, then each tensor's data streamed in order.</summary>
internal static class SafeTensorsWriter
{
    /// <summary>Writes a file holding <paramref name="tensors"/>; <paramref name="writeData"/> must write exactly each tensor's byte size.</summary>
    public static void Write(string path, IReadOnlyList<TensorSpec> tensors, Action<TensorSpec, Stream> writeData)
    {
        var header = new Dictionary<string, object>(StringComparer.Ordinal) { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        long offset = 0;
        foreach (var t in tensors)
        {
            header[t.Name] = new Dictionary<string, object> { ["dtype"] = t.DType, ["shape"] = t.Shape, ["data_offsets"] = new[] { offset, offset + t.ByteLength } };
            offset += t.ByteLength;
        }

        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        var padded = (json.Length + 7) / 8 * 8;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        for (var i = json.Length; i < padded; i++)
        {
            stream.WriteByte((byte)' ');
        }

        foreach (var t in tensors)
        {
            var before = stream.Position;
            writeData(t, stream);
            if (stream.Position - before != t.ByteLength)
            {
                throw new InvalidOperationException($"internal: wrote {stream.Position - before} bytes for '{t.Name}', expected {t.ByteLength}");
            }
        }
    }

    /// <summary>Writes float values as F32, or as BF16 rounded to nearest even.</summary>
    public static void WriteFloats(Stream stream, string dtype, ReadOnlySpan<float> values)
    {
        if (dtype == "F32")
        {
            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
            return;
        }

        Span<byte> buffer = stackalloc byte[4096];
        while (!values.IsEmpty)
        {
            var n = Math.Min(values.Length, buffer.Length / 2);
            for (var i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(buffer[(2 * i)..], ToBFloat16(values[i]));
            }

            stream.Write(buffer[..(2 * n)]);
            values = values[n..];
        }
    }

    /// <summary>float32 to bfloat16 bits, round to nearest even (what torch's conversion does).</summary>
    public static ushort ToBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    /// <summary>One tensor to write: its name, safetensors dtype and shape.</summary>
    internal sealed record TensorSpec(string Name, string DType, long[] Shape)
    {
        public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

        public long ByteLength => ElementCount * (DType is "F32" or "I32" ? 4 : 2);
    }
}
