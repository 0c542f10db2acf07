namespace Qwen.Runtime;

/// <summary>How far <see cref="QwenModel.Load"/> has got: tensors and bytes copied onto the device so far.</summary>
/// <param name="TensorsLoaded">Tensors copied so far.</param>
/// <param name="TensorCount">Tensors in the checkpoint.</param>
/// <param name="BytesLoaded">Checkpoint bytes read so far.</param>
/// <param name="TotalBytes">Checkpoint bytes in all.</param>
public readonly record struct LoadProgress(int TensorsLoaded, int TensorCount, long BytesLoaded, long TotalBytes);
