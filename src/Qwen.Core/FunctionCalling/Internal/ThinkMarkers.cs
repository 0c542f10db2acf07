namespace Qwen.Core;

/// <summary>The reasoning block markers of Qwen3 (and QwQ), recognised by every format.</summary>
internal static class ThinkMarkers
{
    public const string Open = "<think>";
    public const string Close = "</think>";
}
