using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Qwen.Tools;

/// <summary>
/// Splits a parsed document into chunks of at most <see cref="ChunkingOptions.MaxTokens"/> tokens, as Qwen-Agent's parser does:
/// whole paragraphs where they fit, <c>[page: N]</c> lines at the start and at every page change, a small overlap of whole
/// sentences from the previous chunk, and long paragraphs split at sentence, then word, boundaries (a table at row boundaries,
/// repeating its header), never inside a word or a CJK character. Thread-safe.
/// </summary>
public sealed class DocumentChunker
{
    private readonly Tokenizer _tokenizer;
    private readonly ChunkingOptions _options;
    private readonly int _newlineTokens;

    /// <summary>Initializes a new instance of the <see cref="DocumentChunker"/> class.</summary>
    /// <param name="tokenizer">Counts tokens (the model's tokenizer, or <c>ApproximateTokenizer</c> when none is configured).</param>
    /// <param name="options">Chunk size and overlap; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public DocumentChunker(Tokenizer tokenizer, ChunkingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
        _options = options ?? new ChunkingOptions();
        _options.Validate();
        _newlineTokens = Math.Max(1, tokenizer.CountTokens("\n"));
    }

    /// <summary>Gets the options in force.</summary>
    public ChunkingOptions Options => _options;

    /// <summary>Splits <paramref name="document"/> into chunks.</summary>
    /// <param name="document">The document.</param>
    /// <param name="cancellationToken">Cancels the split.</param>
    /// <returns>The chunks in document order; none for a document without text.</returns>
    public IReadOnlyList<DocumentChunk> Split(ParsedDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var builder = new Builder(this, document.Source);
        var lastPage = document.Pages.Count == 0 ? 1 : document.Pages.Max(p => p.Number);

        // Room for a piece in a fresh chunk: the marker, the overlap and the separators around them must fit too.
        var pieceLimit = _options.MaxTokens - MarkerTokens(lastPage) - _options.EffectiveOverlapTokens - (3 * _newlineTokens) - 2;
        foreach (var page in document.Pages)
        {
            foreach (var paragraph in page.Paragraphs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var text = paragraph.Text.Trim();
                if (text.Length == 0)
                {
                    continue;
                }

                var tokens = Count(text);
                if (tokens <= pieceLimit)
                {
                    builder.Add(new Piece(text, tokens, page.Number, paragraph.Kind != DocumentParagraphKind.Table));
                    continue;
                }

                foreach (var piece in SplitLong(text, paragraph.Kind, pieceLimit))
                {
                    builder.Add(new Piece(piece.Text, piece.Tokens, page.Number, paragraph.Kind != DocumentParagraphKind.Table));
                }
            }
        }

        return builder.Finish();
    }

    private int Count(string text) => _tokenizer.CountTokens(text);

    private int MarkerTokens(int page) => Count(Marker(page));

    private static string Marker(int page) => string.Create(CultureInfo.InvariantCulture, $"[page: {page}]");

    /// <summary>Splits a paragraph longer than <paramref name="limit"/> tokens into pieces that fit.</summary>
    private List<(string Text, int Tokens)> SplitLong(string text, DocumentParagraphKind kind, int limit)
    {
        if (kind == DocumentParagraphKind.Table)
        {
            return SplitTable(text, limit);
        }

        var pieces = new List<(string, int)>();
        var pack = new Pack(this, limit, pieces);
        foreach (var sentence in Segments(text, SentenceEnd))
        {
            var tokens = Count(sentence);
            if (tokens <= limit)
            {
                pack.Add(sentence, tokens);
                continue;
            }

            foreach (var word in Segments(sentence, WordEnd))
            {
                var wordTokens = Count(word);
                if (wordTokens <= limit)
                {
                    pack.Add(word, wordTokens);
                    continue;
                }

                foreach (var part in SplitWord(word, limit))
                {
                    pack.Add(part, Count(part));
                }
            }
        }

        pack.Close();
        return pieces;
    }

    /// <summary>Splits a table into groups of whole rows, each group after the first repeating the header rows.</summary>
    private List<(string Text, int Tokens)> SplitTable(string table, int limit)
    {
        var lines = table.Split('\n');
        var headerLines = MarkdownTable.HeaderLineCount(table);
        var header = string.Join('\n', lines.Take(headerLines));
        var headerTokens = headerLines == 0 ? 0 : Count(header) + _newlineTokens;
        if (headerTokens > limit / 2)
        {
            header = string.Empty;
            headerTokens = 0;
        }

        var pieces = new List<(string, int)>();
        var rows = new List<string>();
        var tokens = 0;
        foreach (var line in lines.Skip(header.Length == 0 ? 0 : headerLines))
        {
            var lineTokens = Count(line);
            if (lineTokens + headerTokens > limit)
            {
                // A row too long for any chunk is cut like running text.
                FlushRows();
                pieces.AddRange(SplitLong(line, DocumentParagraphKind.Text, limit));
                continue;
            }

            if (rows.Count > 0 && headerTokens + tokens + _newlineTokens + lineTokens > limit)
            {
                FlushRows();
            }

            tokens += (rows.Count > 0 ? _newlineTokens : 0) + lineTokens;
            rows.Add(line);
        }

        FlushRows();
        return pieces;

        void FlushRows()
        {
            if (rows.Count == 0)
            {
                return;
            }

            var text = header.Length == 0 ? string.Join('\n', rows) : header + "\n" + string.Join('\n', rows);
            pieces.Add((text, Count(text)));
            rows.Clear();
            tokens = 0;
        }
    }

    /// <summary>Cuts a single word longer than <paramref name="limit"/> tokens (a URL, a base64 blob) at token boundaries, never inside a character.</summary>
    private IEnumerable<string> SplitWord(string word, int limit)
    {
        var rest = word;
        while (rest.Length > 0)
        {
            var index = _tokenizer.GetIndexByTokenCount(rest, limit, out _, out _);
            if (index > 0 && index < rest.Length && char.IsLowSurrogate(rest[index]))
            {
                index--;
            }

            if (index <= 0)
            {
                index = char.IsHighSurrogate(rest[0]) && rest.Length > 1 ? 2 : 1;
            }

            yield return rest[..index];
            rest = rest[index..];
        }
    }

    /// <summary>Cuts text into segments that end where <paramref name="isEnd"/> says, each keeping its trailing whitespace.</summary>
    private static IEnumerable<string> Segments(string text, Func<string, int, bool> isEnd)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (!isEnd(text, i))
            {
                continue;
            }

            var end = i + 1;
            while (end < text.Length && char.IsWhiteSpace(text[end]))
            {
                end++;
            }

            yield return text[start..end];
            start = end;
            i = end - 1;
        }

        if (start < text.Length)
        {
            yield return text[start..];
        }
    }

    /// <summary>A sentence ends after CJK end punctuation, after ASCII end punctuation followed by whitespace, or at a line break.</summary>
    private static bool SentenceEnd(string text, int i)
    {
        var c = text[i];
        if (c is '\n' or '。' or '！' or '？' or '；' or '…')
        {
            return true;
        }

        return c is '.' or '!' or '?' or ';' && i + 1 < text.Length && char.IsWhiteSpace(text[i + 1]);
    }

    /// <summary>A word ends before whitespace, and every CJK character is a word of its own.</summary>
    private static bool WordEnd(string text, int i)
    {
        if (i + 1 >= text.Length)
        {
            return false;
        }

        var next = text[i + 1];
        return (char.IsWhiteSpace(next) && !char.IsWhiteSpace(text[i]))
            || CjkText.IsCjk(text[i]) || (CjkText.IsCjk(next) && !char.IsWhiteSpace(text[i]));
    }

    /// <summary>A piece of text to place in a chunk: a whole paragraph or a part of a long one.</summary>
    private readonly record struct Piece(string Text, int Tokens, int Page, bool CanOverlap);

    /// <summary>Packs segments greedily into pieces of at most a number of tokens.</summary>
    private sealed class Pack(DocumentChunker owner, int limit, List<(string Text, int Tokens)> output)
    {
        private readonly StringBuilder _text = new();
        private int _tokens;

        public void Add(string segment, int tokens)
        {
            if (_text.Length > 0 && _tokens + tokens > limit)
            {
                Close();
            }

            _text.Append(segment);
            _tokens += tokens;
        }

        public void Close()
        {
            var text = _text.ToString().Trim();
            _text.Clear();
            _tokens = 0;
            if (text.Length == 0)
            {
                return;
            }

            var exact = owner.Count(text);
            if (exact <= limit)
            {
                output.Add((text, exact));
                return;
            }

            // Counting the parts apart came out low; cut this piece again with a smaller budget.
            output.AddRange(owner.SplitLong(text, DocumentParagraphKind.Text, Math.Max(1, limit * 3 / 4)));
        }
    }

    /// <summary>Fills chunks with pieces, adds page markers and overlap, and checks each chunk's exact token count.</summary>
    private sealed class Builder(DocumentChunker owner, string source)
    {
        private readonly List<DocumentChunk> _chunks = [];
        private readonly List<Entry> _entries = [];
        private readonly LinkedList<Piece> _pending = new();
        private int _estimate;
        private bool _hasNewContent;

        private int Max => owner._options.MaxTokens;

        public void Add(Piece piece)
        {
            _pending.AddLast(piece);
            Drain();
        }

        public List<DocumentChunk> Finish()
        {
            while (_hasNewContent)
            {
                Flush(withOverlap: true);
                Drain();
            }

            return _chunks;
        }

        private void Drain()
        {
            while (_pending.First is { } first)
            {
                if (TryPlace(first.Value))
                {
                    _pending.RemoveFirst();
                }
                else if (_hasNewContent)
                {
                    Flush(withOverlap: true);
                }
                else if (_entries.Count > 0)
                {
                    // Only the overlap is in this chunk and the piece still does not fit: drop the overlap.
                    Reset();
                }
                else
                {
                    // Cannot happen with pieces cut to the piece limit; placed anyway so that the loop always ends.
                    Append(first.Value, force: true);
                    _pending.RemoveFirst();
                }
            }
        }

        private bool TryPlace(Piece piece) => Append(piece, force: false);

        private bool Append(Piece piece, bool force)
        {
            var lastPage = _entries.Count == 0 ? -1 : _entries[^1].Page;
            var needsMarker = piece.Page != lastPage;
            var cost = piece.Tokens
                + (_entries.Count > 0 ? owner._newlineTokens : 0)
                + (needsMarker ? owner.MarkerTokens(piece.Page) + (_entries.Count > 0 ? owner._newlineTokens : 0) : 0);
            if (!force && _estimate + cost > Max)
            {
                return false;
            }

            if (needsMarker)
            {
                _entries.Add(new Entry(Marker(piece.Page), piece.Page, EntryKind.Marker, false));
            }

            _entries.Add(new Entry(piece.Text, piece.Page, EntryKind.Content, piece.CanOverlap) { Tokens = piece.Tokens });
            _estimate += cost;
            _hasNewContent = true;
            return true;
        }

        private void Flush(bool withOverlap)
        {
            var text = string.Join('\n', _entries.Select(e => e.Text));
            var tokens = owner.Count(text);
            while (tokens > Max && _entries.Count(e => e.Kind == EntryKind.Content) > 1)
            {
                // The estimate was low (tokens can merge differently across lines): hand the last piece to the next chunk.
                var last = _entries.FindLastIndex(e => e.Kind == EntryKind.Content);
                var entry = _entries[last];
                _pending.AddFirst(new Piece(entry.Text, entry.Tokens, entry.Page, entry.CanOverlap));
                _entries.RemoveRange(last, _entries.Count - last);
                if (_entries.Count > 0 && _entries[^1].Kind == EntryKind.Marker)
                {
                    _entries.RemoveAt(_entries.Count - 1);
                }

                text = string.Join('\n', _entries.Select(e => e.Text));
                tokens = owner.Count(text);
            }

            var firstPage = _entries.First(e => e.Kind == EntryKind.Marker).Page;
            var lastPage = _entries[^1].Page;
            _chunks.Add(new DocumentChunk(source, _chunks.Count, firstPage, lastPage, text, tokens));

            var overlap = withOverlap ? Overlap() : null;
            Reset();
            if (overlap is { } o)
            {
                _entries.Add(new Entry(Marker(o.Page), o.Page, EntryKind.Marker, false));
                _entries.Add(new Entry(o.Text, o.Page, EntryKind.Overlap, false));
                _estimate = owner.MarkerTokens(o.Page) + owner._newlineTokens + o.Tokens;
            }
        }

        private void Reset()
        {
            _entries.Clear();
            _estimate = 0;
            _hasNewContent = false;
        }

        /// <summary>The end of the chunk to repeat at the start of the next: whole sentences from the last page, within the overlap budget.</summary>
        private (string Text, int Tokens, int Page)? Overlap()
        {
            var budget = owner._options.EffectiveOverlapTokens;
            if (budget == 0)
            {
                return null;
            }

            var page = _entries[^1].Page;
            var parts = new List<string>();
            var used = 0;
            for (var i = _entries.Count - 1; i >= 0; i--)
            {
                var entry = _entries[i];
                if (entry.Kind != EntryKind.Content || entry.Page != page || !entry.CanOverlap)
                {
                    break;
                }

                if (entry.Tokens + used <= budget)
                {
                    parts.Insert(0, entry.Text);
                    used += entry.Tokens;
                    continue;
                }

                var sentences = Segments(entry.Text, SentenceEnd).ToList();
                var tail = new StringBuilder();
                for (var s = sentences.Count - 1; s >= 0; s--)
                {
                    var tokens = owner.Count(sentences[s]);
                    if (used + tokens > budget)
                    {
                        break;
                    }

                    tail.Insert(0, sentences[s]);
                    used += tokens;
                }

                if (tail.Length > 0)
                {
                    parts.Insert(0, tail.ToString().Trim());
                }

                break;
            }

            if (parts.Count == 0)
            {
                return null;
            }

            var text = string.Join('\n', parts);
            return (text, owner.Count(text), page);
        }
    }

    private enum EntryKind
    {
        Marker,
        Content,
        Overlap,
    }

    private sealed record Entry(string Text, int Page, EntryKind Kind, bool CanOverlap)
    {
        public int Tokens { get; init; }
    }
}
