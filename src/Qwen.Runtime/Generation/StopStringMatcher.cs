namespace Qwen.Runtime;

/// <summary>Finds stop strings in streamed text, across chunk (token) boundaries, holding back any tail that could still become one.</summary>
internal sealed class StopStringMatcher
{
    private readonly string[] _stops;
    private string _pending = string.Empty;

    public StopStringMatcher(IEnumerable<string> stops)
    {
        _stops = [.. stops];
        if (_stops.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Stop strings must not be empty.", nameof(stops));
        }
    }

    /// <summary>Adds streamed text; returns the text that is safe to emit and whether a stop string ended it (the stop string and what follows are dropped).</summary>
    public (string Emit, bool Stopped) Push(string text)
    {
        _pending += text;
        var first = -1;
        foreach (var stop in _stops)
        {
            var at = _pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first))
            {
                first = at;
            }
        }

        if (first >= 0)
        {
            var emit = _pending[..first];
            _pending = string.Empty;
            return (emit, true);
        }

        var hold = LongestSuffixThatStartsAStop();
        var ready = _pending[..^hold];
        _pending = _pending[^hold..];
        return (ready, false);
    }

    /// <summary>Releases the held-back text (generation ended for another reason).</summary>
    public string Flush()
    {
        var rest = _pending;
        _pending = string.Empty;
        return rest;
    }

    private int LongestSuffixThatStartsAStop()
    {
        var best = 0;
        foreach (var stop in _stops)
        {
            for (var length = Math.Min(stop.Length - 1, _pending.Length); length > best; length--)
            {
                if (_pending.AsSpan(_pending.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    best = length;
                    break;
                }
            }
        }

        return best;
    }
}
