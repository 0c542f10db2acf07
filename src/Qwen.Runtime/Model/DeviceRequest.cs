using System.Globalization;

namespace Qwen.Runtime;

/// <summary>A parsed <see cref="QwenModelOptions.Device"/> value; the one place device strings (<c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>) are read.</summary>
/// <param name="Kind">What was asked for.</param>
/// <param name="CudaIndex">The GPU index of <c>cuda:N</c>; null for <c>cuda</c> (the current GPU) and the other kinds.</param>
internal readonly record struct DeviceRequest(DeviceRequestKind Kind, int? CudaIndex)
{
    /// <summary>The accepted spellings, for error messages.</summary>
    public const string Choices = "auto, cpu, cuda, cuda:N";

    /// <summary>Parses a device string, case-insensitively; null or blank means <c>auto</c>.</summary>
    /// <param name="text">The device string.</param>
    /// <param name="request">The parsed request.</param>
    /// <returns>Whether <paramref name="text"/> is one of <see cref="Choices"/>.</returns>
    public static bool TryParse(string? text, out DeviceRequest request)
    {
        var wanted = string.IsNullOrWhiteSpace(text) ? "auto" : text.Trim().ToLowerInvariant();
        request = wanted switch
        {
            "auto" => new(DeviceRequestKind.Auto, null),
            "cpu" => new(DeviceRequestKind.Cpu, null),
            "cuda" => new(DeviceRequestKind.Cuda, null),
            _ when wanted.StartsWith("cuda:", StringComparison.Ordinal)
                && int.TryParse(wanted.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index) => new(DeviceRequestKind.Cuda, index),
            _ => default,
        };
        return request.Kind != DeviceRequestKind.None;
    }
}
