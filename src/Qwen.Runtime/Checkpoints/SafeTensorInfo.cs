namespace Qwen.Runtime;

/// <summary>One tensor's entry in a safetensors header: where its bytes are and how to read them.</summary>
/// <param name="Name">The tensor name, as the checkpoint spells it.</param>
/// <param name="DType">The safetensors dtype name (F32, BF16, F16, ...).</param>
/// <param name="Shape">The dimensions, outermost first.</param>
/// <param name="Offset">Absolute byte offset of the data in the file.</param>
/// <param name="Length">Length of the data in bytes.</param>
/// <param name="FilePath">The file that holds it.</param>
internal sealed record SafeTensorInfo(string Name, string DType, long[] Shape, long Offset, long Length, string FilePath)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}
