namespace Qwen.Runtime;

/// <summary>The production <see cref="ITokenGenerator"/>: a loaded <see cref="QwenModel"/>.</summary>
internal sealed class ModelTokenGenerator(QwenModel model) : ITokenGenerator
{
    public string Name { get; } = Path.GetFileName(Path.TrimEndingDirectorySeparator(model.Directory));

    public int ContextLength => model.Config.ContextLength;

    public GenerationConfig GenerationConfig => model.GenerationConfig;

    public QwenModel? Model => model;

    public IAsyncEnumerable<GenerationUpdate> GenerateAsync(IReadOnlyList<int> promptIds, GenerationOptions options, CancellationToken cancellationToken) =>
        model.GenerateAsync(promptIds, options, cancellationToken);
}
