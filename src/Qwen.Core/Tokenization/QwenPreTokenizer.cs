using Microsoft.ML.Tokenizers;

namespace Qwen.Core;

/// <summary>Qwen's pre-tokenizer for the Microsoft.ML.Tokenizers pipeline: added tokens stay whole, the rest splits with Qwen's pattern.</summary>
internal sealed class QwenPreTokenizer(AddedTokenMatcher addedTokens) : PreTokenizer
{
    /// <inheritdoc/>
    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return PreTokenize(text.AsSpan());
    }

    /// <inheritdoc/>
    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text)
    {
        var pieces = new List<(int Offset, int Length)>();
        var splitter = new AddedTokenSplitter(text, addedTokens);
        while (splitter.MoveNext(out var start, out var end, out var token))
        {
            if (token is not null)
            {
                pieces.Add((start, end - start));
                continue;
            }

            for (var i = start; i < end;)
            {
                var pieceEnd = start + QwenSplitPattern.NextEnd(text[start..end], i - start);
                pieces.Add((i, pieceEnd - i));
                i = pieceEnd;
            }
        }

        return pieces;
    }
}
