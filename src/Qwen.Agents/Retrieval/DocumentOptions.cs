using Microsoft.ML.Tokenizers;
using Qwen.Core;
using Qwen.Tools;

namespace Qwen.Agents;

/// <summary>The documents an agent answers from and how they are read: files, token counting, chunking and caching.</summary>
public sealed class DocumentOptions
{
    /// <summary>Gets or sets the files every run reads (paths or <c>http(s)</c> URLs), besides those attached to the messages.</summary>
    /// <value>The default value is an empty list.</value>
    public IList<string> Files { get; set; } = [];

    /// <summary>Gets or sets the tokenizer that counts tokens for chunks and budgets (the model's own when there is one).</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="ApproximateTokenizer.Instance"/>.</value>
    public Tokenizer? Tokenizer { get; set; }

    /// <summary>Gets or sets chunking (<see cref="ChunkingOptions.MaxTokens"/>, 512 by default) and the on-disk index cache,
    /// for the retriever the agent creates when <see cref="Retriever"/> is not set.</summary>
    /// <value>The default value is <see langword="null"/>: Qwen.Tools' defaults, in-memory cache.</value>
    public RetrievalOptions? Retrieval { get; set; }

    /// <summary>Gets or sets a retriever to share between agents (its parse and index caches with it); the caller disposes it.
    /// When <see langword="null"/>, the agent creates its own from <see cref="Retrieval"/> and <see cref="Tokenizer"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public DocumentRetriever? Retriever { get; set; }

    /// <summary>Gets the tokenizer in force.</summary>
    internal Tokenizer EffectiveTokenizer => Tokenizer ?? ApproximateTokenizer.Instance;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">A file entry is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A retrieval option is out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Files, $"{nameof(DocumentOptions)}.{nameof(Files)}");
        if (Files.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"{nameof(DocumentOptions)}.{nameof(Files)} holds an empty entry; each is a path or an http(s) URL.", nameof(Files));
        }

        Retrieval?.Validate();
    }
}
