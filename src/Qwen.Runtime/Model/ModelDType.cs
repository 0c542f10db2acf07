namespace Qwen.Runtime;

/// <summary>The element type the model's weights and activations use on the device.</summary>
public enum ModelDType
{
    /// <summary>32-bit float: the default on the CPU and the reference for exactness.</summary>
    Float32,

    /// <summary>bfloat16: the default on CUDA; half the memory traffic of float32.</summary>
    BFloat16,

    /// <summary>IEEE half precision.</summary>
    Float16,

    /// <summary>
    /// 8-bit weights, CPU only: float checkpoints are quantized at load in blocks of 32 weights with one scale each (as
    /// llama.cpp's Q8_0), embeddings and the logits head included; norms, biases, activations and the KV cache stay float32.
    /// </summary>
    Int8,

    /// <summary>
    /// 4-bit weights, CPU only: the decoder layers' matrices are quantized at load in blocks of 32 weights with one scale
    /// each (as llama.cpp's Q4_0); the embeddings and the logits head are 8-bit as with <see cref="Int8"/>; norms, biases,
    /// activations and the KV cache stay float32.
    /// </summary>
    Int4,
}
