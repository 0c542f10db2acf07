using System.Runtime.CompilerServices;
using System.Text;

namespace Qwen.Core;

/// <summary>
/// A tokenizer's vocabulary as a grammar sees it: each id's bytes (byte-level BPE tokens and non-special added tokens;
/// special tokens have none), sorted with common-prefix lengths so that a mask is one walk over a virtual token trie.
/// Built once per tokenizer and shared.
/// </summary>
internal sealed class GrammarVocabulary
{
    private static readonly ConditionalWeakTable<QwenTokenizer, GrammarVocabulary> Cache = [];

    private GrammarVocabulary(QwenTokenizer tokenizer)
    {
        var vocabulary = tokenizer.Vocabulary;
        Size = vocabulary.Size;
        Bytes = new byte[Size][];
        Text = new byte[Size][];
        var usable = new List<int>();
        for (var id = 0; id < Size; id++)
        {
            if (vocabulary.TryGetTokenBytes(id, out var bytes))
            {
                Bytes[id] = bytes.ToArray();
            }
            else if (vocabulary.AddedTokenOf(id) is { } added)
            {
                Bytes[id] = added.Special ? [] : Encoding.UTF8.GetBytes(added.Content);
                Text[id] = Encoding.UTF8.GetBytes(added.Content);
            }
            else
            {
                Bytes[id] = [];
            }

            Text[id] ??= Bytes[id];
            if (Bytes[id].Length > 0)
            {
                usable.Add(id);
            }
        }

        // Latin-1 maps each byte to the char of the same value, so ordinal string order is byte order (and sorts fast).
        var keys = usable.Select(id => Encoding.Latin1.GetString(Bytes[id])).ToArray();
        Sorted = [.. usable];
        Array.Sort(keys, Sorted, StringComparer.Ordinal);
        CommonPrefix = new int[Sorted.Length];
        for (var i = 1; i < Sorted.Length; i++)
        {
            CommonPrefix[i] = Bytes[Sorted[i]].AsSpan().CommonPrefixLength(Bytes[Sorted[i - 1]]);
        }

        MaxLength = usable.Count == 0 ? 0 : usable.Max(id => Bytes[id].Length);
    }

    /// <summary>Gets the number of ids (one more than the largest).</summary>
    public int Size { get; }

    /// <summary>Gets each id's bytes as grammar input; empty for special tokens and unused ids.</summary>
    public byte[][] Bytes { get; }

    /// <summary>Gets each id's text as the decoder writes it (special tokens included), for marker detection.</summary>
    public byte[][] Text { get; }

    /// <summary>Gets the ids with bytes, in byte order.</summary>
    public int[] Sorted { get; }

    /// <summary>Gets, for each position of <see cref="Sorted"/>, the bytes it shares with the previous token.</summary>
    public int[] CommonPrefix { get; }

    public int MaxLength { get; }

    public static GrammarVocabulary For(QwenTokenizer tokenizer) => Cache.GetValue(tokenizer, t => new GrammarVocabulary(t));

    /// <summary>The id whose decoded text is exactly <paramref name="text"/>, or -1.</summary>
    public int IdOfText(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var id = 0; id < Size; id++)
        {
            if (Text[id].AsSpan().SequenceEqual(bytes))
            {
                return id;
            }
        }

        return -1;
    }
}
