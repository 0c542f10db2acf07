using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>Reading a float tensor straight into <see cref="QuantizedWeight"/> (8-bit) or <see cref="QuantizedWeight4"/> (4-bit) rows.</summary>
internal sealed partial class SafeTensorsFile
{
    /// <summary>
    /// Reads a float matrix (F32, BF16 or F16) into packed rows (<paramref name="destination"/>, a CPU int8 tensor
    /// [rows, <see cref="QuantizedWeight.RowBytes"/>(cols)] or uint8 tensor [rows, <see cref="QuantizedWeight4.RowBytes"/>(cols)]),
    /// a slice of about 32 MB of the file at a time: the float weights are never all in memory at once.
    /// </summary>
    public unsafe void ReadQuantized(SafeTensorInfo info, Tensor destination, ref Tensor? staging, ref Tensor? floatStaging)
    {
        var sourceType = TorchType(info.DType) ?? throw new CheckpointFormatException(Path, $"tensor '{info.Name}' has dtype {info.DType}; expected F32, BF16 or F16");
        var rows = info.Shape.Length == 2 ? info.Shape[0] : -1;
        var cols = info.Shape.Length == 2 ? info.Shape[1] : -1;
        var int4 = destination.dtype == QuantizedWeight4.StorageType;
        var rowBytes = int4 ? QuantizedWeight4.RowBytes(cols) : QuantizedWeight.RowBytes(cols);
        if (rows < 0 || !LinearOps.IsQuantized(destination) || destination.device_type != TorchSharp.DeviceType.CPU
            || destination.shape[0] != rows || destination.shape[1] != rowBytes || !destination.is_contiguous())
        {
            throw new InvalidOperationException($"internal: quantized destination for '{info.Name}' does not match {info.ShapeText}");
        }

        var elementSize = (long)ElementSizes[info.DType];
        var sliceRows = Math.Max(1, ChunkBytes / (cols * elementSize));
        var sliceElements = sliceRows * cols;
        if (staging is null || staging.dtype != sourceType || staging.numel() < sliceElements)
        {
            staging?.Dispose();
            staging = empty(Math.Max(sliceElements, ChunkBytes / elementSize), sourceType, device: CPU);
        }

        if (sourceType != ScalarType.Float32 && (floatStaging is null || floatStaging.numel() < sliceElements))
        {
            floatStaging?.Dispose();
            floatStaging = empty(sliceElements, ScalarType.Float32, device: CPU);
        }

        var packed = (byte*)NativeTensor.Data(destination);
        for (long start = 0; start < rows; start += sliceRows)
        {
            var count = Math.Min(sliceRows, rows - start);
            using var stage = staging.narrow(0, 0, count * cols);
            ReadExactly(stage.bytes, info.Offset + (start * cols * elementSize), info.Name);
            float* floats;
            if (sourceType == ScalarType.Float32)
            {
                floats = (float*)NativeTensor.Data(stage);
            }
            else
            {
                using var widened = floatStaging!.narrow(0, 0, count * cols);
                widened.copy_(stage);
                floats = (float*)NativeTensor.Data(widened);
            }

            // Rounding 32 MB of floats takes longer than reading them: every core takes a share of the rows.
            var parts = (int)Math.Min(Environment.ProcessorCount, count);
            var source = (nint)floats;
            var target = (nint)(packed + (start * rowBytes));
            Parallel.For(0, parts, part =>
            {
                var from = count * part / parts;
                var to = count * (part + 1) / parts;
                if (int4)
                {
                    QuantizedWeight4.QuantizeRows((float*)source + (from * cols), (byte*)target + (from * rowBytes), to - from, (int)cols);
                }
                else
                {
                    QuantizedWeight.QuantizeRows((float*)source + (from * cols), (sbyte*)target + (from * rowBytes), to - from, (int)cols);
                }
            });
        }
    }
}
