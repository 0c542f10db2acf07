using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace Qwen.Core;

/// <summary>
/// Reads the JSON objects models write, repairing the mistakes whose intent is unambiguous.
/// </summary>
/// <remarks>
/// Accepted beyond strict JSON: trailing, doubled or missing commas between members; single-quoted strings;
/// <c>//</c> and <c>/* */</c> comments; raw newlines and tabs inside strings; unquoted property names;
/// Python literals <c>True</c>/<c>False</c>/<c>None</c>; JSON5 numbers (<c>+1</c>, <c>.5</c>, <c>5.</c>, <c>0x1F</c>);
/// JSON5 escapes (<c>\x41</c>, <c>\'</c>, line continuations) and unknown escapes kept literally (<c>\d</c> stays a backslash and <c>d</c>);
/// unescaped double quotes inside a string (a quote ends a string only when a delimiter follows it);
/// a <c>```json</c> fence around the whole text; surplus closing brackets after the value;
/// and truncation: open strings, arrays and objects are closed at the end of the text.
/// Rejected as ambiguous: a value cut inside a literal or a number's exponent, a property name without a value,
/// a cut string that holds unescaped quotes, unquoted string values, NaN and Infinity, nesting deeper than 128,
/// and any other text after the value.
/// </remarks>
public static class LenientJson
{
    /// <summary>Parses <paramref name="text"/> as a JSON object, repairing it where unambiguous.</summary>
    /// <param name="text">The model's text.</param>
    /// <param name="value">The object when the text could be read; otherwise <see langword="null"/>.</param>
    /// <param name="error">Why the text could not be read, with the offset; <see langword="null"/> on success.</param>
    /// <returns><see langword="true"/> when <paramref name="value"/> holds the object.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static bool TryParseObject(string text, [NotNullWhen(true)] out JsonObject? value, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        return LenientJsonReader.TryParseObject(text, allowTrailingText: false, out value, out error);
    }
}
