using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;
using Qwen.Tools;

namespace Qwen.Agents;

/// <summary>What a <see cref="IRetrievalStrategy"/> works with: the conversation, the index over the documents, the budgets,
/// the prompt language and the model.</summary>
public sealed class RetrievalContext
{
    /// <summary>Initializes a new instance of the <see cref="RetrievalContext"/> class.</summary>
    /// <param name="conversation">The conversation so far; the last user message holds the question.</param>
    /// <param name="index">The BM25 index over every chunk of the documents.</param>
    /// <param name="tokenBudget">The most tokens the returned chunks and evidence may hold together.</param>
    /// <param name="language">The language of the built-in prompts.</param>
    /// <param name="chatClient">The model, for strategies that ask it (its calls count as the agent's).</param>
    /// <param name="tokenizer">Counts tokens for the budgets.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokenBudget"/> is not positive, or <paramref name="language"/> is <see cref="AgentLanguage.Auto"/>.</exception>
    public RetrievalContext(IReadOnlyList<ChatMessage> conversation, ChunkIndex index, int tokenBudget, AgentLanguage language, IChatClient chatClient, Tokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokenBudget, 1);
        if (language == AgentLanguage.Auto)
        {
            throw new ArgumentOutOfRangeException(nameof(language), language, "A retrieval runs in a resolved language: English or Chinese.");
        }

        Conversation = conversation;
        Index = index;
        TokenBudget = tokenBudget;
        Language = language;
        ChatClient = chatClient;
        Tokenizer = tokenizer;
        Question = conversation.LastOrDefault(m => m.Role == ChatRole.User)?.Text.Trim() ?? string.Empty;
    }

    /// <summary>Gets the conversation so far.</summary>
    public IReadOnlyList<ChatMessage> Conversation { get; }

    /// <summary>Gets the question: the text of the last user message (empty when there is none).</summary>
    public string Question { get; }

    /// <summary>Gets the BM25 index over every chunk of the documents.</summary>
    public ChunkIndex Index { get; }

    /// <summary>Gets the most tokens the returned chunks and evidence may hold together.</summary>
    public int TokenBudget { get; }

    /// <summary>Gets the language of the built-in prompts (English or Chinese).</summary>
    public AgentLanguage Language { get; }

    /// <summary>Gets the model; calls made through it are counted, logged and added to the agent run's usage.</summary>
    public IChatClient ChatClient { get; }

    /// <summary>Gets the tokenizer that counts tokens for the budgets.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>Gets or initializes the most tokens the prompt of any one model call of the strategy may hold
    /// (messages and chat-template overhead); <see langword="null"/> for no limit.</summary>
    public int? MaxPromptTokens { get; init; }

    /// <summary>Gets or initializes where chunk-reading progress is reported; <see langword="null"/> for nowhere.</summary>
    public IProgress<ChunkReadingProgress>? Progress { get; init; }
}
