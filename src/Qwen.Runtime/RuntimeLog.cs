using Microsoft.Extensions.Logging;

namespace Qwen.Runtime;

/// <summary>The log events of Qwen.Runtime, source-generated, with stable event ids: 20xx model loading, 21xx the native library, 22xx the chat client.</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Loaded {Architecture} from {Directory}: {Layers} layers, hidden {Hidden}, {Bytes:N0} bytes of weights on {Device} as {DType} in {Seconds:F2} s")]
    public static partial void ModelLoaded(ILogger logger, string architecture, string directory, int layers, int hidden, long bytes, string device, string dType, double seconds);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Ignored {Tensors}: the config ties the output layer to the embeddings")]
    public static partial void TiedTensorsIgnored(ILogger logger, string tensors);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "TorchSharp's native library {Path} does not load: {Error}")]
    public static partial void NativeLibraryNotLoadable(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Marked {Library} version {Version} weak in {Path} (it only pins {Symbols}, which is never called), so TorchSharp loads on this system's older copy of it")]
    public static partial void NativeLibraryRepaired(ILogger logger, string library, string version, string path, string symbols);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "The CPU reports AMX but the process may not use it; set {Variable}=AVX512_CORE_BF16 so oneDNN avoids AMX kernels")]
    public static partial void AmxAvoided(ILogger logger, string variable);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Debug, Message = "Set {Variable}=PASSIVE before libtorch loads, so its OpenMP threads sleep between operations instead of spinning against the runtime's own kernel threads")]
    public static partial void OpenMpPassive(ILogger logger, string variable);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "The model wrote a malformed tool call to {Function} ({Reason}); it is returned as text: {RawText}")]
    public static partial void MalformedToolCall(ILogger logger, string function, string reason, string rawText);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "JSON schema keyword not enforced by constrained decoding (the output may not satisfy it): {Keyword}")]
    public static partial void SchemaKeywordNotEnforced(ILogger logger, string keyword);
}
