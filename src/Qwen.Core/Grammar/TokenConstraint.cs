namespace Qwen.Core;

/// <summary>
/// A <see cref="JsonGrammar"/> bound to a tokenizer's vocabulary: gives each generated sequence a <see cref="TokenMatcher"/>
/// that masks the logits to the tokens the grammar allows next. Thread-safe and meant to be shared: the states and token
/// masks it computes are cached for every sequence that uses it.
/// </summary>
public sealed class TokenConstraint
{
    private TokenConstraint(JsonGrammar grammar, QwenTokenizer tokenizer, TokenConstraintOptions options)
    {
        Grammar = grammar;
        ReasoningEnd = options.ReasoningEnd;
        StartsInReasoning = options.StartsInReasoning;
        Trigger = options.Trigger;
        Space = new StateSpace(grammar.Graph, GrammarVocabulary.For(tokenizer));
        ReasoningStartId = options.ReasoningStart is { } start ? Space.Vocabulary.IdOfText(start) : -1;
        ReasoningEndId = options.ReasoningEnd is { } end ? Space.Vocabulary.IdOfText(end) : -1;
    }

    /// <summary>Gets the grammar.</summary>
    public JsonGrammar Grammar { get; }

    /// <summary>Gets how many grammar states have a cached token mask so far (a measure of the cache's work).</summary>
    public int CachedMasks
    {
        get
        {
            lock (Space.Gate)
            {
                return Space.MaskCount;
            }
        }
    }

    internal StateSpace Space { get; }

    internal string? ReasoningEnd { get; }

    internal bool StartsInReasoning { get; }

    internal string? Trigger { get; }

    internal int ReasoningStartId { get; }

    internal int ReasoningEndId { get; }

    /// <summary>Binds a grammar to a tokenizer's vocabulary.</summary>
    /// <param name="grammar">The grammar.</param>
    /// <param name="tokenizer">The tokenizer whose ids the model produces.</param>
    /// <param name="options">Where the grammar applies; null: from the first token.</param>
    /// <returns>The constraint.</returns>
    /// <exception cref="ArgumentException">A reasoning marker is set without its partner.</exception>
    public static TokenConstraint Create(JsonGrammar grammar, QwenTokenizer tokenizer, TokenConstraintOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentNullException.ThrowIfNull(tokenizer);
        options ??= new TokenConstraintOptions();
        if ((options.ReasoningStart is null && options.StartsInReasoning) || (options.ReasoningStart is not null && string.IsNullOrEmpty(options.ReasoningEnd)))
        {
            throw new ArgumentException("TokenConstraintOptions.ReasoningEnd is needed with ReasoningStart, and ReasoningStart with StartsInReasoning.", nameof(options));
        }

        if (options.Trigger is { Length: 0 })
        {
            throw new ArgumentException("TokenConstraintOptions.Trigger must not be empty.", nameof(options));
        }

        return new TokenConstraint(grammar, tokenizer, options);
    }

    /// <summary>Starts matching one sequence.</summary>
    /// <param name="endTokenIds">The ids that end generation (end of turn, end of text); allowed once the output is complete.</param>
    /// <returns>A matcher for one sequence (not thread-safe: one sequence, one thread at a time).</returns>
    /// <exception cref="ArgumentException">No end token is given, so a complete output could never end.</exception>
    public TokenMatcher CreateMatcher(IEnumerable<int> endTokenIds)
    {
        ArgumentNullException.ThrowIfNull(endTokenIds);
        int[] ends = [.. endTokenIds.Distinct()];
        if (ends.Length == 0)
        {
            throw new ArgumentException("A constrained sequence needs at least one end token id to finish on.", nameof(endTokenIds));
        }

        return new TokenMatcher(this, ends);
    }
}
