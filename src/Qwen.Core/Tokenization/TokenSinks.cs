namespace Qwen.Core;

/// <summary>Receives tokens as the encoder produces them, so one encoding loop serves ids, counts and offsets without a virtual call per token.</summary>
internal interface ITokenSink
{
    /// <summary>Gets a value indicating whether the sink needs offsets; when false the encoder passes zeros and skips the work.</summary>
    static abstract bool TracksOffsets { get; }

    /// <summary>Takes one token; returns <see langword="false"/> to stop the encoding.</summary>
    /// <param name="id">The token id.</param>
    /// <param name="start">The first character of the token in the normalized text.</param>
    /// <param name="end">One past the last character of the token in the normalized text.</param>
    bool Add(int id, int start, int end);
}

/// <summary>Collects ids.</summary>
internal struct IdSink(List<int> ids) : ITokenSink
{
    public static bool TracksOffsets => false;

    public readonly bool Add(int id, int start, int end)
    {
        ids.Add(id);
        return true;
    }
}

/// <summary>Counts tokens.</summary>
internal struct CountSink : ITokenSink
{
    public static bool TracksOffsets => false;

    public int Count { get; private set; }

    public bool Add(int id, int start, int end)
    {
        Count++;
        return true;
    }
}

/// <summary>Collects ids with their offsets, stopping once it holds one token more than <c>limit</c> (enough for the caller to see whether the cut after <c>limit</c> tokens splits a character).</summary>
internal struct OffsetSink(List<(int Id, int Start, int End)> tokens, int limit) : ITokenSink
{
    public static bool TracksOffsets => true;

    public readonly bool Add(int id, int start, int end)
    {
        if (tokens.Count > limit)
        {
            return false;
        }

        tokens.Add((id, start, end));
        return true;
    }
}
