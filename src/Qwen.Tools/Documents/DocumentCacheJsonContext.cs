using System.Text.Json.Serialization;

namespace Qwen.Tools;

/// <summary>What the parse cache stores for a document: everything but its source, which depends on where it was found.</summary>
internal sealed record CachedDocument(string? Title, List<CachedPage> Pages, List<string>? Warnings = null);

/// <summary>One cached page.</summary>
internal sealed record CachedPage(int Number, List<DocumentParagraph> Paragraphs);

/// <summary>Source-generated serialization of the parse cache.</summary>
[JsonSourceGenerationOptions(WriteIndented = false, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CachedDocument))]
internal sealed partial class DocumentCacheJsonContext : JsonSerializerContext;
