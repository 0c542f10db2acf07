using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Qwen.Runtime;

/// <summary>The linear layers' <see cref="ModelDType.Int8"/> and <see cref="ModelDType.Int4"/> path: the integer kernel for up to 16 rows (decode, batched decode), a dequantize-and-GEMM for more (prefill).</summary>
internal sealed unsafe partial class LinearOps
{
    // bf16 scratch for the dequantized weights of a prefill product: larger matrices (the logits head) go in row slices.
    private const long DequantizeScratchBytes = 32L << 20;

    // Up to this many rows (a batched decode step) the int8 kernel; beyond, widening the weights to bf16 once and
    // libtorch's GEMM cost less: the kernel's arithmetic grows with every row (a 64-token prompt took about as long
    // as 33 decode steps on it, measured on the 0.5B shape), the widening is paid once per product.
    internal const int Int8KernelMaxRows = 16;

    private Int8MatVec? _int8;
    private Tensor? _dequantized;

    /// <summary>Gets the int8 kernel (made on first use) when the kernel threads exist (AVX-512 or AVX2), else null.</summary>
    public Int8MatVec? Int8 => _parallel is null ? null : _int8 ??= new Int8MatVec(_parallel);

    /// <summary>Gets whether <paramref name="weight"/> is a packed 8-bit or 4-bit matrix.</summary>
    public static bool IsQuantized(Tensor weight) => weight.dtype is QuantizedWeight.StorageType or QuantizedWeight4.StorageType;

    /// <summary>x · Wᵀ + b for a packed int8 or 4-bit <paramref name="weight"/> (see <see cref="QuantizedWeight"/>, <see cref="QuantizedWeight4"/>): float32 in, float32 out.</summary>
    private Tensor ApplyQuantized(Tensor x, Tensor weight, Tensor? bias)
    {
        var cols = x.shape[^1];
        var outRows = weight.shape[0];
        var int4 = weight.dtype == QuantizedWeight4.StorageType;
        if (weight.shape[1] != (int4 ? QuantizedWeight4.RowBytes(cols) : QuantizedWeight.RowBytes(cols)) || x.device_type != TorchSharp.DeviceType.CPU || !NativeTensor.Available)
        {
            throw new InvalidOperationException($"internal: a quantized weight [{outRows}, {weight.shape[1]}] ({weight.dtype}) does not fit activations of {cols} columns on {x.device}");
        }

        var rows = x.numel() / cols;
        var shape = x.shape;
        shape[^1] = outRows;
        using var input = x.dtype == ScalarType.Float32 ? x.contiguous() : x.to(ScalarType.Float32).contiguous();
        if (Int8 is { } kernel && rows <= Int8KernelMaxRows)
        {
            var y = empty(shape, ScalarType.Float32);
            var biasData = bias is null ? null : (float*)NativeTensor.Data(bias);
            if (int4)
            {
                kernel.MultiplyRows4((float*)NativeTensor.Data(input), (int)rows, (byte*)NativeTensor.Data(weight), biasData, (float*)NativeTensor.Data(y), (int)outRows, (int)cols);
            }
            else
            {
                kernel.MultiplyRows((float*)NativeTensor.Data(input), (int)rows, (sbyte*)NativeTensor.Data(weight), biasData, (float*)NativeTensor.Data(y), (int)outRows, (int)cols);
            }

            return y;
        }

        // Many rows (prefill): the weights widened to bf16 a slice at a time, then libtorch's bf16 GEMM, as for bf16 weights.
        using var low = input.to(ScalarType.BFloat16);
        var sliceRows = Math.Max(1, DequantizeScratchBytes / (cols * sizeof(ushort)));
        if (_dequantized is null || _dequantized.numel() < Math.Min(sliceRows, outRows) * cols)
        {
            _dequantized?.Dispose();
            // Kept across calls: out of the caller's dispose scope.
            _dequantized = empty(Math.Min(sliceRows, outRows) * cols, ScalarType.BFloat16).DetachFromDisposeScope();
        }

        var output = outRows <= sliceRows ? null : empty(shape, ScalarType.Float32);
        for (long start = 0; start < outRows; start += sliceRows)
        {
            var count = Math.Min(sliceRows, outRows - start);
            Dequantize((byte*)NativeTensor.Data(weight) + (start * weight.shape[1]), int4, (ushort*)NativeTensor.Data(_dequantized), (int)count, (int)cols);
            using var slice = _dequantized.narrow(0, 0, count * cols).view(count, cols);
            using var lowBias = bias?.narrow(0, start, count).to(ScalarType.BFloat16);
            using var product = F.linear(low, slice, lowBias);
            if (output is null)
            {
                return product.to(ScalarType.Float32);
            }

            using var target = output.narrow(-1, start, count);
            target.copy_(product);
        }

        return output!;
    }

    /// <summary>Packed rows to bf16 rows, across the kernel threads when there are any.</summary>
    private void Dequantize(byte* source, bool int4, ushort* destination, int rows, int cols)
    {
        var job = new DequantizeJob(source, int4, destination, rows, cols);
        if (_parallel is null)
        {
            for (var i = 0; i < job.Chunks; i++)
            {
                job.Execute(i);
            }
        }
        else
        {
            _parallel.Run(job, job.Chunks);
        }
    }

    private void DisposeInt8()
    {
        _int8?.Dispose();
        _dequantized?.Dispose();
    }

    /// <summary>Dequantizes a range of packed rows into bf16, a few hundred KB per chunk.</summary>
    private sealed class DequantizeJob(byte* source, bool int4, ushort* destination, int rows, int cols) : IChunkJob
    {
        private readonly long _rowBytes = int4 ? QuantizedWeight4.RowBytes(cols) : QuantizedWeight.RowBytes(cols);
        private readonly int _rowsPerChunk = Math.Max(1, (256 * 1024) / cols);

        public int Chunks => (rows + _rowsPerChunk - 1) / _rowsPerChunk;

        public void Execute(int chunk)
        {
            var end = Math.Min(rows, (chunk + 1) * _rowsPerChunk);
            for (var r = chunk * _rowsPerChunk; r < end; r++)
            {
                if (int4)
                {
                    QuantizedWeight4.DequantizeRowBf16(source + (r * _rowBytes), destination + ((long)r * cols), cols);
                }
                else
                {
                    QuantizedWeight.DequantizeRowBf16((sbyte*)source + (r * _rowBytes), destination + ((long)r * cols), cols);
                }
            }
        }
    }
}
