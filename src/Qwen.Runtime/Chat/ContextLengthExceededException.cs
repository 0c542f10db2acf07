namespace Qwen.Runtime;

/// <summary>Thrown before generation when a rendered prompt does not fit in the model's context window.</summary>
public sealed class ContextLengthExceededException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="ContextLengthExceededException"/> class.</summary>
    /// <param name="promptTokens">The prompt's length in tokens.</param>
    /// <param name="contextLength">The model's context length in tokens.</param>
    public ContextLengthExceededException(int promptTokens, int contextLength)
        : base($"The prompt is {promptTokens} tokens, but the model's context length is {contextLength} tokens (at least one token must be left to generate); shorten the conversation.")
    {
        PromptTokens = promptTokens;
        ContextLength = contextLength;
    }

    /// <summary>Initializes a new instance of the <see cref="ContextLengthExceededException"/> class.</summary>
    public ContextLengthExceededException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ContextLengthExceededException"/> class.</summary>
    /// <param name="message">The message.</param>
    public ContextLengthExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ContextLengthExceededException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ContextLengthExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the prompt's length in tokens.</summary>
    public int PromptTokens { get; }

    /// <summary>Gets the model's context length in tokens.</summary>
    public int ContextLength { get; }
}
