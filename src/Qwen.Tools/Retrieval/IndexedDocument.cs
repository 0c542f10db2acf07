using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Qwen.Tools;

/// <summary>The BM25 index of one document's chunks (in memory or on disk) with the chunks themselves, in order.</summary>
internal sealed class IndexedDocument : IDisposable
{
    private const string TextField = "text";
    private const string IndexField = "index";
    private const string PageField = "page";
    private const string LastPageField = "lastPage";
    private const string TokensField = "tokens";
    private const string SourceField = "source";

    private readonly LuceneDirectory _directory;

    private IndexedDocument(LuceneDirectory directory, DirectoryReader reader, IReadOnlyList<DocumentChunk> chunks)
    {
        _directory = directory;
        Reader = reader;
        Chunks = chunks;

        // Lucene numbers documents itself (threads and merges reorder them); the doc-values column maps its numbers back to chunks.
        ChunkOfDoc = new int[reader.MaxDoc];
        var numbers = MultiDocValues.GetNumericValues(reader, IndexField)
            ?? throw new InvalidDataException("The chunk index has no chunk numbers.");
        for (var doc = 0; doc < reader.MaxDoc; doc++)
        {
            var chunk = numbers.Get(doc);
            ChunkOfDoc[doc] = chunk >= 0 && chunk < chunks.Count ? (int)chunk : throw new InvalidDataException($"The chunk index has a bad chunk number {chunk}.");
        }
    }

    public DirectoryReader Reader { get; }

    public IReadOnlyList<DocumentChunk> Chunks { get; }

    public int[] ChunkOfDoc { get; }

    /// <summary>Indexes <paramref name="chunks"/> into <paramref name="directory"/> (which it then owns).</summary>
    public static IndexedDocument Build(IReadOnlyList<DocumentChunk> chunks, LuceneDirectory directory, CancellationToken cancellationToken = default)
    {
        var config = new IndexWriterConfig(Bm25Analyzer.Version, Bm25Analyzer.Instance)
        {
            OpenMode = OpenMode.CREATE,
            Similarity = new BM25Similarity(),
            RAMBufferSizeMB = 64,
        };
        using (var writer = new IndexWriter(directory, config))
        {
            // Analysis dominates indexing time and IndexWriter takes documents from several threads at once.
            Parallel.For(0, chunks.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            {
                var chunk = chunks[i];
                writer.AddDocument(new Document
                {
                    new TextField(TextField, chunk.Text, Field.Store.YES),
                    new NumericDocValuesField(IndexField, i),
                    new StoredField(IndexField, i),
                    new StoredField(PageField, chunk.Page),
                    new StoredField(LastPageField, chunk.LastPage),
                    new StoredField(TokensField, chunk.Tokens),
                    new StoredField(SourceField, chunk.Source),
                });
            });

            writer.Commit();
        }

        return new IndexedDocument(directory, DirectoryReader.Open(directory), chunks);
    }

    /// <summary>Opens an index written by <see cref="Build"/>, reading the chunks back from its stored fields.</summary>
    public static IndexedDocument Open(LuceneDirectory directory)
    {
        var reader = DirectoryReader.Open(directory);
        try
        {
            var chunks = new DocumentChunk[reader.MaxDoc];
            for (var doc = 0; doc < reader.MaxDoc; doc++)
            {
                var stored = reader.Document(doc);
                var index = stored.GetField(IndexField).GetInt32Value() ?? -1;
                if (index < 0 || index >= chunks.Length || chunks[index] is not null)
                {
                    throw new InvalidDataException($"The cached chunk index has a bad chunk number {index}.");
                }

                chunks[index] = new DocumentChunk(
                    stored.Get(SourceField) ?? string.Empty,
                    index,
                    stored.GetField(PageField).GetInt32Value() ?? 1,
                    stored.GetField(LastPageField).GetInt32Value() ?? 1,
                    stored.Get(TextField) ?? string.Empty,
                    stored.GetField(TokensField).GetInt32Value() ?? 0);
            }

            return new IndexedDocument(directory, reader, chunks);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Reader.Dispose();
        _directory.Dispose();
    }
}
