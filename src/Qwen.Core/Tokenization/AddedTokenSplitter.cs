namespace Qwen.Core;

/// <summary>Walks text as alternating plain sections and added tokens, dropping the white space an added token's <c>lstrip</c>/<c>rstrip</c> asks to drop.</summary>
internal ref struct AddedTokenSplitter
{
    private readonly ReadOnlySpan<char> _text;
    private readonly AddedTokenMatcher _matcher;
    private int _position;
    private AddedToken? _pendingToken;
    private int _pendingIndex;
    private bool _previousRStrip;

    /// <summary>Initializes a splitter over <paramref name="text"/>.</summary>
    public AddedTokenSplitter(ReadOnlySpan<char> text, AddedTokenMatcher matcher)
    {
        _text = text;
        _matcher = matcher;
    }

    /// <summary>Moves to the next section or token.</summary>
    /// <param name="start">Where it starts in the text.</param>
    /// <param name="end">Where it ends (exclusive); characters between the previous end and this start were stripped.</param>
    /// <param name="token">The added token, or <see langword="null"/> for a plain section (never empty).</param>
    /// <returns><see langword="false"/> at the end of the text.</returns>
    public bool MoveNext(out int start, out int end, out AddedToken? token)
    {
        while (true)
        {
            if (_pendingToken is not null)
            {
                token = _pendingToken;
                start = _pendingIndex;
                end = _pendingIndex + token.Content.Length;
                _position = end;
                _previousRStrip = token.RStrip;
                _pendingToken = null;
                return true;
            }

            if (_position >= _text.Length)
            {
                start = end = _text.Length;
                token = null;
                return false;
            }

            var found = _matcher.TryFindNext(_text, _position, out var index, out var next);
            start = _position;
            end = index;
            if (_previousRStrip)
            {
                while (start < end && IsStrippable(_text[start]))
                {
                    start++;
                }
            }

            if (found && next!.LStrip)
            {
                while (end > start && IsStrippable(_text[end - 1]))
                {
                    end--;
                }
            }

            _pendingToken = found ? next : null;
            _pendingIndex = index;
            _position = found ? index : _text.Length;
            _previousRStrip = false;
            if (start < end)
            {
                token = null;
                return true;
            }
        }
    }

    // JavaScript's trim set, which the reference implementation strips with: White_Space without U+0085, plus U+FEFF.
    private static bool IsStrippable(char c) => c == '\uFEFF' || (c != '\u0085' && char.IsWhiteSpace(c));
}
