using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace LongContextBench;

/// <summary>A single fact to find: its sentence, the question that names its rare words, and the answer.</summary>
internal sealed record Needle(string Sentence, string Question, string Answer, double Depth);

/// <summary>Two facts to chain: the question names the person; the second fact, about the town, shares no word with it.</summary>
internal sealed record TwoHop(string Fact1, string Fact2, string Question, string Answer, string Town, double Depth1, double Depth2);

/// <summary>A generated document: real prose with needles inserted at chosen depths, at sentence ends.</summary>
internal sealed record Haystack(string Text, int Tokens, IReadOnlyList<Needle> Needles, IReadOnlyList<TwoHop> TwoHops);

/// <summary>
/// Builds deterministic needle-in-a-haystack documents from public-domain prose (the US State of the Union addresses), with
/// fictional needles made from syllable tables by a seeded generator of our own (SplitMix64: <see cref="Random"/>'s sequence is
/// not guaranteed across .NET versions), each checked to occur nowhere in the filler.
/// </summary>
internal static partial class HaystackGenerator
{
    private static readonly string[] Onsets = ["b", "br", "d", "dr", "f", "g", "gl", "k", "kr", "l", "m", "n", "p", "qu", "r", "s", "st", "t", "tr", "v", "z"];
    private static readonly string[] Nuclei = ["a", "e", "i", "o", "u", "ae", "ei", "ou"];
    private static readonly string[] Codas = ["", "n", "r", "l", "s", "th", "x", "nd"];
    private static readonly string[] Things = ["silver heron", "copper lantern", "amber kite", "velvet drum", "glass orchard", "iron comet"];

    public static IReadOnlyList<string> LoadSentences(string filler)
    {
        var texts = Directory.Exists(filler)
            ? Directory.GetFiles(filler, "*.txt").Order(StringComparer.Ordinal).Select(File.ReadAllText)
            : [File.ReadAllText(filler)];
        return [.. texts.SelectMany(t => SentenceEnd().Split(t)).Select(s => s.Trim()).Where(s => s.Length > 0)];
    }

    /// <summary>Builds a document of about <paramref name="tokens"/> tokens with single needles at <paramref name="depths"/> and two two-hop pairs.</summary>
    public static Haystack Build(IReadOnlyList<string> sentences, Tokenizer tokenizer, int tokens, IReadOnlyList<double> depths, ulong seed)
    {
        var random = new SplitMix64(seed);
        List<string> filler = [];
        var count = 0;
        foreach (var sentence in sentences)
        {
            if (count >= tokens)
            {
                break;
            }

            filler.Add(sentence);
            count += tokenizer.CountTokens(sentence) + 1;
        }

        if (count < tokens)
        {
            throw new InvalidOperationException($"The filler holds only {count:N0} tokens; {tokens:N0} were asked for.");
        }

        var lower = string.Join(' ', filler).ToLowerInvariant();
        string Fresh(int syllables)
        {
            while (true)
            {
                var word = new StringBuilder();
                for (var i = 0; i < syllables; i++)
                {
                    word.Append(Onsets[random.Next(Onsets.Length)]).Append(Nuclei[random.Next(Nuclei.Length)]).Append(Codas[random.Next(Codas.Length)]);
                }

                var text = char.ToUpperInvariant(word[0]) + word.ToString()[1..];
                if (!lower.Contains(text.ToLowerInvariant(), StringComparison.Ordinal))
                {
                    return text;
                }
            }
        }

        var inserts = new List<(double Depth, string Sentence)>();
        List<Needle> needles = [];
        foreach (var depth in depths)
        {
            var name = $"{Fresh(2)} {Fresh(3)}";
            var code = $"{Fresh(2).ToUpperInvariant()}-{random.Next(100, 1000)}";
            var sentence = $"The secret harbour code of {name} is {code}.";
            needles.Add(new Needle(sentence, $"What is the secret harbour code of {name}?", code, depth));
            inserts.Add((depth, sentence));
        }

        // The second fact comes far after the first, so they never share a chunk.
        List<TwoHop> twoHops = [];
        foreach (var (d1, d2) in new[] { (0.15, 0.65), (0.45, 0.9) })
        {
            var person = $"{Fresh(2)} {Fresh(3)}";
            var town = Fresh(3);
            var thing = Things[random.Next(Things.Length)];
            var fact1 = $"{person} grew up in the quiet town of {town}.";
            var fact2 = $"Every midsummer, {town} honours the {thing} with songs.";
            var question = $"Which thing is celebrated each year in the place where {person} was raised?";
            twoHops.Add(new TwoHop(fact1, fact2, question, thing, town, d1, d2));
            inserts.Add((d1, fact1));
            inserts.Add((d2, fact2));
        }

        var text = new StringBuilder();
        var ordered = inserts.OrderBy(i => i.Depth).ToList();
        var next = 0;
        for (var i = 0; i < filler.Count; i++)
        {
            while (next < ordered.Count && ordered[next].Depth <= (double)i / filler.Count)
            {
                text.Append(ordered[next++].Sentence).Append(' ');
            }

            text.Append(filler[i]).Append(i % 6 == 5 ? "\n\n" : " ");
        }

        while (next < ordered.Count)
        {
            text.Append(ordered[next++].Sentence).Append(' ');
        }

        return new Haystack(text.ToString(), count, needles, twoHops);
    }

    [GeneratedRegex(@"(?<=[.!?])\s+")]
    private static partial Regex SentenceEnd();

    /// <summary>SplitMix64: a tiny seeded generator whose sequence is fixed by its definition.</summary>
    private sealed class SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public int Next(int maxExclusive) => (int)(NextUInt64() % (ulong)maxExclusive);

        public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

        private ulong NextUInt64()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
