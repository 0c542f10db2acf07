using System.Buffers;

namespace Qwen.Core;

/// <summary>Finds added tokens in text: at the leftmost position where any matches, the longest one, as Hugging Face tokenizers do.</summary>
internal sealed class AddedTokenMatcher
{
    private readonly SearchValues<char> _firstChars;
    private readonly Dictionary<char, AddedToken[]> _byFirstChar;

    /// <summary>Initializes a matcher over <paramref name="tokens"/>, each matched by its <see cref="AddedToken.Content"/> or by the text given for it.</summary>
    public AddedTokenMatcher(IEnumerable<(string Text, AddedToken Token)> tokens)
    {
        _byFirstChar = tokens
            .Where(t => t.Text.Length > 0)
            .GroupBy(t => t.Text[0])
            .ToDictionary(
                g => g.Key,
                g => g.OrderByDescending(t => t.Text.Length).Select(t => t.Token with { Content = t.Text }).ToArray());
        _firstChars = SearchValues.Create([.. _byFirstChar.Keys]);
        IsEmpty = _byFirstChar.Count == 0;
    }

    /// <summary>Gets a value indicating whether there is nothing to match.</summary>
    public bool IsEmpty { get; }

    /// <summary>Finds the first added token at or after <paramref name="start"/>.</summary>
    /// <param name="text">The text to search.</param>
    /// <param name="start">Where to start.</param>
    /// <param name="index">Where the token starts, when found.</param>
    /// <param name="token">The token found, whose <see cref="AddedToken.Content"/> is the text matched.</param>
    /// <returns><see langword="true"/> when a token was found.</returns>
    public bool TryFindNext(ReadOnlySpan<char> text, int start, out int index, out AddedToken? token)
    {
        while (start < text.Length)
        {
            var offset = text[start..].IndexOfAny(_firstChars);
            if (offset < 0)
            {
                break;
            }

            index = start + offset;
            var rest = text[index..];
            foreach (var candidate in _byFirstChar[rest[0]])
            {
                if (rest.StartsWith(candidate.Content, StringComparison.Ordinal))
                {
                    token = candidate;
                    return true;
                }
            }

            start = index + 1;
        }

        index = text.Length;
        token = null;
        return false;
    }
}
