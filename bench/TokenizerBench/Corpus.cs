using System.Text;
using Qwen.Core;

namespace TokenizerBench;

/// <summary>Generates benchmark text deterministically from the tokenizer's own vocabulary, so no text has to be shipped or downloaded.</summary>
/// <remarks>
/// BPE vocabularies are built by merging the most frequent pairs first, so a lower id roughly means a more frequent
/// token; drawing words with a Zipf-like weight over that order gives text whose repetition (and so the encoder's cache
/// hit rate) resembles real prose, which a small fixed word list would not.
/// </remarks>
internal sealed class Corpus(QwenTokenizer tokenizer)
{
    private readonly string[] _englishWords = Vocabulary(tokenizer, t => t.Length is >= 3 and <= 13 && t[0] == 'Ġ' && t.Skip(1).All(char.IsAsciiLetterLower)).Select(t => t[1..]).ToArray();
    private readonly string[] _chineseWords = ChineseWords(tokenizer);

    public string English(int bytes, int seed)
    {
        var words = _englishWords;
        var random = new Random(seed);
        var text = new StringBuilder(bytes + 256);
        var sentenceStart = true;
        while (text.Length < bytes)
        {
            var word = Zipf(words, random);
            if (sentenceStart)
            {
                word = char.ToUpperInvariant(word[0]) + word[1..];
                sentenceStart = false;
            }

            text.Append(word);
            var roll = random.NextDouble();
            if (roll < 0.02)
            {
                text.Append(random.Next(2) == 0 ? "'s" : "n't");
            }

            roll = random.NextDouble();
            if (roll < 0.06)
            {
                text.Append(". ");
                sentenceStart = true;
                if (random.NextDouble() < 0.15)
                {
                    text.Append("\n\n");
                }
            }
            else if (roll < 0.12)
            {
                text.Append(", ");
            }
            else if (roll < 0.13)
            {
                text.Append(' ').Append(random.Next(1, 2030)).Append(' ');
            }
            else
            {
                text.Append(' ');
            }
        }

        return text.ToString();
    }

    public string Chinese(int bytes, int seed)
    {
        var pool = _chineseWords;
        var random = new Random(seed);
        var result = new StringBuilder(bytes / 3 + 64);
        var utf8 = 0;
        var sinceStop = 0;
        while (utf8 < bytes)
        {
            var word = Zipf(pool, random);
            result.Append(word);
            utf8 += word.Length * 3;
            sinceStop++;
            if (sinceStop > 4 && random.NextDouble() < 0.15)
            {
                var stop = random.NextDouble() < 0.6 ? "，" : "。";
                result.Append(stop);
                utf8 += 3;
                sinceStop = 0;
                if (stop == "。" && random.NextDouble() < 0.1)
                {
                    result.Append('\n');
                    utf8++;
                }
            }
        }

        return result.ToString();
    }

    public string Code(int bytes, int seed)
    {
        var words = _englishWords.Where(w => w.Length <= 9).ToArray();
        var random = new Random(seed);
        string Name() => Zipf(words, random);
        string Pascal() => string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => Name()).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
        string Camel() => Name() + Pascal();
        var text = new StringBuilder(bytes + 1024);
        while (text.Length < bytes)
        {
            var type = Pascal();
            text.Append("/// <summary>Handles the ").Append(Name()).Append(' ').Append(Name()).Append(" of a ").Append(Name()).Append(".</summary>\n");
            text.Append("public sealed class ").Append(type).Append(" : I").Append(Pascal()).Append("\n{\n");
            text.Append("    private readonly Dictionary<string, int> _").Append(Camel()).Append(" = new();\n\n");
            for (var m = random.Next(2, 5); m > 0; m--)
            {
                var a = Camel();
                var b = Camel();
                text.Append("    public async Task<int> ").Append(Pascal()).Append("Async(string ").Append(a).Append(", int ").Append(b).Append(", CancellationToken cancellationToken = default)\n    {\n");
                text.Append("        if (").Append(a).Append(" is null || ").Append(b).Append(" < ").Append(random.Next(0, 100)).Append(")\n        {\n");
                text.Append("            throw new ArgumentException($\"").Append(Name()).Append(' ').Append(Name()).Append(": {").Append(a).Append("}\", nameof(").Append(a).Append("));\n        }\n\n");
                text.Append("        var ").Append(Camel()).Append(" = await _").Append(Camel()).Append(".").Append(Pascal()).Append("(").Append(a).Append(", cancellationToken).ConfigureAwait(false);\n");
                text.Append("        for (var i = 0; i < ").Append(b).Append("; i++)\n        {\n            ").Append(Camel()).Append(" += i * ").Append(random.Next(2, 64)).Append(";\n        }\n\n");
                text.Append("        return ").Append(b).Append(" % ").Append(random.Next(2, 17)).Append(";\n    }\n\n");
            }

            text.Append("}\n\n");
            text.Append("def ").Append(Name()).Append('_').Append(Name()).Append("(self, ").Append(Name()).Append("):\n");
            text.Append("    \"\"\"").Append(char.ToUpperInvariant(Name()[0])).Append(Name()).Append(" the ").Append(Name()).Append(".\"\"\"\n");
            text.Append("    return [x ** 2 for x in range(").Append(random.Next(1, 1000)).Append(") if x % 3 == 0]\n\n");
        }

        return text.ToString();
    }

    private static string[] ChineseWords(QwenTokenizer tokenizer)
    {
        var words = new List<string>();
        for (var id = 0; id < tokenizer.VocabularySize; id++)
        {
            var text = tokenizer.Decode([id]);
            if (text.Length is >= 1 and <= 4 && text.All(c => c is >= '\u4E00' and <= '\u9FA5'))
            {
                words.Add(text);
            }
        }

        return [.. words];
    }

    private static string[] Vocabulary(QwenTokenizer tokenizer, Func<string, bool> keep)
    {
        var result = new List<string>();
        for (var id = 0; id < tokenizer.VocabularySize; id++)
        {
            if (tokenizer.IdToToken(id) is { } token && keep(token))
            {
                result.Add(token);
            }
        }

        return [.. result];
    }

    private static string Zipf(string[] pool, Random random)
    {
        // Rank r is drawn with probability about proportional to 1/r (inverse transform of a log-uniform draw).
        var rank = (int)Math.Exp(random.NextDouble() * Math.Log(pool.Length + 1)) - 1;
        return pool[Math.Clamp(rank, 0, pool.Length - 1)];
    }
}
