namespace Qwen.Agents;

/// <summary>A model call would have sent a prompt longer than the configured token budget; it was not sent.</summary>
public sealed class PromptBudgetExceededException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="PromptBudgetExceededException"/> class.</summary>
    /// <param name="promptTokens">The tokens of the prompt that was refused.</param>
    /// <param name="budget">The budget.</param>
    /// <param name="detail">What the prompt was for and what to change.</param>
    public PromptBudgetExceededException(int promptTokens, int budget, string detail)
        : base($"A model call would send {promptTokens} prompt tokens, more than the budget of {budget}: {detail}")
    {
        PromptTokens = promptTokens;
        Budget = budget;
    }

    /// <summary>Gets the tokens of the prompt that was refused.</summary>
    public int PromptTokens { get; }

    /// <summary>Gets the budget.</summary>
    public int Budget { get; }
}
