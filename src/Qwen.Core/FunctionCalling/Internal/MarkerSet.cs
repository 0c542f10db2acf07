using System.Buffers;

namespace Qwen.Core;

/// <summary>The protocol markers a parser looks for in one of its states.</summary>
internal sealed class MarkerSet
{
    private readonly string[] _markers;
    private readonly SearchValues<char> _firstChars;

    public MarkerSet(params string[] markers)
    {
        _markers = markers;
        _firstChars = SearchValues.Create(markers.Select(marker => marker[0]).Distinct().ToArray());
    }

    /// <summary>Finds the first marker at or after <paramref name="start"/>.</summary>
    /// <returns>
    /// The match (<c>Marker</c> set, at <c>Index</c>); or, when the text ends with what may become a marker and more input
    /// can follow, <c>Index</c> of that partial marker with no <c>Marker</c>; or <c>Index</c> -1 when neither.
    /// </returns>
    /// <remarks>
    /// A partial marker wins over a shorter complete one at the same place, so the result never depends on how the
    /// text was split into deltas.
    /// </remarks>
    public (int Index, string? Marker) Find(string text, int start, bool final)
    {
        var i = start;
        while (i < text.Length)
        {
            var offset = text.AsSpan(i).IndexOfAny(_firstChars);
            if (offset < 0)
            {
                break;
            }

            i += offset;
            string? longest = null;
            var partial = false;
            var rest = text.AsSpan(i);
            foreach (var marker in _markers)
            {
                if (rest.StartsWith(marker, StringComparison.Ordinal))
                {
                    if (longest is null || marker.Length > longest.Length)
                    {
                        longest = marker;
                    }
                }
                else if (!final && rest.Length < marker.Length && marker.AsSpan().StartsWith(rest, StringComparison.Ordinal))
                {
                    partial = true;
                }
            }

            if (partial)
            {
                return (i, null);
            }

            if (longest is not null)
            {
                return (i, longest);
            }

            i++;
        }

        return (-1, null);
    }
}
