namespace Qwen.Tools;

/// <summary>A fetched URL: where it ended up after redirects, its media type and charset, and its body.</summary>
/// <param name="Url">The final URL, after redirects.</param>
/// <param name="MediaType">The media type from Content-Type, lower case, or <see langword="null"/>.</param>
/// <param name="Charset">The charset from Content-Type, or <see langword="null"/>.</param>
/// <param name="Content">The body.</param>
public sealed record WebResource(Uri Url, string? MediaType, string? Charset, ReadOnlyMemory<byte> Content);
