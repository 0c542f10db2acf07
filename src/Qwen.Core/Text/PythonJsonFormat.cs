namespace Qwen.Core;

/// <summary>The <c>json.dumps</c> keyword arguments <see cref="PythonJson"/> honours.</summary>
/// <param name="EnsureAscii">Escape every character outside printable ASCII as <c>\uXXXX</c>.</param>
/// <param name="Indent">The indentation string, or null for one line.</param>
/// <param name="ItemSeparator">Between items and members.</param>
/// <param name="KeySeparator">Between a key and its value.</param>
/// <param name="SortKeys">Sort dict keys.</param>
internal sealed record PythonJsonFormat(bool EnsureAscii, string? Indent, string ItemSeparator, string KeySeparator, bool SortKeys)
{
    /// <summary>Gets <c>json.dumps(value, ensure_ascii=False)</c>: one line, <c>", "</c> and <c>": "</c>.</summary>
    public static PythonJsonFormat Default { get; } = new(false, null, ", ", ": ", false);
}
