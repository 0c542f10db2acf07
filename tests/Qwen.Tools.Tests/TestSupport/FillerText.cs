using System.Text;

namespace Qwen.Tools.Tests.TestSupport;

/// <summary>Varied English-like filler text from a seeded generator: common words in a Zipf-like mix plus invented words.</summary>
internal sealed class FillerText(ulong seed)
{
    private static readonly string[] Common =
    [
        "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not", "he", "this", "are",
        "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were", "their", "one", "all", "we", "can", "her",
        "has", "there", "been", "if", "more", "when", "will", "would", "who", "so", "no", "people", "time", "year", "government", "country",
        "state", "world", "work", "system", "program", "public", "report", "market", "river", "city", "council", "policy", "history",
        "harbor", "village", "mountain", "winter", "summer", "trade", "bridge", "letter", "garden", "school", "office", "army", "road",
        "north", "south", "water", "field", "island", "church", "library", "budget", "energy", "science", "music", "family", "company",
        "court", "treaty", "railway", "engine", "forest", "farmer", "merchant", "captain", "teacher", "doctor", "station", "museum",
        "ancient", "modern", "small", "large", "early", "late", "new", "old", "great", "local", "national", "important", "several",
        "built", "opened", "moved", "wrote", "found", "described", "announced", "reached", "carried", "measured", "recorded", "visited",
        "during", "after", "before", "between", "under", "against", "across", "through", "around", "because", "although", "while",
    ];

    private static readonly string[] Syllables =
    [
        "ka", "lo", "mi", "ren", "tor", "vel", "sa", "dun", "pir", "gal", "ten", "mor", "fi", "tha", "bro", "nel", "dri", "sol", "ve", "ru",
    ];

    private readonly SplitMix64 _random = new(seed);

    public string Word()
    {
        if (_random.Next(10) < 7)
        {
            // Squaring a uniform number favours the front of the list, like word frequencies in real text.
            var r = _random.NextDouble();
            return Common[(int)(r * r * Common.Length)];
        }

        var builder = new StringBuilder();
        for (var i = 2 + _random.Next(2); i > 0; i--)
        {
            builder.Append(Syllables[_random.Next(Syllables.Length)]);
        }

        return builder.ToString();
    }

    public string Sentence()
    {
        var builder = new StringBuilder();
        var count = 8 + _random.Next(13);
        for (var i = 0; i < count; i++)
        {
            var word = Word();
            builder.Append(i == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : " " + word);
        }

        return builder.Append('.').ToString();
    }

    public string Paragraph()
    {
        var builder = new StringBuilder();
        for (var i = 3 + _random.Next(5); i > 0; i--)
        {
            builder.Append(builder.Length == 0 ? string.Empty : " ").Append(Sentence());
        }

        return builder.ToString();
    }

    public int Next(int maxExclusive) => _random.Next(maxExclusive);
}
