using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Qwen.Runtime;

/// <summary>A loaded Qwen2 / Qwen2.5 / Qwen3 dense model: owns the weights on one device and runs forward passes and generation.</summary>
/// <remarks>
/// Safe to share between threads: all tensor work runs, in order, on the model's own worker thread, and each sequence
/// keeps its state in its own <see cref="KvCache"/>. Dispose the model to free the device memory.
/// </remarks>
public sealed partial class QwenModel : IDisposable
{
    private readonly TorchWorker _worker;
    private readonly DecoderLayer[] _layers;
    private readonly Tensor _embedding;
    private readonly Tensor _finalNorm;
    private readonly Tensor? _lmHead;
    private readonly RotaryEmbedding _rope;
    private readonly ScalarType _weightType;
    private readonly ScalarType _computeType;
    private readonly Device _device;
    private readonly LinearOps _linear;
    private readonly int _threads;
    private CpuDecodeStep? _decodeStep;
    private int _torchThreads;
    private bool _disposed;

    private QwenModel(string directory, ModelConfig config, GenerationConfig generationConfig, TorchWorker worker, ScalarType weightType, Device device, QwenModelOptions options)
    {
        Directory = directory;
        Config = config;
        GenerationConfig = generationConfig;
        _worker = worker;
        _weightType = weightType;

        // On the CPU low-precision weights are a storage format: activations, norms and the KV cache stay float32,
        // which is both more accurate and faster there than bf16 arithmetic. On a GPU everything uses the dtype.
        _computeType = device.type == DeviceType.CPU ? ScalarType.Float32 : weightType;
        _device = device;
        _maxBatchSize = options.MaxBatchSize;
        _threads = options.Threads ?? Environment.ProcessorCount;
        _torchThreads = _threads;
        _linear = LinearOps.Create(device, options.CpuKernels, _threads);
        _rope = new RotaryEmbedding(config);
        // 4-bit models keep 8-bit embeddings and logits head: the head's errors go straight into every logit.
        var vocabularyType = weightType == QuantizedWeight4.StorageType ? QuantizedWeight.StorageType : weightType;
        _embedding = QuantizedWeight.Allocate(config.VocabSize, config.HiddenSize, vocabularyType, device);
        _finalNorm = empty([config.HiddenSize], _computeType, device);
        _lmHead = config.TieWordEmbeddings ? null : QuantizedWeight.Allocate(config.VocabSize, config.HiddenSize, vocabularyType, device);
        _layers = [.. Enumerable.Range(0, config.NumHiddenLayers).Select(i => new DecoderLayer(config, i, weightType, _computeType, device, _linear))];
        foreach (var matrix in new[] { _embedding, _lmHead }.Concat(_layers.SelectMany(l => new[] { l.Qkv, l.O, l.GateUp, l.Down })))
        {
            if (matrix is not null)
            {
                NativeTensor.AdviseHugePages(matrix);
            }
        }
    }

    /// <summary>Gets the checkpoint directory the model was loaded from.</summary>
    public string Directory { get; }

    /// <summary>Gets the model's configuration.</summary>
    public ModelConfig Config { get; }

    /// <summary>Gets the checkpoint's generation defaults.</summary>
    public GenerationConfig GenerationConfig { get; }

    /// <summary>Gets the device the weights live on (<c>cpu</c>, <c>cuda:0</c>, ...).</summary>
    public string DeviceName => _device.ToString();

    /// <summary>Gets the dtype of the weights and activations.</summary>
    public ModelDType DType => _weightType switch
    {
        ScalarType.BFloat16 => ModelDType.BFloat16,
        ScalarType.Float16 => ModelDType.Float16,
        QuantizedWeight.StorageType => ModelDType.Int8,
        QuantizedWeight4.StorageType => ModelDType.Int4,
        _ => ModelDType.Float32,
    };

    /// <summary>Gets the ids that end generation by default: generation_config.json's, else config.json's.</summary>
    public IReadOnlyList<int> EosTokenIds => GenerationConfig.EosTokenIds.Count > 0 ? GenerationConfig.EosTokenIds : Config.EosTokenIds;

    /// <summary>Loads a checkpoint (config.json, generation_config.json, model.safetensors or its shards) onto a device, from a folder or by model name.</summary>
    /// <param name="directory">The checkpoint folder, or a Hugging Face model name such as <c>Qwen/Qwen3-0.6B</c> (optionally <c>@REVISION</c>) found in the cache or downloaded into it (see <see cref="HubClient"/> and <see cref="QwenModelOptions.Hub"/>); an existing folder wins over a name.</param>
    /// <param name="options">Device, dtype and threads; null for the defaults.</param>
    /// <param name="progress">Receives progress while tensors are copied.</param>
    /// <param name="loggerFactory">Creates the logger for load-time events (what was loaded, ignored tensors, native-library repairs); null for none.</param>
    /// <returns>The loaded model.</returns>
    /// <exception cref="CheckpointFormatException">The checkpoint is missing files, malformed, or does not match its config.</exception>
    /// <exception cref="ArgumentException">An option is invalid (unknown device, non-positive thread count).</exception>
    /// <exception cref="NotSupportedException">CUDA was asked for but is not available in this build or machine, or <see cref="ModelDType.Int8"/> or <see cref="ModelDType.Int4"/> was asked for on CUDA.</exception>
    /// <exception cref="HubException">A model name could not be found, downloaded or verified.</exception>
    public static QwenModel Load(string directory, QwenModelOptions? options = null, IProgress<LoadProgress>? progress = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        options ??= new QwenModelOptions();
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        directory = HubClient.ResolveForLoad(directory, options.Hub, options.DownloadProgress);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new CheckpointFormatException(directory, "is not a directory (nor a Hugging Face model name such as Qwen/Qwen3-0.6B)");
        }

        var logger = (ILogger?)loggerFactory?.CreateLogger<QwenModel>() ?? NullLogger.Instance;
        var config = ModelConfig.Load(directory);
        var generationConfig = GenerationConfig.Load(directory);
        TorchNative.EnsureLoaded(logger);
        var worker = new TorchWorker($"qwen-model {Path.GetFileName(Path.TrimEndingDirectorySeparator(directory))}", options.Threads);
        try
        {
            return worker.Run(() =>
            {
                var device = ResolveDevice(options.Device);
                if (device.type == DeviceType.CPU)
                {
                    GlibcMalloc.TuneForModel();
                }

                var weightType = ResolveDType(options.DType, device);
                var stopwatch = Stopwatch.StartNew();
                using var checkpoint = SafeTensorsCheckpoint.Open(directory);
                var model = new QwenModel(directory, config, generationConfig, worker, weightType, device, options);
                try
                {
                    model.LoadWeights(checkpoint, progress, logger);
                }
                catch
                {
                    model.DisposeTensors();
                    throw;
                }

                RuntimeLog.ModelLoaded(logger, config.Architecture, directory, config.NumHiddenLayers, config.HiddenSize, checkpoint.TotalBytes, device.ToString(), weightType.ToString(), stopwatch.Elapsed.TotalSeconds);
                return model;
            });
        }
        catch
        {
            worker.Dispose();
            throw;
        }
    }

    /// <summary>Creates an empty KV cache for one sequence of up to <paramref name="maxTokens"/> tokens (prompt and generated).</summary>
    /// <param name="maxTokens">The cache capacity; at most <see cref="ModelConfig.ContextLength"/>.</param>
    /// <returns>A new cache on the model's device.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxTokens"/> is not between 1 and the context length.</exception>
    public KvCache CreateCache(int maxTokens)
    {
        ThrowIfDisposed();
        if (maxTokens < 1 || maxTokens > Config.ContextLength)
        {
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, $"A KV cache must hold between 1 and the model's context length ({Config.ContextLength}) tokens.");
        }

        return _worker.Run(() =>
        {
            long[] shape = [1, Config.NumKeyValueHeads, maxTokens, Config.HeadDim];
            var keys = new Tensor[_layers.Length];
            var values = new Tensor[_layers.Length];
            for (var i = 0; i < _layers.Length; i++)
            {
                keys[i] = zeros(shape, _computeType, _device);
                values[i] = zeros(shape, _computeType, _device);
            }

            return new KvCache(this, keys, values, maxTokens);
        });
    }

    /// <summary>Runs a fresh sequence through the model and returns the float32 logits after its last token.</summary>
    /// <param name="ids">The token ids (at least one).</param>
    /// <returns>One logit per vocabulary row (<see cref="ModelConfig.VocabSize"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="ids"/> is empty, too long, or holds an id outside the vocabulary.</exception>
    public float[] Forward(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ValidateIds(ids, nameof(ids));
        using var cache = CreateCache(ids.Count);
        return Forward(ids, cache);
    }

    /// <summary>Appends <paramref name="ids"/> to the sequence held in <paramref name="cache"/> and returns the float32 logits after the last one.</summary>
    /// <param name="ids">The new token ids (at least one).</param>
    /// <param name="cache">The sequence's cache, made by this model; it advances by <c>ids.Count</c>.</param>
    /// <returns>One logit per vocabulary row.</returns>
    /// <exception cref="ArgumentException">The ids are invalid, the cache belongs to another model, or it has no room left.</exception>
    public float[] Forward(IReadOnlyList<int> ids, KvCache cache)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(cache);
        ValidateIds(ids, nameof(ids));
        ValidateCache(cache, ids.Count);
        return _worker.Run(() =>
        {
            if (ids.Count == 1)
            {
                var next = new float[Config.VocabSize];
                DecodeInto(ids[0], cache, next);
                return next;
            }

            using var scope = NewDisposeScope();
            using var logits = ForwardCore(ids, cache, allPositions: false);
            return ToArray(logits);
        });
    }

    /// <summary>Generates tokens after a prompt, streaming one update per token: prefill in one pass, then cached decode steps.</summary>
    /// <param name="promptIds">The prompt's token ids.</param>
    /// <param name="options">Length, sampling and stop conditions; null for the defaults (sampling from generation_config.json).</param>
    /// <param name="cancellationToken">Stops generation before the next token.</param>
    /// <returns>The updates; the last one carries a <see cref="GenerationUpdate.FinishReason"/>.</returns>
    /// <exception cref="ArgumentException">The prompt or the options are invalid (checked before anything runs).</exception>
    public IAsyncEnumerable<GenerationUpdate> GenerateAsync(IReadOnlyList<int> promptIds, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(promptIds);
        options ??= new GenerationOptions();
        GenerationLoop.Validate(this, promptIds, options);
        return GenerationLoop.RunAsync(this, [.. promptIds], options, cancellationToken);
    }

    /// <summary>Frees the weights and stops the model's worker thread.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _worker.Run(() =>
        {
            DisposeTensors();
            return 0;
        });
        _worker.Dispose();
    }

    /// <summary>Logits for every position of a fresh sequence, in one pass (tests compare the cached decode against it).</summary>
    internal float[][] ForwardAllPositions(IReadOnlyList<int> ids)
    {
        ValidateIds(ids, nameof(ids));
        using var cache = CreateCache(ids.Count);
        return _worker.Run(() =>
        {
            using var scope = NewDisposeScope();
            var logits = ForwardCore(ids, cache, allPositions: true);
            var rows = new float[ids.Count][];
            for (var t = 0; t < ids.Count; t++)
            {
                rows[t] = ToArray(logits[0, t]);
            }

            return rows;
        });
    }

    /// <summary>Gets the CPU threads the model computes with: <see cref="QwenModelOptions.Threads"/>, or libtorch's default when that is null.</summary>
    public int Threads => _threads;

    /// <summary>Gets whether single-token steps use the managed CPU mat-vec kernel.</summary>
    internal bool UsesCpuKernel => _linear.UsesCpuKernel;

    /// <summary>Tensors alive on the worker thread (weights, caches and anything leaked): flat across tokens when nothing leaks.</summary>
    internal long LiveTensorCount() => _worker.Run(() => DisposeScopeManager.Statistics.ThreadTotalLiveCount);

    /// <summary>Runs <paramref name="work"/> on the model's worker thread.</summary>
    internal Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken) => _worker.RunAsync(work, cancellationToken);

    /// <summary>One single-token step: appends <paramref name="id"/> to the cache and writes the float32 logits; call on the worker thread.</summary>
    internal unsafe void DecodeInto(int id, KvCache cache, Span<float> logits)
    {
        // Work queued before Dispose may run after the weights are freed: it must fail, not read freed memory.
        ThrowIfDisposed();
        if (_decodeStep is not null)
        {
            fixed (float* output = logits)
            {
                _decodeStep.Step(id, cache.Length, cache, output);
            }

            cache.Length++;
            return;
        }

        using var scope = NewDisposeScope();
        using var result = ForwardCore([id], cache, allPositions: false);
        using var host = result.device_type == DeviceType.CPU ? result.contiguous() : result.cpu();
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(host.bytes).CopyTo(logits);
    }

    /// <summary>The forward pass; call on the worker thread inside a dispose scope. Returns float32 logits [1, positions, vocab].</summary>
    internal Tensor ForwardCore(IReadOnlyList<int> ids, KvCache cache, bool allPositions)
    {
        ThrowIfDisposed();
        var tokens = ids.Count;
        var start = cache.Length;
        UseTorchThreadsFor(tokens);
        var idArray = new long[tokens];
        for (var i = 0; i < tokens; i++)
        {
            idArray[i] = ids[i];
        }

        using var idTensor = tensor(idArray, [tokens]).to(_device, disposeAfter: true);
        var x = Embed(idTensor).view(1, tokens, Config.HiddenSize);
        if (x.dtype != _computeType)
        {
            x = x.to(_computeType);
        }

        var (cos, sin) = _rope.Tables(start, tokens, _computeType, _device);
        var context = new ForwardContext(
            start,
            cos.view(tokens, 1, Config.HeadDim),
            sin.view(tokens, 1, Config.HeadDim),
            tokens > 1 && start > 0 ? Mask(start, tokens, 0, window: null) : null,
            tokens > 1 && Config.SlidingWindow is { } w ? Mask(start, tokens, Math.Max(0, start - w + 1), w) : null);

        foreach (var layer in _layers)
        {
            // Each layer's intermediates are freed before the next layer runs (x itself is updated in place),
            // so a long prefill holds one layer's activations, not all of them.
            using var layerScope = NewDisposeScope();
            layer.Forward(x, cache, context);
        }

        cache.Length = start + tokens;
        var last = allPositions ? x : x.narrow(1, tokens - 1, 1);
        var normed = RmsNorm.Apply(last, _finalNorm, Config.RmsNormEps);
        var logits = _linear.Apply(normed, _lmHead ?? _embedding);
        return (logits.dtype == ScalarType.Float32 ? logits : logits.to(ScalarType.Float32)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A single-token step on the CPU runs libtorch single-threaded: its few small ops do not pay for an OpenMP
    /// fork/join each (and on a busy machine a join waits for a descheduled thread), while the heavy products run on
    /// the managed kernel's own threads. Multi-token passes give libtorch all threads for its GEMMs.
    /// </summary>
    private void UseTorchThreadsFor(int tokens)
    {
        if (_linear.Parallel is null)
        {
            return;
        }

        var wanted = tokens == 1 ? 1 : _threads;
        if (wanted != _torchThreads)
        {
            torch.set_num_threads(wanted);
            _torchThreads = wanted;
        }
    }

    /// <summary>Copies a float32 logits row into a managed array.</summary>
    internal static float[] ToArray(Tensor logits)
    {
        using var cpu = logits.device_type == DeviceType.CPU ? logits.contiguous() : logits.cpu().contiguous();
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(cpu.bytes).ToArray();
    }

    /// <summary>Checks ids before they reach the device: an out-of-range id must be an exception, never a native fault.</summary>
    internal void ValidateIds(IReadOnlyList<int> ids, string paramName)
    {
        ThrowIfDisposed();
        if (ids.Count == 0)
        {
            throw new ArgumentException("At least one token id is needed.", paramName);
        }

        for (var i = 0; i < ids.Count; i++)
        {
            if ((uint)ids[i] >= (uint)Config.VocabSize)
            {
                throw new ArgumentException($"Token id {ids[i]} at index {i} is outside the vocabulary (0..{Config.VocabSize - 1}).", paramName);
            }
        }

        if (ids.Count > Config.ContextLength)
        {
            throw new ArgumentException($"{ids.Count} tokens exceed the model's context length ({Config.ContextLength}).", paramName);
        }
    }

    internal void ValidateCache(KvCache cache, int newTokens)
    {
        if (cache.Owner != this)
        {
            throw new ArgumentException("The KV cache was created by another model.", nameof(cache));
        }

        if (cache.Length + newTokens > cache.Capacity)
        {
            throw new ArgumentException($"The KV cache holds {cache.Length} of {cache.Capacity} tokens; {newTokens} more do not fit.", nameof(cache));
        }
    }

    private static Device ResolveDevice(string name)
    {
        if (!DeviceRequest.TryParse(name, out var request))
        {
            throw new ArgumentException($"QwenModelOptions.Device '{name}' is not one of {DeviceRequest.Choices}.", nameof(name));
        }

        return request switch
        {
            { Kind: DeviceRequestKind.Cpu } => CPU,
            { Kind: DeviceRequestKind.Auto } => cuda.is_available() ? CUDA : CPU,
            _ when !cuda.is_available() => throw new NotSupportedException(
                $"QwenModelOptions.Device is '{name}', but CUDA is not available (this build uses the CPU libtorch, or no GPU is visible). Set QwenModelOptions.Device to cpu, or build with -p:QwenTorchBackend=cuda."),
            { CudaIndex: { } index } => new Device(DeviceType.CUDA, index),
            _ => CUDA,
        };
    }

    private static ScalarType ResolveDType(ModelDType? dtype, Device device) => dtype switch
    {
        ModelDType.Float32 => ScalarType.Float32,
        ModelDType.BFloat16 => ScalarType.BFloat16,
        ModelDType.Float16 => ScalarType.Float16,
        ModelDType.Int8 => QuantizedStorageFor(ModelDType.Int8, device.type),
        ModelDType.Int4 => QuantizedStorageFor(ModelDType.Int4, device.type),
        _ => device.type == DeviceType.CUDA ? ScalarType.BFloat16 : ScalarType.Float32,
    };

    private Tensor Mask(int start, int tokens, int kvStart, int? window)
    {
        var end = start + tokens;
        using var queries = arange(start, end, device: _device).view(tokens, 1);
        using var keys = arange(kvStart, end, device: _device).view(1, end - kvStart);
        var mask = keys.le(queries);
        if (window is { } w)
        {
            using var inWindow = keys.gt(queries - w);
            mask.logical_and_(inWindow);
        }

        return mask;
    }

    private void LoadWeights(SafeTensorsCheckpoint checkpoint, IProgress<LoadProgress>? progress, ILogger logger)
    {
        var slots = new List<(string Name, long[] Shape, Func<Tensor> Target)>
        {
            ("model.embed_tokens.weight", [Config.VocabSize, Config.HiddenSize], () => DecoderLayer.WholeView(_embedding)),
            ("model.norm.weight", [Config.HiddenSize], () => DecoderLayer.WholeView(_finalNorm)),
        };
        if (_lmHead is not null)
        {
            slots.Add(("lm_head.weight", [Config.VocabSize, Config.HiddenSize], () => DecoderLayer.WholeView(_lmHead)));
        }

        foreach (var layer in _layers)
        {
            slots.AddRange(layer.Slots());
        }

        var expected = slots.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var ignored = new List<string>();
        foreach (var name in checkpoint.Tensors.Keys.Order(StringComparer.Ordinal).Where(n => !expected.Contains(n)))
        {
            // Some tied checkpoints still carry the (identical) output matrix; it is not needed.
            if (name == "lm_head.weight" && Config.TieWordEmbeddings)
            {
                ignored.Add(name);
                continue;
            }

            var file = checkpoint.Tensors[name].File.Path;
            throw new CheckpointFormatException(file, $"holds tensor '{name}', which a {Config.Architecture} with this config.json does not have (unexpected extra tensor)");
        }

        foreach (var (name, shape, _) in slots)
        {
            if (!checkpoint.Tensors.TryGetValue(name, out var found))
            {
                throw new CheckpointFormatException(Directory, $"tensor '{name}' (shape [{string.Join(", ", shape)}]) is missing from the safetensors files");
            }

            var info = found.Info;
            if (!info.Shape.SequenceEqual(shape))
            {
                throw new CheckpointFormatException(info.FilePath, $"tensor '{name}' has shape {info.ShapeText}; config.json implies [{string.Join(", ", shape)}]");
            }

            if (SafeTensorsFile.TorchType(info.DType) is null)
            {
                throw new CheckpointFormatException(info.FilePath, $"tensor '{name}' has dtype {info.DType}; expected F32, BF16 or F16");
            }
        }

        if (ignored.Count > 0)
        {
            RuntimeLog.TiedTensorsIgnored(logger, string.Join(", ", ignored));
        }

        Tensor? staging = null;
        Tensor? floatStaging = null;
        try
        {
            long done = 0;
            var total = checkpoint.TotalBytes;
            var count = 0;
            foreach (var (name, _, target) in slots)
            {
                var (file, info) = checkpoint.Tensors[name];
                using var destination = target();
                if (LinearOps.IsQuantized(destination))
                {
                    file.ReadQuantized(info, destination, ref staging, ref floatStaging);
                }
                else
                {
                    file.ReadInto(info, destination, ref staging);
                }

                done += info.Length;
                progress?.Report(new LoadProgress(++count, slots.Count, done, total));
            }
        }
        finally
        {
            staging?.Dispose();
            floatStaging?.Dispose();
        }

        foreach (var layer in _layers)
        {
            layer.FinishLoading();
        }

        if (_linear is { MatVec: { } matVec, Parallel: { } parallel } && _computeType == ScalarType.Float32)
        {
            _decodeStep = new CpuDecodeStep(Config, matVec, parallel, _rope, _layers, _embedding, _finalNorm, _lmHead ?? _embedding, _linear.Int8, _linear.RowsMatMul);
        }
    }

    private void DisposeTensors()
    {
        _decodeStep?.Dispose();
        _linear.Dispose();
        _embedding.Dispose();
        _finalNorm.Dispose();
        _lmHead?.Dispose();
        foreach (var layer in _layers)
        {
            layer.Dispose();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
