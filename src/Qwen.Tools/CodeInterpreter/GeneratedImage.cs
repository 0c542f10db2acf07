namespace Qwen.Tools;

/// <summary>An image a code interpreter call wrote to its work directory (a chart drawn with <c>plot</c>).</summary>
/// <param name="Path">The image file's full path.</param>
/// <param name="MediaType">The image's media type, <c>image/png</c>.</param>
/// <param name="Data">The file's bytes.</param>
public sealed record GeneratedImage(string Path, string MediaType, ReadOnlyMemory<byte> Data);
