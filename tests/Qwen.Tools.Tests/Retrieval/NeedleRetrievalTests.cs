using Qwen.Core;
using Qwen.Tools.Tests.TestSupport;

namespace Qwen.Tools.Tests.Retrieval;

public sealed class NeedleRetrievalTests
{
    private static readonly (string Needle, string Question)[] Needles =
    [
        ("The secret passphrase of the Xylophant expedition was copper kettle.", "What was the secret passphrase of the Xylophant expedition?"),
        ("Captain Zembrozia buried the treasure under the quartz lighthouse.", "Where did Captain Zembrozia bury the treasure?"),
        ("The Quixandra bridge opened to traffic in the year 1889.", "When did the Quixandra bridge open to traffic?"),
        ("Wyxtel orchards produce the sweetest yellow plums in the valley.", "Which orchards produce the sweetest yellow plums?"),
    ];

    [Fact]
    public void Search_NeedleAnywhereInAMillionTokens_IsFoundWithinTheDefaultBudget()
    {
        var tokenizer = ApproximateTokenizer.Instance;
        var filler = new FillerText(20240601);
        var paragraphs = new List<string>();
        var tokens = 0;
        while (tokens < 1_000_000)
        {
            var paragraph = filler.Paragraph();
            paragraphs.Add(paragraph);
            tokens += tokenizer.CountTokens(paragraph);
        }

        // Depths: the very start, the very end, and two drawn by the seeded generator.
        var positions = new[] { 0, paragraphs.Count, filler.Next(paragraphs.Count), filler.Next(paragraphs.Count) };
        var fillerText = string.Join('\n', paragraphs);
        foreach (var (needle, _) in Needles)
        {
            Assert.DoesNotContain(needle.Split(' ')[1], fillerText, StringComparison.OrdinalIgnoreCase);
        }

        for (var i = Needles.Length - 1; i >= 0; i--)
        {
            paragraphs.Insert(Math.Min(positions[i], paragraphs.Count), Needles[i].Needle);
        }

        var pages = paragraphs.Chunk(40).Select((group, i) => new DocumentPage(i + 1, [.. group.Select(p => new DocumentParagraph(DocumentParagraphKind.Text, p))])).ToList();
        var document = new ParsedDocument("haystack.txt", "haystack", "hash", pages);
        var chunks = new DocumentChunker(tokenizer).Split(document);
        Assert.True(chunks.Sum(c => c.Tokens) >= 1_000_000);

        using var index = ChunkIndex.Create(chunks);
        foreach (var (needle, question) in Needles)
        {
            var result = index.Search(question, tokenBudget: 8000);

            Assert.True(result.Sum(r => r.Chunk.Tokens) <= 8000);
            Assert.Contains(result, r => r.Chunk.Text.Contains(needle, StringComparison.Ordinal));
        }
    }
}
