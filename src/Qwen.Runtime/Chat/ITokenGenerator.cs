namespace Qwen.Runtime;

/// <summary>What <see cref="QwenChatClient"/> needs of a model: its limits, its defaults and token generation.</summary>
/// <remarks>A seam so tests can script the tokens a request produces (a random tiny model never writes a tool call by itself).</remarks>
internal interface ITokenGenerator
{
    /// <summary>Gets the name responses report as their model id.</summary>
    string Name { get; }

    /// <summary>Gets the most tokens (prompt and generated) a sequence may hold.</summary>
    int ContextLength { get; }

    /// <summary>Gets the checkpoint's sampling defaults.</summary>
    GenerationConfig GenerationConfig { get; }

    /// <summary>Gets the object <see cref="QwenChatClient.GetService"/> hands out as the model, if any.</summary>
    QwenModel? Model { get; }

    /// <summary>Generates after <paramref name="promptIds"/>, one update per token.</summary>
    IAsyncEnumerable<GenerationUpdate> GenerateAsync(IReadOnlyList<int> promptIds, GenerationOptions options, CancellationToken cancellationToken);
}
