using System.Text.RegularExpressions;

namespace Qwen.Server;

/// <summary>The checks for names and ids that end up in URLs and file paths.</summary>
internal static partial class Names
{
    /// <summary>Throws unless <paramref name="name"/> is 1 to 64 letters, digits, '_' or '-'.</summary>
    public static void Check(string name, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, paramName);
        if (!NamePattern().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a valid name: use 1 to 64 letters, digits, '_' or '-'.", paramName);
        }
    }

    /// <summary>Whether <paramref name="id"/> is a session id as the server makes them (32 lowercase hex digits).</summary>
    public static bool IsSessionId(string? id) => id is not null && SessionIdPattern().IsMatch(id);

    /// <summary>A safe file name from an uploaded one: the last path segment, with no control or path characters and no leading dot; null when nothing is left.</summary>
    public static string? SafeFileName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var last = name.Replace('\\', '/').Split('/').Last().Trim();
        var cleaned = new string([.. last.Where(c => !char.IsControl(c) && c is not (':' or '*' or '?' or '"' or '<' or '>' or '|'))]).TrimStart('.').Trim();
        if (cleaned.Length > 120)
        {
            var extension = Path.GetExtension(cleaned);
            cleaned = cleaned[..(120 - extension.Length)] + extension;
        }

        return cleaned.Length == 0 ? null : cleaned;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex SessionIdPattern();
}
