using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Qwen.Agents;

/// <summary>
/// Middleware that refuses any model call whose prompt is longer than a token budget (throwing
/// <see cref="PromptBudgetExceededException"/> before anything is sent) and records how many calls went through and the
/// longest prompt. The document QA agents put one in front of their model; hosts may add their own to report the numbers.
/// </summary>
/// <remarks>Prompts are counted as a Qwen chat template lays them out (text, tool calls and results, tool schemas and the
/// per-message frame) with the given tokenizer. Thread-safe.</remarks>
public sealed class PromptBudgetChatClient : DelegatingChatClient
{
    private readonly Tokenizer _tokenizer;
    private int _modelCalls;
    private int _maxPromptTokens;

    /// <summary>Initializes a new instance of the <see cref="PromptBudgetChatClient"/> class.</summary>
    /// <param name="innerClient">The model.</param>
    /// <param name="tokenizer">Counts prompt tokens (the model's tokenizer, or <c>ApproximateTokenizer</c>).</param>
    /// <param name="maxPromptTokens">The most tokens one prompt may hold.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> or <paramref name="tokenizer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPromptTokens"/> is not positive.</exception>
    public PromptBudgetChatClient(IChatClient innerClient, Tokenizer tokenizer, int maxPromptTokens)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPromptTokens, 1);
        _tokenizer = tokenizer;
        MaxPromptTokens = maxPromptTokens;
    }

    /// <summary>Gets the most tokens one prompt may hold.</summary>
    public int MaxPromptTokens { get; }

    /// <summary>Gets how many model calls went through.</summary>
    public int ModelCalls => Volatile.Read(ref _modelCalls);

    /// <summary>Gets the tokens of the longest prompt that went through.</summary>
    public int LongestPromptTokens => Volatile.Read(ref _maxPromptTokens);

    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = Admit(messages, options);
        return base.GetResponseAsync(list, options, cancellationToken);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = Admit(messages, options);
        await foreach (var update in base.GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private List<ChatMessage> Admit(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        List<ChatMessage> list = [.. messages];
        var tokens = PromptTokens.Count(_tokenizer, list, options);
        if (tokens > MaxPromptTokens)
        {
            throw new PromptBudgetExceededException(tokens, MaxPromptTokens,
                "shorten the question or the conversation, or raise the budget (a model with a larger context).");
        }

        Interlocked.Increment(ref _modelCalls);
        int seen;
        while (tokens > (seen = Volatile.Read(ref _maxPromptTokens)) && Interlocked.CompareExchange(ref _maxPromptTokens, tokens, seen) != seen)
        {
        }

        return list;
    }
}
