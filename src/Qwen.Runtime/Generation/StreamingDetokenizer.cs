namespace Qwen.Runtime;

/// <summary>Turns a stream of ids into text deltas, never splitting a UTF-8 character that spans tokens.</summary>
/// <remarks>
/// Decodes a short window (from the last emitted boundary) and emits what it adds to the text already given, waiting
/// while the window ends in an incomplete character (U+FFFD). The cost per token is the window, not the whole text.
/// </remarks>
internal sealed class StreamingDetokenizer(ITokenDecoder decoder)
{
    private readonly List<int> _ids = [];
    private int _prefixOffset;
    private int _readOffset;

    public string Push(int id)
    {
        _ids.Add(id);
        var prefix = Decode(_prefixOffset, _readOffset);
        var full = Decode(_prefixOffset, _ids.Count);
        if (full.Length <= prefix.Length || full.EndsWith('\uFFFD') || !full.StartsWith(prefix, StringComparison.Ordinal))
        {
            return string.Empty;
        }

        _prefixOffset = _readOffset;
        _readOffset = _ids.Count;
        return full[prefix.Length..];
    }

    /// <summary>Whatever is still held (an incomplete character at the very end comes out as U+FFFD).</summary>
    public string Flush()
    {
        var prefix = Decode(_prefixOffset, _readOffset);
        var full = Decode(_prefixOffset, _ids.Count);
        _prefixOffset = _readOffset = _ids.Count;
        return full.StartsWith(prefix, StringComparison.Ordinal) ? full[prefix.Length..] : full;
    }

    private string Decode(int from, int to) => from == to ? string.Empty : decoder.Decode(_ids.GetRange(from, to - from));
}
