using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>What <see cref="ModelDType.Int8"/> and <see cref="ModelDType.Int4"/> change in the model: where they may run, and how the embeddings are read.</summary>
public sealed partial class QwenModel
{
    /// <summary>The storage type of 8-bit or 4-bit weights on a <paramref name="device"/> of this type; both are CPU-only for now.</summary>
    internal static ScalarType QuantizedStorageFor(ModelDType dtype, TorchSharp.DeviceType device) => device == TorchSharp.DeviceType.CPU
        ? (dtype == ModelDType.Int4 ? QuantizedWeight4.StorageType : QuantizedWeight.StorageType)
        : throw new NotSupportedException($"QwenModelOptions.DType = ModelDType.{dtype} (--dtype {dtype.ToString().ToLowerInvariant()}) runs on the CPU only for now; the model was asked to load on {device}. Use Device = \"cpu\", or BFloat16 on CUDA.");

    /// <summary>The embeddings of <paramref name="ids"/> [n] as [n, hidden] in the weights' dtype (float32 for int8 weights).</summary>
    private unsafe Tensor Embed(Tensor ids)
    {
        var rows = _embedding.index_select(0, ids);
        if (rows.dtype != QuantizedWeight.StorageType)
        {
            return rows;
        }

        using (rows)
        {
            var hidden = Config.HiddenSize;
            var count = rows.shape[0];
            var x = empty([count, hidden], ScalarType.Float32);
            var source = (sbyte*)NativeTensor.Data(rows);
            var destination = (float*)NativeTensor.Data(x);
            var rowBytes = QuantizedWeight.RowBytes(hidden);
            for (long i = 0; i < count; i++)
            {
                QuantizedWeight.DequantizeRow(source + (i * rowBytes), destination + (i * hidden), hidden);
            }

            return x;
        }
    }
}
