using System.Text;
using Qwen.Core;

namespace Qwen.Core.Tests.Tokenization;

public sealed class BpeModelTests
{
    [Fact]
    public void EncodeToIds_LowerRankMergesFirst()
    {
        using var tiny = new TinyTokenizer();
        tiny.Merge("b", "c").Merge("a", "b").Merge("a", "bc");
        var tokenizer = tiny.Load();

        // (b,c) outranks (a,b), so "abc" becomes a + bc, then abc.
        Assert.Equal([tiny.IdOf("abc")], tokenizer.EncodeToIds("abc"));
        Assert.Equal([tiny.IdOf("ab")], tokenizer.EncodeToIds("ab"));
    }

    [Fact]
    public void EncodeToIds_EqualPairs_MergeLeftmostFirst()
    {
        using var tiny = new TinyTokenizer();
        tiny.Merge("a", "a");
        var tokenizer = tiny.Load();

        Assert.Equal([tiny.IdOf("aa"), tiny.IdOf("a")], tokenizer.EncodeToIds("aaa"));
        Assert.Equal([tiny.IdOf("aa"), tiny.IdOf("aa")], tokenizer.EncodeToIds("aaaa"));
    }

    [Fact]
    public void EncodeToIds_MergeResultMissingFromVocabulary_IsDropped()
    {
        // The reference drops tokens the vocabulary lacks when there is no unk token.
        using var tiny = new TinyTokenizer();
        tiny.Merge("x", "y");
        tiny.Model["vocab"]!.AsObject().Remove("xy");
        var tokenizer = tiny.Load();

        Assert.Equal([tiny.IdOf("z")], tokenizer.EncodeToIds("xyz"));
    }

    [Fact]
    public void EncodeToIds_IgnoreMerges_TakesWholeWordFromVocabulary()
    {
        using var tiny = new TinyTokenizer();
        tiny.Merge("a", "b");
        tiny.Model["vocab"]!["abc"] = 400;
        tiny.Model["ignore_merges"] = true;
        var tokenizer = tiny.Load();

        Assert.Equal([400], tokenizer.EncodeToIds("abc"));
        Assert.Equal([tiny.IdOf("ab"), tiny.IdOf("d")], tokenizer.EncodeToIds("abd"));
    }

    [Fact]
    public void EncodeToIds_AddedTokenSpecialFlags_StripAndNormalizeAsDeclared()
    {
        using var tiny = new TinyTokenizer();
        tiny.Added(300, "<l>", lstrip: true).Added(301, "<r>", rstrip: true).Added(302, "é!", special: false, normalized: true);
        var tokenizer = tiny.Load();

        // lstrip drops the white space before the token, rstrip the white space after it.
        Assert.Equal([tiny.IdOf("a"), 300, tiny.IdOf("b")], tokenizer.EncodeToIds("a \t <l>b"));
        Assert.Equal([tiny.IdOf("a"), 301, tiny.IdOf("b")], tokenizer.EncodeToIds("a<r>  \nb"));

        // A normalized added token is found after NFC, so its decomposed spelling matches too.
        Assert.Equal([tiny.IdOf("x"), 302], tokenizer.EncodeToIds("xe\u0301!"));
        Assert.Equal("x<r>é!", tokenizer.Decode([tiny.IdOf("x"), 301, 302]));
        Assert.Equal("xé!", tokenizer.Decode([tiny.IdOf("x"), 301, 302], skipSpecialTokens: true));
    }

    [Fact]
    public void Merge_SmallAndLargeLoops_AgreeOnRandomWords()
    {
        var tokenizer = TokenizerFixtures.Qwen3;
        var model = tokenizer.Model;
        var random = new Random(7);
        var alphabets = new[] { "abcdefghijklmnopqrstuvwxyz", "的一是不了人我在有他这为之大来以个中上们", "ابتثجحخدذرزسشصضطظعغفقكلمنهوي", "éèêëàâäôöùûüç", "0123456789 !?.," };
        for (var i = 0; i < 300; i++)
        {
            var alphabet = alphabets[i % alphabets.Length];
            var word = new string([.. Enumerable.Range(0, random.Next(2, 120)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            var symbols = Encoding.UTF8.GetBytes(word).Select(b => tokenizer.TokenToId(TinyTokenizer.ByteChar(b).ToString())!.Value).ToArray();
            var small = (int[])symbols.Clone();
            var large = (int[])symbols.Clone();

            var smallCount = model.MergeSmall(small);
            var largeCount = model.MergeLarge(large);

            Assert.Equal(small[..smallCount], large[..largeCount]);
        }
    }

    [Fact]
    public void EncodeToIds_LongPieces_RoundTrip()
    {
        var tokenizer = TokenizerFixtures.Qwen3;
        foreach (var text in new[] { new string('a', 5000), new string(' ', 3000) + "x", string.Concat(Enumerable.Repeat("通义千问", 500)), new string('=', 2000), string.Concat(Enumerable.Repeat("👨‍👩‍👧‍👦", 300)) })
        {
            var ids = tokenizer.EncodeToIds(text);

            Assert.Equal(text, tokenizer.Decode(ids));
            Assert.True(ids.Count < Encoding.UTF8.GetByteCount(text), $"expected merges in a {text.Length}-character run");
        }
    }
}
