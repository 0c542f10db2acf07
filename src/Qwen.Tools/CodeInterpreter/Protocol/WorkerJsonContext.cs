using System.Text.Json.Serialization;

namespace Qwen.Tools;

/// <summary>Source-generated JSON for the worker protocol: no reflection, so a fresh worker answers sooner.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WorkerRequest))]
[JsonSerializable(typeof(WorkerResponse))]
internal sealed partial class WorkerJsonContext : JsonSerializerContext;
