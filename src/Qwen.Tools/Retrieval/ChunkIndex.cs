using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;

namespace Qwen.Tools;

/// <summary>
/// A BM25 index over the chunks of one or more documents (Lucene, with an analyzer for English, CJK and mixed text). Search returns
/// the best chunks whose tokens fit a budget, in document order. Thread-safe for searching.
/// </summary>
public sealed class ChunkIndex : IDisposable
{
    private readonly IReadOnlyList<IndexedDocument> _documents;
    private readonly IReadOnlyList<IReadOnlyList<DocumentChunk>> _chunksByDocument;
    private readonly bool _ownsDocuments;
    private readonly IndexReader _reader;
    private readonly IndexSearcher _searcher;
    private readonly int[] _positionOfDoc;
    private bool _disposed;

    internal ChunkIndex(IReadOnlyList<(IndexedDocument Document, IReadOnlyList<DocumentChunk> Chunks)> documents, bool ownsDocuments)
    {
        _documents = [.. documents.Select(d => d.Document)];
        _chunksByDocument = [.. documents.Select(d => d.Chunks)];
        _ownsDocuments = ownsDocuments;
        _reader = _documents.Count == 1
            ? _documents[0].Reader
            : new MultiReader([.. _documents.Select(d => (IndexReader)d.Reader)], closeSubReaders: false);

        // Statistics (document frequencies, average length) come from all documents together, so scores compare across them.
        _searcher = new IndexSearcher(_reader) { Similarity = new BM25Similarity() };
        // Lucene numbers documents across all readers in order; this maps each number to a position in Chunks.
        _positionOfDoc = new int[_reader.MaxDoc];
        int docBase = 0, chunkBase = 0;
        for (var i = 0; i < _documents.Count; i++)
        {
            var chunkOfDoc = _documents[i].ChunkOfDoc;
            for (var doc = 0; doc < chunkOfDoc.Length; doc++)
            {
                _positionOfDoc[docBase + doc] = chunkBase + chunkOfDoc[doc];
            }

            docBase += chunkOfDoc.Length;
            chunkBase += _chunksByDocument[i].Count;
        }

        Chunks = [.. _chunksByDocument.SelectMany(c => c)];
        TotalTokens = Chunks.Sum(c => c.Tokens);
    }

    /// <summary>Gets every chunk, in document order.</summary>
    public IReadOnlyList<DocumentChunk> Chunks { get; }

    /// <summary>Gets the number of tokens of all chunks together.</summary>
    public int TotalTokens { get; }

    /// <summary>Indexes <paramref name="chunks"/> in memory (grouped into documents by <see cref="DocumentChunk.Source"/>).</summary>
    /// <param name="chunks">The chunks, in document order.</param>
    /// <returns>The index.</returns>
    public static ChunkIndex Create(IEnumerable<DocumentChunk> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var documents = chunks
            .GroupBy(c => c.Source, StringComparer.Ordinal)
            .Select(g => (IReadOnlyList<DocumentChunk>)[.. g])
            .Select(list => (IndexedDocument.Build(list, new RAMDirectory()), list))
            .ToList();
        return new ChunkIndex(documents, ownsDocuments: true);
    }

    /// <summary>Finds the chunks that best match <paramref name="query"/> within <paramref name="tokenBudget"/> tokens.</summary>
    /// <param name="query">A question, sentences, or a JSON keyword query (see <see cref="RetrievalQuery.Parse"/>).</param>
    /// <param name="tokenBudget">The most tokens the returned chunks may add up to.</param>
    /// <returns>The chunks in document order.</returns>
    public IReadOnlyList<RetrievedChunk> Search(string query, int tokenBudget = 8000) => Search(RetrievalQuery.Parse(query), tokenBudget);

    /// <summary>
    /// Finds the chunks that best match <paramref name="query"/> within <paramref name="tokenBudget"/> tokens: the highest scoring
    /// chunks that fit, returned in document order. When everything fits, everything is returned; when the query holds no
    /// searchable word (empty, or only stop words), the start of the documents is returned, as Qwen-Agent does.
    /// </summary>
    /// <param name="query">The query.</param>
    /// <param name="tokenBudget">The most tokens the returned chunks may add up to.</param>
    /// <returns>The chunks in document order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokenBudget"/> is not positive.</exception>
    public IReadOnlyList<RetrievedChunk> Search(RetrievalQuery query, int tokenBudget = 8000)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokenBudget, 1);
        ObjectDisposedException.ThrowIf(_disposed, this);

        var scores = Score(query);
        if (TotalTokens <= tokenBudget)
        {
            return [.. Chunks.Select((c, i) => new RetrievedChunk(c, scores.GetValueOrDefault(i)))];
        }

        if (scores.Count == 0)
        {
            return FrontOfDocuments(tokenBudget);
        }

        var selected = new List<int>();
        var left = tokenBudget;
        var smallest = Chunks.Min(c => c.Tokens);
        foreach (var (position, _) in scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key))
        {
            if (Chunks[position].Tokens <= left)
            {
                selected.Add(position);
                left -= Chunks[position].Tokens;
                if (left < smallest)
                {
                    break;
                }
            }
        }

        selected.Sort();
        return [.. selected.Select(p => new RetrievedChunk(Chunks[p], scores[p]))];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_reader is MultiReader multi)
        {
            multi.Dispose();
        }

        if (_ownsDocuments)
        {
            foreach (var document in _documents)
            {
                document.Dispose();
            }
        }
    }

    /// <summary>Scores every matching chunk; keys are positions in <see cref="Chunks"/>.</summary>
    private Dictionary<int, double> Score(RetrievalQuery query)
    {
        var scores = new Dictionary<int, double>();
        var lucene = BuildQuery(query);
        if (lucene is null || Chunks.Count == 0)
        {
            return scores;
        }

        foreach (var hit in _searcher.Search(lucene, Math.Max(1, _reader.MaxDoc)).ScoreDocs)
        {
            scores[_positionOfDoc[hit.Doc]] = hit.Score;
        }

        return scores;
    }

    private static BooleanQuery? BuildQuery(RetrievalQuery query)
    {
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var term in Bm25Analyzer.Instance.Terms(query.Text))
        {
            weights[term] = weights.GetValueOrDefault(term) + 1;
        }

        foreach (var keyword in query.Keywords.Where(k => k.Weight > 0))
        {
            foreach (var term in Bm25Analyzer.Instance.Terms(keyword.Text))
            {
                weights[term] = weights.GetValueOrDefault(term) + keyword.Weight;
            }
        }

        if (weights.Count == 0)
        {
            return null;
        }

        // Lucene allows 1,024 clauses; a longer query keeps its most weighted terms.
        var boolean = new BooleanQuery(disableCoord: true);
        foreach (var (term, weight) in weights.OrderByDescending(w => w.Value).ThenBy(w => w.Key, StringComparer.Ordinal).Take(BooleanQuery.MaxClauseCount))
        {
            boolean.Add(new TermQuery(new Term("text", term)) { Boost = (float)weight }, Occur.SHOULD);
        }

        return boolean;
    }

    private List<RetrievedChunk> FrontOfDocuments(int tokenBudget)
    {
        var result = new List<RetrievedChunk>();
        var left = tokenBudget;
        foreach (var chunk in Chunks)
        {
            if (chunk.Tokens > left)
            {
                break;
            }

            result.Add(new RetrievedChunk(chunk, 0));
            left -= chunk.Tokens;
        }

        return result;
    }
}
