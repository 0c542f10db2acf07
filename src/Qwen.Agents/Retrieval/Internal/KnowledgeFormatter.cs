using System.Globalization;
using System.Text;
using Qwen.Tools;

namespace Qwen.Agents;

/// <summary>
/// Writes knowledge as Qwen-Agent's knowledge section (<c># Knowledge Base</c>, then one <c>## The content from [文件](name):</c>
/// snippet per document with its chunks joined by <c>...</c>, and the Chinese forms), followed by quoted evidence, and trims
/// knowledge until its text fits a token budget.
/// </summary>
internal static class KnowledgeFormatter
{
    private const string ChunkSeparator = "\n\n...\n\n";

    /// <summary>The snippets alone (what Qwen-Agent's ParallelDocQA passes to its summary prompt); empty for no knowledge.</summary>
    public static string FormatSnippets(RetrievedKnowledge knowledge, AgentLanguage language)
    {
        var sections = new List<string>();
        foreach (var group in knowledge.Chunks.GroupBy(c => c.Chunk.Source, StringComparer.Ordinal))
        {
            var content = string.Join(ChunkSeparator, group.OrderBy(c => c.Chunk.Index).Select(c => c.Chunk.Text.Trim()));
            sections.Add(RetrievalPrompts.KnowledgeSnippet(language, SourceName(group.Key), content));
        }

        if (knowledge.Evidence.Count > 0)
        {
            var evidence = new StringBuilder(RetrievalPrompts.EvidenceHeading(language)).Append("\n\n");
            foreach (var quote in knowledge.Evidence)
            {
                evidence.Append(CultureInfo.InvariantCulture, $"- {SourceName(quote.Source)} [page: {quote.Page}]: {quote.Text.Trim()}\n");
            }

            sections.Add(evidence.ToString().TrimEnd());
        }

        return string.Join("\n\n", sections);
    }

    /// <summary>The whole knowledge section with its <c># Knowledge Base</c> heading; empty for no knowledge.</summary>
    public static string Format(RetrievedKnowledge knowledge, AgentLanguage language)
    {
        var snippets = FormatSnippets(knowledge, language);
        return snippets.Length == 0 ? string.Empty : RetrievalPrompts.KnowledgeTemplate(language) + snippets;
    }

    /// <summary>Drops the lowest-scoring chunks, then the last quotes, until <paramref name="measure"/> is at most <paramref name="budget"/> tokens.</summary>
    public static RetrievedKnowledge Fit(RetrievedKnowledge knowledge, int budget, Func<RetrievedKnowledge, int> measure)
    {
        var chunks = knowledge.Chunks.ToList();
        var evidence = knowledge.Evidence.ToList();
        var current = knowledge;
        while (measure(current) > budget && (chunks.Count > 0 || evidence.Count > 0))
        {
            if (chunks.Count > 0)
            {
                var weakest = chunks.Select((c, i) => (c, i)).OrderBy(x => x.c.Score).ThenByDescending(x => x.i).First().i;
                chunks.RemoveAt(weakest);
            }
            else
            {
                evidence.RemoveAt(evidence.Count - 1);
            }

            current = new RetrievedKnowledge(chunks, evidence, knowledge.Query);
        }

        return current;
    }

    /// <summary>A rough count of the tokens the formatting adds around the chunks: headings, fences, separators.</summary>
    public static int Overhead(int chunks, int sources) => 8 + (sources * 24) + (chunks * 6);

    /// <summary>Qwen-Agent names a source by its file name, as a link: <c>[文件](name.pdf)</c>.</summary>
    private static string SourceName(string source)
    {
        var name = source;
        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && !uri.IsFile)
        {
            name = Uri.UnescapeDataString(uri.Segments.LastOrDefault()?.Trim('/') ?? string.Empty);
            name = name.Length == 0 ? uri.Host : name;
        }
        else
        {
            name = Path.GetFileName(source.TrimEnd('/', '\\'));
        }

        return $"[文件]({name})";
    }
}
