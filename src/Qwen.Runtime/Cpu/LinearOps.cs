using System.Runtime.Intrinsics;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Qwen.Runtime;

/// <summary>The model's linear layers: torch's GEMM for many rows (prefill, GPU), managed kernels on the CPU for one row (mat-vec) and for a few rows (a batched decode step).</summary>
internal sealed unsafe partial class LinearOps : IDisposable
{
    // Without the few-rows kernel, the most bf16 rows that go through the mat-vec kernel one by one (see Apply).
    private const int MatVecRowsLimit = 16;

    private readonly CpuParallel? _parallel;
    private readonly MatVec? _matVec;
    private readonly RowsMatMul? _rowsMatMul;
    private readonly PanelMatMul? _panelMatMul;

    private LinearOps(CpuParallel? parallel, bool matVec, bool wide)
    {
        _parallel = parallel;
        _matVec = parallel is null || !matVec ? null : new MatVec(parallel);
        _rowsMatMul = parallel is null || !wide ? null : new RowsMatMul(parallel);
        _panelMatMul = parallel is null || !wide ? null : new PanelMatMul(parallel);
    }

    /// <summary>Gets whether single-row products on the CPU use the managed kernel.</summary>
    public bool UsesCpuKernel => _matVec is not null;

    /// <summary>Gets whether products of a few rows (batched decode steps) on the CPU use the managed kernel.</summary>
    public bool UsesRowsKernel => _rowsMatMul is not null;

    /// <summary>Gets the managed mat-vec kernel, when in use.</summary>
    public MatVec? MatVec => _matVec;

    /// <summary>Gets whether float32 products of many rows (prefill) on the CPU use the managed GEMM rather than libtorch's.</summary>
    public bool UsesPanelKernel => _panelMatMul is not null;

    /// <summary>Gets the few-rows kernel of batched decode steps, when in use.</summary>
    public RowsMatMul? RowsMatMul => _rowsMatMul;

    /// <summary>Gets the kernel threads, when in use.</summary>
    public CpuParallel? Parallel => _parallel;

    /// <summary>
    /// Sets up the kernels for a CPU model when the hardware and the native library allow it: the mat-vec and int8
    /// kernels (and with them the managed decode step) need AVX2 with FMA, the few-rows kernel of batched steps and the
    /// float32 GEMM of prefills AVX-512.
    /// </summary>
    public static LinearOps Create(Device device, bool enableKernels, int threads)
    {
        var usable = enableKernels && device.type == TorchSharp.DeviceType.CPU && NativeTensor.Available && MatVec.IsSupported;
        return new LinearOps(usable ? new CpuParallel(threads) : null, usable, usable && PanelMatMul.IsSupported);
    }

    /// <summary>x · Wᵀ + b, in the dtype of <paramref name="x"/> whatever the weight's storage dtype.</summary>
    public Tensor Apply(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (IsQuantized(weight))
        {
            return ApplyQuantized(x, weight, bias);
        }

        var cols = weight.shape[1];
        var rows = x.numel() / cols;

        // One row: the mat-vec kernel. A few rows (a batched decode step, a short prompt): the few-rows kernel, which
        // reads each weight once for all of them (see RowsMatMul). Both take float32 or bf16 weights. Without the
        // few-rows kernel (no AVX-512), up to 16 bf16 rows (a batched decode step) go through the mat-vec kernel one by
        // one, so that a batched step computes in float32 as single steps do (libtorch would compute in bf16); more rows
        // (reading the weights once per row would cost more than libtorch's bf16 GEMM) go to libtorch, and so do more
        // float32 rows where PanelMatMul is not available.
        var bf16 = weight.dtype == ScalarType.BFloat16;
        var fewRows = _rowsMatMul is not null ? rows <= RowsMatMul.MaxRows : bf16 && rows <= MatVecRowsLimit;
        if (_matVec is not null && (rows == 1 || fewRows) && x.dtype == ScalarType.Float32 && weight.dtype is ScalarType.Float32 or ScalarType.BFloat16)
        {
            var shape = x.shape;
            shape[^1] = weight.shape[0];
            var y = empty(shape, ScalarType.Float32);
            using var input = x.contiguous();
            var inputData = (float*)NativeTensor.Data(input);
            var biasData = bias is null ? null : (float*)NativeTensor.Data(bias);
            var output = (float*)NativeTensor.Data(y);
            var outRows = weight.shape[0];
            if (_rowsMatMul is not null && rows > 1)
            {
                _rowsMatMul.Multiply(inputData, (int)rows, NativeTensor.Data(weight), bf16, biasData, output, (int)outRows, (int)cols);
            }
            else
            {
                for (var i = 0; i < rows; i++)
                {
                    _matVec.Multiply(inputData + (i * cols), NativeTensor.Data(weight), bf16, biasData, output + (i * outRows), (int)outRows, (int)cols);
                }
            }

            return y;
        }

        // Many float32 rows (a prefill): the managed GEMM, which uses AVX-512 where MKL's sgemm in libtorch runs its
        // generic 256-bit code on AMD processors (see PanelMatMul).
        if (_panelMatMul is not null && x.dtype == ScalarType.Float32 && weight.dtype == ScalarType.Float32)
        {
            var shape = x.shape;
            shape[^1] = weight.shape[0];
            var y = empty(shape, ScalarType.Float32);
            using var input = x.contiguous();
            var biasData = bias is null ? null : (float*)NativeTensor.Data(bias);
            _panelMatMul.Multiply((float*)NativeTensor.Data(input), checked((int)rows), (float*)NativeTensor.Data(weight), biasData, (float*)NativeTensor.Data(y), checked((int)weight.shape[0]), checked((int)cols));
            return y;
        }

        if (weight.dtype != x.dtype)
        {
            // Weight-only low precision (bf16/f16 weights, float32 activations): compute in the weight's dtype.
            using var low = x.to(weight.dtype);
            using var lowBias = bias?.to(weight.dtype);
            using var product = F.linear(low, weight, lowBias);
            return product.to(x.dtype);
        }

        return F.linear(x, weight, bias);
    }

    public void Dispose()
    {
        _matVec?.Dispose();
        _rowsMatMul?.Dispose();
        _panelMatMul?.Dispose();
        DisposeInt8();
        _parallel?.Dispose();
    }
}
