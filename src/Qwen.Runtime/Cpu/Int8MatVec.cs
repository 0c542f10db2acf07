using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Qwen.Runtime;

/// <summary>y = W·x (+ b) for <see cref="QuantizedWeight"/> (8-bit) and <see cref="QuantizedWeight4"/> (4-bit) matrices and one or a few float32 activation rows: integer dot products per 32-block against int8 activations, as llama.cpp's Q8_0 × Q8_0 and Q4_0 × Q8_0.</summary>
/// <remarks>
/// <para>
/// Each activation row is quantized once per product, per 32-block, to int8 with a float scale. A block's product is
/// then an exact integer dot product times the two scales. With AVX-512BW, 64 weights (two blocks) go through one
/// <c>vpmaddubsw</c> (|x| unsigned times the weight with x's sign, pairs summed to int16 without saturation since both
/// factors are at most 127) and one <c>vpmaddwd</c> against ones (int32), then one float FMA by the two blocks' combined
/// scales. Four weight rows share each activation load. This CPU's VNNI (<c>vpdpbusd</c>) is not exposed by .NET 10
/// for 512-bit vectors on AVX-512 (non-AVX10) hardware, so the two-instruction form is used everywhere.
/// </para>
/// <para>
/// Weight rows are split into chunks of about 128 KB shared across threads by <see cref="CpuParallel"/>, as in
/// <see cref="MatVec"/>. With several activation rows (a batched decode step), each chunk is read from memory once and
/// multiplied by every row while it sits in L2. Without AVX-512BW, AVX2 with FMA runs the same products one block per
/// 256-bit step (most desktop and laptop CPUs have AVX2 and not AVX-512); without either (or when asked), a portable
/// scalar kernel computes the same integer sums. Only the order of the float additions differs between the three.
/// </para>
/// <para>
/// 4-bit weights need no sign trick: their codes n (weight n - 8) are unsigned, so <c>vpmaddubsw</c> takes n and the
/// signed activation quants q as they are (no int16 saturation: |n·q + n'·q'| ≤ 2 · 15 · 127), and each block's
/// 8 · Σq, counted once per activation row, is taken off through the same combined scales.
/// </para>
/// </remarks>
internal sealed unsafe partial class Int8MatVec : IChunkJob, IDisposable
{
    /// <summary>The most activation rows one call takes (as <see cref="RowsMatMul"/>).</summary>
    public const int MaxRows = RowsMatMul.MaxRows;

    private const int ChunkBytes = 128 * 1024;

    // The fewest 32-blocks (of every activation row) one thread quantizes: several rows' activations are quantized on the
    // kernel threads, split by blocks (a batched step's serial work otherwise leaves the helpers waiting).
    private const int MinQuantizeBlocks = 8;

    [ThreadStatic]
    private static float[]? t_rowScales;

    // A batched 4-bit step's chunk, unpacked to one code a byte (see Rows4Expanded).
    [ThreadStatic]
    private static byte[]? t_codes;

    private readonly CpuParallel _parallel;
    private readonly int _vectorBits;
    private readonly bool _useLanes;

    // The quantized activation rows: |q| as bytes, 0xFF where q < 0 (else 0), q itself (for 4-bit weights), one float
    // scale per block and 8 · Σq per block (4-bit weights' offset).
    private byte* _abs;
    private byte* _negative;
    private sbyte* _signed;
    private float* _xScales;
    private float* _xOffsets;
    private int _capacityBytes;
    private int _capacityBlocks;

    private sbyte* _w;
    private float* _bias;
    private float* _y;
    private int _m;
    private int _rows;
    private int _cols;
    private int _blocks;
    private long _rowBytes;
    private int _paddedCols;
    private int _rowsPerChunk;
    private bool _int4;
    private float* _x;
    private int _quantizeChunkBlocks;
    private QuantizeJob? _quantizeJob;

    /// <summary>
    /// Creates the kernel with the widest vectors the CPU has, up to <paramref name="maxVectorBits"/> (512, 256, or 0 for the
    /// portable scalar path; tests compare them), taking products of enough activation rows in lanes (see
    /// <see cref="LaneRows"/>; AVX-512 only) unless <paramref name="lanes"/> is false (tests and benchmarks compare both).
    /// </summary>
    public Int8MatVec(CpuParallel parallel, int maxVectorBits = 512, bool lanes = true)
    {
        _parallel = parallel;
        _vectorBits = maxVectorBits >= 512 && SupportsAvx512 ? 512 : maxVectorBits >= 256 && SupportsAvx2 ? 256 : 0;
        _useLanes = lanes;
    }

    /// <summary>Gets whether this CPU runs the AVX-512 kernel.</summary>
    public static bool SupportsAvx512 => Vector512.IsHardwareAccelerated && Avx512BW.IsSupported;

    /// <summary>Gets whether this CPU runs the AVX2 kernel.</summary>
    public static bool SupportsAvx2 => MatVec.IsSupported;

    /// <summary>Gets the width of the vector kernel in use: 512 (AVX-512BW), 256 (AVX2) or 0 (scalar).</summary>
    public int VectorBits => _vectorBits;

    /// <summary>y [rows] = W [rows, cols] · x [cols] + bias (bias may be null); W is packed (see <see cref="QuantizedWeight"/>).</summary>
    public void Multiply(float* x, sbyte* w, float* bias, float* y, int rows, int cols) => MultiplyRows(x, 1, w, bias, y, rows, cols);

    /// <summary>y [m, rows] = x [m, cols] · W [rows, cols]ᵀ + bias, for 1 ≤ m ≤ <see cref="MaxRows"/>.</summary>
    public void MultiplyRows(float* x, int m, sbyte* w, float* bias, float* y, int rows, int cols) =>
        Run(x, m, w, bias, y, rows, cols, int4: false);

    /// <summary>y [m, rows] = x [m, cols] · W [rows, cols]ᵀ + bias for a packed 4-bit W (see <see cref="QuantizedWeight4"/>), 1 ≤ m ≤ <see cref="MaxRows"/>.</summary>
    public void MultiplyRows4(float* x, int m, byte* w, float* bias, float* y, int rows, int cols) =>
        Run(x, m, (sbyte*)w, bias, y, rows, cols, int4: true);

    private void Run(float* x, int m, sbyte* w, float* bias, float* y, int rows, int cols, bool int4)
    {
        if (m < 1 || m > MaxRows)
        {
            throw new ArgumentOutOfRangeException(nameof(m), m, $"Between 1 and {MaxRows} activation rows are taken.");
        }

        _m = m;
        _w = w;
        _bias = bias;
        _y = y;
        _rows = rows;
        _cols = cols;
        _int4 = int4;

        // 4-bit rows hold whole quads of blocks (the last padded with empty blocks), and so do the activations.
        _blocks = int4 ? 4 * QuantizedWeight4.Quads(cols) : QuantizedWeight.Blocks(cols);
        _paddedCols = _blocks * QuantizedWeight.BlockSize;
        _rowBytes = int4 ? QuantizedWeight4.RowBytes(cols) : QuantizedWeight.RowBytes(cols);
        _rowsPerChunk = (int)Math.Max(4, ChunkBytes / _rowBytes & ~3);
        _lanes = _useLanes && _vectorBits == 512 && m >= (int4 ? MinLaneRows4 : MinLaneRows8);
        QuantizeActivations(x);
        _parallel.Run(this, (rows + _rowsPerChunk - 1) / _rowsPerChunk);
    }

    public void Execute(int chunk)
    {
        var start = chunk * _rowsPerChunk;
        var end = Math.Min(_rows, start + _rowsPerChunk);
        var blocks = _blocks;
        if (t_rowScales is null || t_rowScales.Length < 4 * blocks)
        {
            t_rowScales = new float[4 * Math.Max(blocks, 64)];
        }

        // The chunk's first lines, which the kernels' running prefetch (PrefetchDistance ahead) never covers.
        var first = (byte*)(_w + (start * _rowBytes));
        MatVec.PrefetchLines(first, first + MatVec.PrefetchDistance, (byte*)(_w + (end * _rowBytes)));
        if (_lanes)
        {
            ExecuteLanes(start, end);
            AddBias(start, end);
            return;
        }

        fixed (float* rowScales = t_rowScales)
        {
            if (_int4 && _m > 1 && _vectorBits == 512)
            {
                var codeBytes = (end - start) * _paddedCols;
                if (t_codes is null || t_codes.Length < codeBytes)
                {
                    t_codes = GC.AllocateUninitializedArray<byte>(codeBytes, pinned: true);
                }

                fixed (byte* codes = t_codes)
                {
                    Rows4Expanded(codes, rowScales, start, end);
                }

                AddBias(start, end);
                return;
            }

            for (var i = 0; i < _m; i++)
            {
                var abs = _abs + ((long)i * _paddedCols);
                var negative = _negative + ((long)i * _paddedCols);
                var xScales = _xScales + ((long)i * blocks);
                var y = _y + ((long)i * _rows);
                if (_int4)
                {
                    Rows4(_signed + ((long)i * _paddedCols), xScales, _xOffsets + ((long)i * blocks), rowScales, y, start, end);
                }
                else if (_vectorBits == 512)
                {
                    RowsVector(abs, negative, xScales, rowScales, y, start, end);
                }
                else if (_vectorBits == 256)
                {
                    RowsAvx2(abs, negative, xScales, y, start, end);
                }
                else
                {
                    for (var r = start; r < end; r++)
                    {
                        y[r] = DotScalar(_w + (r * _rowBytes), abs, negative, xScales);
                    }
                }
            }

            AddBias(start, end);
        }
    }

    /// <summary>Adds the bias to rows start..end-1 of every output row.</summary>
    private void AddBias(int start, int end)
    {
        if (_bias is null)
        {
            return;
        }

        for (var i = 0; i < _m; i++)
        {
            var y = _y + ((long)i * _rows);
            for (var r = start; r < end; r++)
            {
                y[r] += _bias[r];
            }
        }
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_abs);
        NativeMemory.AlignedFree(_negative);
        NativeMemory.AlignedFree(_signed);
        NativeMemory.AlignedFree(_xScales);
        NativeMemory.AlignedFree(_xOffsets);
        _abs = _negative = null;
        _signed = null;
        _xScales = _xOffsets = null;
        _capacityBytes = _capacityBlocks = 0;
        FreeLanes();
    }

    /// <summary>Quantizes the <see cref="_m"/> activation rows per 32-block (float scales, no rounding of the scale).</summary>
    private void QuantizeActivations(float* x)
    {
        var bytes = _m * _paddedCols;
        if (_capacityBytes < bytes)
        {
            NativeMemory.AlignedFree(_abs);
            NativeMemory.AlignedFree(_negative);
            NativeMemory.AlignedFree(_signed);
            _abs = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
            _negative = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
            _signed = (sbyte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
            _capacityBytes = bytes;
        }

        if (_capacityBlocks < _m * _blocks)
        {
            NativeMemory.AlignedFree(_xScales);
            NativeMemory.AlignedFree(_xOffsets);
            _xScales = (float*)NativeMemory.AlignedAlloc((nuint)(_m * _blocks * sizeof(float)), 64);
            _xOffsets = (float*)NativeMemory.AlignedAlloc((nuint)(_m * _blocks * sizeof(float)), 64);
            _capacityBlocks = _m * _blocks;
        }

        if (_lanes)
        {
            PrepareLanes();
        }

        _x = x;
        var chunks = _m == 1 ? 1 : Math.Min(_parallel.Threads * 2, (_blocks + MinQuantizeBlocks - 1) / MinQuantizeBlocks);
        if (chunks <= 1)
        {
            QuantizeBlocks(0, _blocks);
            return;
        }

        _quantizeChunkBlocks = (_blocks + chunks - 1) / chunks;
        _quantizeJob ??= new QuantizeJob(this);
        _parallel.Run(_quantizeJob, (_blocks + _quantizeChunkBlocks - 1) / _quantizeChunkBlocks);
    }

    /// <summary>Quantizes blocks start..end-1 of every activation row (chunks split by blocks, so threads write apart).</summary>
    private void QuantizeBlocks(int startBlock, int endBlock)
    {
        var x = _x;
        var last = stackalloc float[QuantizedWeight.BlockSize];
        var quants = stackalloc sbyte[QuantizedWeight.BlockSize];
        var full = _cols / QuantizedWeight.BlockSize;
        for (var i = 0; i < _m; i++)
        {
            var row = x + ((long)i * _cols);
            for (var b = startBlock; b < endBlock; b++)
            {
                var start = b * QuantizedWeight.BlockSize;
                var source = row + start;
                if (b >= full)
                {
                    // The last, partial block (and a 4-bit row's empty one): zero-padded, so padding adds nothing.
                    new Span<float>(last, QuantizedWeight.BlockSize).Clear();
                    new ReadOnlySpan<float>(source, Math.Max(0, _cols - start)).CopyTo(new Span<float>(last, QuantizedWeight.BlockSize));
                    source = last;
                }

                QuantizedWeight.QuantizeBlock(source, quants, roundScaleToBf16: false, out var scale);
                if (_lanes)
                {
                    StoreLane(i, b, quants, scale);
                    continue;
                }

                _xScales[(i * _blocks) + b] = scale;
                var offset = ((long)i * _paddedCols) + start;
                var q = Vector256.Load(quants);
                if (_int4)
                {
                    q.Store(_signed + offset);
                    var words = Vector256.WidenLower(q) + Vector256.WidenUpper(q);
                    _xOffsets[(i * _blocks) + b] = 8 * Vector256.Sum(words);
                }
                else
                {
                    Vector256.Abs(q).AsByte().Store(_abs + offset);
                    Vector256.LessThan(q, Vector256<sbyte>.Zero).AsByte().Store(_negative + offset);
                }
            }
        }
    }

    /// <summary>One row's dot product with a quantized activation row, in plain integer and float arithmetic.</summary>
    private float DotScalar(sbyte* row, byte* abs, byte* negative, float* xScales)
    {
        var scales = QuantizedWeight.Scales(row, _cols);
        var sum = 0f;
        for (var b = 0; b < _blocks; b++)
        {
            var dot = 0;
            for (var j = b * QuantizedWeight.BlockSize; j < (b + 1) * QuantizedWeight.BlockSize; j++)
            {
                dot += row[j] * (negative[j] != 0 ? -abs[j] : abs[j]);
            }

            sum += dot * (QuantizedWeight.Bf16(scales[b]) * xScales[b]);
        }

        return sum;
    }

    /// <summary>Rows start..end-1 against one quantized activation row, four weight rows at a time.</summary>
    /// <remarks>
    /// Four packed rows are one contiguous block and a chunk one stream, prefetched <see cref="MatVec.PrefetchDistance"/>
    /// bytes ahead as in <see cref="MatVec"/>: four lines per step of <see cref="Dot4"/>, and the group's few remaining
    /// lines (its scales and padding) after it.
    /// </remarks>
    private void RowsVector(byte* abs, byte* negative, float* xScales, float* rowScales, float* y, int start, int end)
    {
        var blocks = _blocks;
        var limit = (byte*)(_w + (end * _rowBytes));
        var r = start;
        for (; r + 4 <= end; r += 4)
        {
            var w0 = _w + (r * _rowBytes);
            var w1 = w0 + _rowBytes;
            var w2 = w1 + _rowBytes;
            var w3 = w2 + _rowBytes;
            var ahead = (byte*)w0 + MatVec.PrefetchDistance;
            CombineScales(w0, xScales, rowScales);
            CombineScales(w1, xScales, rowScales + blocks);
            CombineScales(w2, xScales, rowScales + (2 * blocks));
            CombineScales(w3, xScales, rowScales + (3 * blocks));
            Dot4(w0, w1, w2, w3, abs, negative, rowScales, y + r, ahead, limit);
            MatVec.PrefetchLines(ahead + (blocks / 2 * 256), ahead + (4 * _rowBytes), limit);
        }

        for (; r < end; r++)
        {
            var w = _w + (r * _rowBytes);
            CombineScales(w, xScales, rowScales);
            y[r] = Dot1(w, abs, negative, rowScales);
        }
    }

    /// <summary>
    /// Rows start..end-1 with AVX2: one 32-weight block per 256-bit step (the same <c>vpmaddubsw</c>/<c>vpmaddwd</c>
    /// products as <see cref="RowsVector"/>), four weight rows sharing each activation load, the block's two scales
    /// multiplied as it goes; prefetched as there, four lines every other step.
    /// </summary>
    private void RowsAvx2(byte* abs, byte* negative, float* xScales, float* y, int start, int end)
    {
        var blocks = _blocks;
        var cols = _cols;
        var ones = Vector256.Create((short)1);
        var limit = (byte*)(_w + (end * _rowBytes));
        var r = start;
        for (; r + 4 <= end; r += 4)
        {
            var w0 = _w + (r * _rowBytes);
            var w1 = w0 + _rowBytes;
            var w2 = w1 + _rowBytes;
            var w3 = w2 + _rowBytes;
            ushort* s0 = QuantizedWeight.Scales(w0, cols), s1 = QuantizedWeight.Scales(w1, cols), s2 = QuantizedWeight.Scales(w2, cols), s3 = QuantizedWeight.Scales(w3, cols);
            var ahead = (byte*)w0 + MatVec.PrefetchDistance;
            var groupEnd = ahead + (4 * _rowBytes);
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (var b = 0; b < blocks; b++)
            {
                if ((b & 1) == 0)
                {
                    MatVec.Prefetch4(ahead, limit);
                    ahead += 256;
                }

                var offset = b * QuantizedWeight.BlockSize;
                var ax = Vector256.Load(abs + offset);
                var neg = Vector256.Load(negative + offset).AsSByte();
                var xs = xScales[b];
                a0 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(BlockSums(w0 + offset, ax, neg, ones)), Vector256.Create(QuantizedWeight.Bf16(s0[b]) * xs), a0);
                a1 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(BlockSums(w1 + offset, ax, neg, ones)), Vector256.Create(QuantizedWeight.Bf16(s1[b]) * xs), a1);
                a2 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(BlockSums(w2 + offset, ax, neg, ones)), Vector256.Create(QuantizedWeight.Bf16(s2[b]) * xs), a2);
                a3 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(BlockSums(w3 + offset, ax, neg, ones)), Vector256.Create(QuantizedWeight.Bf16(s3[b]) * xs), a3);
            }

            MatVec.PrefetchLines(ahead, groupEnd, limit);

            y[r] = Vector256.Sum(a0);
            y[r + 1] = Vector256.Sum(a1);
            y[r + 2] = Vector256.Sum(a2);
            y[r + 3] = Vector256.Sum(a3);
        }

        for (; r < end; r++)
        {
            var w = _w + (r * _rowBytes);
            var scales = QuantizedWeight.Scales(w, cols);
            var acc = Vector256<float>.Zero;
            for (var b = 0; b < blocks; b++)
            {
                var offset = b * QuantizedWeight.BlockSize;
                var sums = BlockSums(w + offset, Vector256.Load(abs + offset), Vector256.Load(negative + offset).AsSByte(), ones);
                acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(sums), Vector256.Create(QuantizedWeight.Bf16(scales[b]) * xScales[b]), acc);
            }

            y[r] = Vector256.Sum(acc);
        }
    }

    /// <summary>4-bit rows start..end-1 against one quantized activation row (<paramref name="q"/>: its signed quants).</summary>
    private void Rows4(sbyte* q, float* xScales, float* xOffsets, float* rowScales, float* y, int start, int end)
    {
        if (_vectorBits == 512)
        {
            Rows4Vector<PackedCodes>((byte*)_w + (start * _rowBytes), _rowBytes, q, xScales, xOffsets, rowScales, y, start, end);
            return;
        }

        for (var r = start; r < end; r++)
        {
            var w = (byte*)_w + (r * _rowBytes);
            y[r] = _vectorBits == 256 ? Dot4Avx2(w, q, xScales, xOffsets) : Dot4Scalar(w, q, xScales, xOffsets);
        }
    }

    /// <summary>
    /// A batched step's 4-bit chunk with AVX-512: its codes unpacked once into <paramref name="codes"/> (one byte each,
    /// in weight order), then every activation row multiplied with them from L2, so the unpacking is not repeated per row.
    /// </summary>
    private void Rows4Expanded(byte* codes, float* rowScales, int start, int end)
    {
        var mask = Vector512.Create((byte)0x0F);
        var quads = _blocks / 4;
        var limit = (byte*)_w + (end * _rowBytes);
        for (var r = start; r < end; r++)
        {
            var row = (byte*)_w + (r * _rowBytes);
            MatVec.PrefetchLines(row + MatVec.PrefetchDistance, row + MatVec.PrefetchDistance + _rowBytes, limit);
            var target = codes + ((long)(r - start) * _paddedCols);
            for (var quad = 0; quad < quads; quad++)
            {
                PackedCodes.Low(row, quad, mask).Store(target + (quad * QuantizedWeight4.QuadSize));
                PackedCodes.High(row, quad, mask).Store(target + (quad * QuantizedWeight4.QuadSize) + 64);
            }
        }

        for (var i = 0; i < _m; i++)
        {
            Rows4Vector<ExpandedCodes>(
                codes,
                _paddedCols,
                _signed + ((long)i * _paddedCols),
                _xScales + ((long)i * _blocks),
                _xOffsets + ((long)i * _blocks),
                rowScales,
                _y + ((long)i * _rows),
                start,
                end);
        }
    }

    /// <summary>
    /// 4-bit rows with AVX-512: four rows at a time, each quad of blocks (128 codes, two 64-code halves) multiplied with <c>vpmaddubsw</c>/
    /// <c>vpmaddwd</c>; each row's offset (Σ combined scale × 8Σq) comes off at the end. Codes come from
    /// <typeparamref name="TCodes"/>: packed rows streamed from memory (prefetched <see cref="MatVec.PrefetchDistance"/>
    /// ahead as the 8-bit kernel is) or a chunk already unpacked. Row r's codes start at
    /// <paramref name="codes"/> + (r - <paramref name="start"/>) × <paramref name="stride"/>; its scales are in the packed row.
    /// </summary>
    private void Rows4Vector<TCodes>(byte* codes, long stride, sbyte* q, float* xScales, float* xOffsets, float* rowScales, float* y, int start, int end)
        where TCodes : struct, ICodeSource
    {
        var blocks = _blocks;
        var quads = blocks / 4;
        var cols = _cols;
        var w = (byte*)_w;
        var limit = codes + ((end - start) * stride);
        var ones = Vector512.Create((short)1);
        var spread = Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
        var mask = Vector512.Create((byte)0x0F);
        var r = start;
        for (; r + 4 <= end; r += 4)
        {
            var w0 = codes + ((r - start) * stride);
            var w1 = w0 + stride;
            var w2 = w1 + stride;
            var w3 = w2 + stride;
            float* c0 = rowScales, c1 = c0 + blocks, c2 = c1 + blocks, c3 = c2 + blocks;
            var packed = w + (r * _rowBytes);
            CombineScales(QuantizedWeight4.Scales(packed, cols), xScales, c0);
            CombineScales(QuantizedWeight4.Scales(packed + _rowBytes, cols), xScales, c1);
            CombineScales(QuantizedWeight4.Scales(packed + (2 * _rowBytes), cols), xScales, c2);
            CombineScales(QuantizedWeight4.Scales(packed + (3 * _rowBytes), cols), xScales, c3);
            var ahead = w0 + MatVec.PrefetchDistance;
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (var quad = 0; quad < quads; quad++)
            {
                // Four packed rows' 64 bytes are 256 bytes: four lines every step.
                if (TCodes.Streams)
                {
                    MatVec.Prefetch4(ahead, limit);
                }

                ahead += 256;
                var x0 = Vector512.Load(q + (quad * QuantizedWeight4.QuadSize));
                var x1 = Vector512.Load(q + (quad * QuantizedWeight4.QuadSize) + 64);
                var s = 4 * quad;
                a0 = QuadDot<TCodes>(w0, quad, x0, x1, c0 + s, mask, ones, spread, a0);
                a1 = QuadDot<TCodes>(w1, quad, x0, x1, c1 + s, mask, ones, spread, a1);
                a2 = QuadDot<TCodes>(w2, quad, x0, x1, c2 + s, mask, ones, spread, a2);
                a3 = QuadDot<TCodes>(w3, quad, x0, x1, c3 + s, mask, ones, spread, a3);
            }

            if (TCodes.Streams)
            {
                MatVec.PrefetchLines(ahead, w0 + MatVec.PrefetchDistance + (4 * stride), limit);
            }

            y[r] = Vector512.Sum(a0) - MatVec.Dot(c0, xOffsets, blocks);
            y[r + 1] = Vector512.Sum(a1) - MatVec.Dot(c1, xOffsets, blocks);
            y[r + 2] = Vector512.Sum(a2) - MatVec.Dot(c2, xOffsets, blocks);
            y[r + 3] = Vector512.Sum(a3) - MatVec.Dot(c3, xOffsets, blocks);
        }

        for (; r < end; r++)
        {
            var row = codes + ((r - start) * stride);
            CombineScales(QuantizedWeight4.Scales(w + (r * _rowBytes), cols), xScales, rowScales);
            var acc = Vector512<float>.Zero;
            for (var quad = 0; quad < quads; quad++)
            {
                var x0 = Vector512.Load(q + (quad * QuantizedWeight4.QuadSize));
                var x1 = Vector512.Load(q + (quad * QuantizedWeight4.QuadSize) + 64);
                acc = QuadDot<TCodes>(row, quad, x0, x1, rowScales + (4 * quad), mask, ones, spread, acc);
            }

            y[r] = Vector512.Sum(acc) - MatVec.Dot(rowScales, xOffsets, blocks);
        }
    }

    /// <summary>acc + one quad's four block products (codes × signed activation quants, each block times its combined scale).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> QuadDot<TCodes>(byte* row, int quad, Vector512<sbyte> x0, Vector512<sbyte> x1, float* scales, Vector512<byte> mask, Vector512<short> ones, Vector512<int> spread, Vector512<float> acc)
        where TCodes : struct, ICodeSource
    {
        acc = Vector512.FusedMultiplyAdd(CodeDot(TCodes.Low(row, quad, mask), x0, ones), PairScales(scales, spread), acc);
        return Vector512.FusedMultiplyAdd(CodeDot(TCodes.High(row, quad, mask), x1, ones), PairScales(scales + 2, spread), acc);
    }

    /// <summary>One 4-bit row with AVX2: each half of a quad's 64 bytes gives one block in its low nibbles and the block two further on in its high nibbles, one 256-bit product each.</summary>
    private float Dot4Avx2(byte* row, sbyte* q, float* xScales, float* xOffsets)
    {
        var scales = QuantizedWeight4.Scales(row, _cols);
        var ones = Vector256.Create((short)1);
        var mask = Vector256.Create((byte)0x0F);
        var acc = Vector256<float>.Zero;
        var offset = 0f;
        for (var quad = 0; quad < _blocks / 4; quad++)
        {
            for (var half = 0; half < 2; half++)
            {
                var bytes = Vector256.Load(row + (quad * 64) + (half * 32));
                int low = (4 * quad) + half, high = low + 2;
                float dLow = QuantizedWeight.Bf16(scales[low]) * xScales[low], dHigh = QuantizedWeight.Bf16(scales[high]) * xScales[high];
                var lowSums = Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(bytes & mask, Vector256.Load(q + (low * 32))), ones);
                var highSums = Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent((bytes.AsUInt16() >> 4).AsByte() & mask, Vector256.Load(q + (high * 32))), ones);
                acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(lowSums), Vector256.Create(dLow), acc);
                acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(highSums), Vector256.Create(dHigh), acc);
                offset += (dLow * xOffsets[low]) + (dHigh * xOffsets[high]);
            }
        }

        return Vector256.Sum(acc) - offset;
    }

    /// <summary>One 4-bit row in plain integer and float arithmetic.</summary>
    private float Dot4Scalar(byte* row, sbyte* q, float* xScales, float* xOffsets)
    {
        var scales = QuantizedWeight4.Scales(row, _cols);
        var sum = 0f;
        for (var b = 0; b < _blocks; b++)
        {
            var dot = 0;
            for (var j = b * QuantizedWeight.BlockSize; j < (b + 1) * QuantizedWeight.BlockSize; j++)
            {
                dot += QuantizedWeight4.Code(row, j) * q[j];
            }

            var combined = QuantizedWeight.Bf16(scales[b]) * xScales[b];
            sum += (dot * combined) - (combined * xOffsets[b]);
        }

        return sum;
    }

    /// <summary>Two blocks' products of 64 codes (0-15) with signed activation quants as 16 float lanes (lanes 0-7 block one, 8-15 block two).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> CodeDot(Vector512<byte> codes, Vector512<sbyte> x, Vector512<short> ones) =>
        Avx512F.ConvertToVector512Single(Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(codes, x), ones));

    /// <summary>combined[b] = the weight row's scale × the activation's scale, for every block.</summary>
    private void CombineScales(sbyte* row, float* xScales, float* combined) => CombineScales(QuantizedWeight.Scales(row, _cols), xScales, combined);

    /// <summary>combined[b] = scales[b] (bf16) × xScales[b], for every block.</summary>
    private void CombineScales(ushort* scales, float* xScales, float* combined)
    {
        var b = 0;
        for (; b + 16 <= _blocks; b += 16)
        {
            var bits = Vector512.WidenLower(Vector512.Create(Vector256.Load(scales + b), Vector256<ushort>.Zero));
            (Vector512.ShiftLeft(bits, 16).AsSingle() * Vector512.Load(xScales + b)).Store(combined + b);
        }

        // Rows of 896 weights have 28 blocks: the tail of 12 goes in eight and four, not one by one.
        if (b + 8 <= _blocks)
        {
            var bits = Vector256.WidenLower(Vector256.Create(Vector128.Load(scales + b), Vector128<ushort>.Zero));
            (Vector256.ShiftLeft(bits, 16).AsSingle() * Vector256.Load(xScales + b)).Store(combined + b);
            b += 8;
        }

        if (b + 4 <= _blocks)
        {
            var bits = Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)(scales + b)).AsUInt16());
            (Vector128.ShiftLeft(bits, 16).AsSingle() * Vector128.Load(xScales + b)).Store(combined + b);
            b += 4;
        }

        for (; b < _blocks; b++)
        {
            combined[b] = QuantizedWeight.Bf16(scales[b]) * xScales[b];
        }
    }

    /// <summary>Four rows' dot products: two blocks per 512-bit step (prefetching four lines from <paramref name="ahead"/> on), the last odd block in 256 bits.</summary>
    private void Dot4(sbyte* w0, sbyte* w1, sbyte* w2, sbyte* w3, byte* abs, byte* negative, float* scales, float* y, byte* ahead, byte* limit)
    {
        var blocks = _blocks;
        var pairs = blocks / 2;
        var ones = Vector512.Create((short)1);
        var spread = Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
        var a0 = Vector512<float>.Zero;
        var a1 = Vector512<float>.Zero;
        var a2 = Vector512<float>.Zero;
        var a3 = Vector512<float>.Zero;
        var s1 = scales + blocks;
        var s2 = s1 + blocks;
        var s3 = s2 + blocks;
        for (var p = 0; p < pairs; p++, ahead += 256)
        {
            MatVec.Prefetch4(ahead, limit);
            var offset = p * 64;
            var ax = Vector512.Load(abs + offset);
            var neg = Vector512.Load(negative + offset).AsSByte();
            a0 = Vector512.FusedMultiplyAdd(PairDot(w0 + offset, ax, neg, ones), PairScales(scales + (2 * p), spread), a0);
            a1 = Vector512.FusedMultiplyAdd(PairDot(w1 + offset, ax, neg, ones), PairScales(s1 + (2 * p), spread), a1);
            a2 = Vector512.FusedMultiplyAdd(PairDot(w2 + offset, ax, neg, ones), PairScales(s2 + (2 * p), spread), a2);
            a3 = Vector512.FusedMultiplyAdd(PairDot(w3 + offset, ax, neg, ones), PairScales(s3 + (2 * p), spread), a3);
        }

        float y0 = Vector512.Sum(a0), y1 = Vector512.Sum(a1), y2 = Vector512.Sum(a2), y3 = Vector512.Sum(a3);
        if ((blocks & 1) != 0)
        {
            var last = blocks - 1;
            var offset = last * QuantizedWeight.BlockSize;
            y0 += BlockDot(w0 + offset, abs + offset, negative + offset) * scales[last];
            y1 += BlockDot(w1 + offset, abs + offset, negative + offset) * s1[last];
            y2 += BlockDot(w2 + offset, abs + offset, negative + offset) * s2[last];
            y3 += BlockDot(w3 + offset, abs + offset, negative + offset) * s3[last];
        }

        y[0] = y0;
        y[1] = y1;
        y[2] = y2;
        y[3] = y3;
    }

    private float Dot1(sbyte* w, byte* abs, byte* negative, float* scales)
    {
        var blocks = _blocks;
        var ones = Vector512.Create((short)1);
        var spread = Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
        var acc = Vector512<float>.Zero;
        for (var p = 0; p < blocks / 2; p++)
        {
            var offset = p * 64;
            var ax = Vector512.Load(abs + offset);
            var neg = Vector512.Load(negative + offset).AsSByte();
            acc = Vector512.FusedMultiplyAdd(PairDot(w + offset, ax, neg, ones), PairScales(scales + (2 * p), spread), acc);
        }

        var sum = Vector512.Sum(acc);
        if ((blocks & 1) != 0)
        {
            var offset = (blocks - 1) * QuantizedWeight.BlockSize;
            sum += BlockDot(w + offset, abs + offset, negative + offset) * scales[blocks - 1];
        }

        return sum;
    }

    /// <summary>
    /// Two blocks' products as 16 float lanes (lanes 0-7 block one, 8-15 block two, each lane a sum of four products):
    /// the weights take x's sign ((w ^ m) - m negates where m is all ones), then |x| · w pairs, then pairs of pairs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PairDot(sbyte* w, Vector512<byte> ax, Vector512<sbyte> negative, Vector512<short> ones)
    {
        var weights = Vector512.Load(w);
        var signed = (weights ^ negative) - negative;
        var pairs = Avx512BW.MultiplyAddAdjacent(ax, signed);
        return Avx512F.ConvertToVector512Single(Avx512BW.MultiplyAddAdjacent(pairs, ones));
    }

    /// <summary>The combined scales of two consecutive blocks spread over lanes 0-7 and 8-15.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PairScales(float* scales, Vector512<int> spread) =>
        Avx512F.PermuteVar16x32(Vector512.CreateScalarUnsafe(*(double*)scales).AsSingle(), spread);

    /// <summary>One block's integer dot product (32 weights) in 256 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BlockDot(sbyte* w, byte* abs, byte* negative) =>
        Vector256.Sum(BlockSums(w, Vector256.Load(abs), Vector256.Load(negative).AsSByte(), Vector256.Create((short)1)));

    /// <summary>One block's products as eight int32 lanes, each the sum of four: the weights take x's sign, then |x| · w pairs, then pairs of pairs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> BlockSums(sbyte* w, Vector256<byte> ax, Vector256<sbyte> negative, Vector256<short> ones)
    {
        var weights = Vector256.Load(w);
        var signed = (weights ^ negative) - negative;
        return Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(ax, signed), ones);
    }

    /// <summary>Where <see cref="Rows4Vector{TCodes}"/> takes a row's 4-bit codes from, 128 at a time (a quad of blocks).</summary>
    private interface ICodeSource
    {
        /// <summary>Gets whether the rows stream from memory (and are worth prefetching).</summary>
        static abstract bool Streams { get; }

        /// <summary>The first 64 codes of quad <paramref name="quad"/> of a row (its blocks 0 and 1).</summary>
        static abstract Vector512<byte> Low(byte* row, int quad, Vector512<byte> mask);

        /// <summary>The last 64 codes of quad <paramref name="quad"/> of a row (its blocks 2 and 3).</summary>
        static abstract Vector512<byte> High(byte* row, int quad, Vector512<byte> mask);
    }

    /// <summary>Packed rows (<see cref="QuantizedWeight4"/>): 64 bytes a quad, unpacked on the fly with a mask and a shift.</summary>
    private readonly struct PackedCodes : ICodeSource
    {
        public static bool Streams => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<byte> Low(byte* row, int quad, Vector512<byte> mask) => Vector512.Load(row + (quad * 64)) & mask;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<byte> High(byte* row, int quad, Vector512<byte> mask) => (Vector512.Load(row + (quad * 64)).AsUInt16() >> 4).AsByte() & mask;
    }

    /// <summary>Rows already unpacked to one code a byte.</summary>
    private readonly struct ExpandedCodes : ICodeSource
    {
        public static bool Streams => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<byte> Low(byte* row, int quad, Vector512<byte> mask) => Vector512.Load(row + (quad * QuantizedWeight4.QuadSize));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<byte> High(byte* row, int quad, Vector512<byte> mask) => Vector512.Load(row + (quad * QuantizedWeight4.QuadSize) + 64);
    }

    /// <summary>Chunk c quantizes its share of the blocks of every activation row (see <see cref="QuantizeBlocks"/>).</summary>
    private sealed class QuantizeJob(Int8MatVec owner) : IChunkJob
    {
        public void Execute(int chunk)
        {
            var start = chunk * owner._quantizeChunkBlocks;
            owner.QuantizeBlocks(start, Math.Min(owner._blocks, start + owner._quantizeChunkBlocks));
        }
    }
}
