namespace Qwen.Runtime;

/// <summary>The kinds of device a <see cref="DeviceRequest"/> asks for.</summary>
internal enum DeviceRequestKind
{
    /// <summary>Not parsed.</summary>
    None,

    /// <summary>CUDA when available, else the CPU.</summary>
    Auto,

    /// <summary>The CPU.</summary>
    Cpu,

    /// <summary>A CUDA GPU.</summary>
    Cuda,
}
