using Microsoft.Extensions.Logging;
using System.Runtime.CompilerServices;
using Qwen.Core;

namespace Qwen.Runtime.Tests;

/// <summary>
/// A token source that answers each request with the next scripted reply, tokenized by the real tokenizer and streamed token by
/// token (then <c>&lt;|im_end|&gt;</c>), so tool calls and reasoning can be tested end to end; records every prompt it is given.
/// </summary>
internal sealed class ScriptedGenerator(QwenTokenizer tokenizer, GenerationConfig config, params string[] replies) : ITokenGenerator
{
    private int _next;

    public string Name => "scripted";

    public int ContextLength { get; init; } = 4096;

    public GenerationConfig GenerationConfig => config;

    public QwenModel? Model => null;

    public List<string> Prompts { get; } = [];

    public List<GenerationOptions> Options { get; } = [];

    /// <summary>Gets how many tokens the client pulled, per request.</summary>
    public List<int> TokensPulled { get; } = [];

    public static ChatTemplate Template => ChatTemplate.FromDirectory(Fixtures.TinyModel("qwen3_tiny"));

    public static QwenTokenizer Tokenizer => QwenTokenizer.FromDirectory(Fixtures.TinyModel("qwen3_tiny"));

    public static (QwenChatClient Client, ScriptedGenerator Generator) Create(params string[] replies) => Create(null, replies);

    public static (QwenChatClient Client, ScriptedGenerator Generator) Create(QwenChatClientOptions? options, params string[] replies) => Create(options, null, replies);

    public static (QwenChatClient Client, ScriptedGenerator Generator) Create(QwenChatClientOptions? options, ILoggerFactory? loggerFactory, params string[] replies)
    {
        var tokenizer = Tokenizer;
        var generator = new ScriptedGenerator(tokenizer, GenerationConfig.Load(Fixtures.TinyModel("qwen3_tiny")), replies);
        return (new QwenChatClient(generator, tokenizer, Template, options, ownedModel: null, loggerFactory), generator);
    }

    public async IAsyncEnumerable<GenerationUpdate> GenerateAsync(IReadOnlyList<int> promptIds, GenerationOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Prompts.Add(tokenizer.Decode(promptIds));
        Options.Add(options);
        var request = TokensPulled.Count;
        TokensPulled.Add(0);
        var reply = replies[_next++];
        var decoder = tokenizer.CreateStreamingDecoder();
        var ids = tokenizer.EncodeToIds(reply);
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            TokensPulled[request]++;
            yield return new GenerationUpdate(id, decoder.Append(id));
        }

        TokensPulled[request]++;
        yield return new GenerationUpdate(tokenizer.TokenToId("<|im_end|>")!.Value, decoder.Flush(), GenerationFinishReason.Stop);
    }
}
