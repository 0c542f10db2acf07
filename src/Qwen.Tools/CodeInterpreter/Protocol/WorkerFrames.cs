using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Qwen.Tools;

/// <summary>The worker protocol's framing on a pipe: a 4-byte little-endian length, then that many bytes of UTF-8 JSON.</summary>
internal static class WorkerFrames
{
    /// <summary>The largest frame either side accepts; output is capped far below it, so a larger length means a corrupt stream.</summary>
    public const int MaxFrameBytes = 256 << 20;

    public static byte[] Encode<T>(T message, JsonTypeInfo<T> typeInfo)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(message, typeInfo);
        var frame = new byte[json.Length + 4];
        BinaryPrimitives.WriteInt32LittleEndian(frame, json.Length);
        json.CopyTo(frame, 4);
        return frame;
    }

    /// <summary>Reads one frame, or returns <see langword="null"/> at the end of the stream.</summary>
    public static T? Read<T>(Stream stream, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        Span<byte> header = stackalloc byte[4];
        if (!ReadExactly(stream, header))
        {
            return null;
        }

        var body = new byte[CheckedLength(header, MaxFrameBytes)];
        if (!ReadExactly(stream, body))
        {
            return null;
        }

        return JsonSerializer.Deserialize(body, typeInfo);
    }

    /// <summary>Reads one frame of at most <paramref name="maxBytes"/>, or returns <see langword="null"/> at the end of the stream.</summary>
    public static async Task<T?> ReadAsync<T>(Stream stream, JsonTypeInfo<T> typeInfo, int maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        var header = new byte[4];
        if (await stream.ReadAtLeastAsync(header, 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < 4)
        {
            return null;
        }

        var body = new byte[CheckedLength(header, maxBytes)];
        if (await stream.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < body.Length)
        {
            return null;
        }

        return JsonSerializer.Deserialize(body, typeInfo);
    }

    private static int CheckedLength(ReadOnlySpan<byte> header, int maxBytes)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < 0 || length > maxBytes)
        {
            throw new InvalidDataException($"Code interpreter worker protocol: a frame announced {length} bytes; at most {maxBytes} are allowed.");
        }

        return length;
    }

    private static bool ReadExactly(Stream stream, Span<byte> buffer) => stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) == buffer.Length;
}
