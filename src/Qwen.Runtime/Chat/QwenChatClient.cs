using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Qwen.Core;

namespace Qwen.Runtime;

/// <summary>A local Qwen model as a Microsoft.Extensions.AI <see cref="IChatClient"/>: the checkpoint's chat template, native tool calling (Hermes JSON, or Qwen3-Coder's XML when the template writes it) and Qwen3 reasoning.</summary>
/// <remarks>
/// Thread-safe: concurrent requests each get their own KV cache. Tool calls the model writes as <c>&lt;tool_call&gt;</c> come back as
/// <see cref="FunctionCallContent"/> (so <c>FunctionInvokingChatClient</c> can run them), reasoning in <c>&lt;think&gt;</c> as
/// <see cref="TextReasoningContent"/>. Set <see cref="EnableThinkingKey"/> in <see cref="ChatOptions.AdditionalProperties"/> to
/// <see langword="false"/> (or <see cref="ChatOptions.Reasoning"/> effort to <see cref="ReasoningEffort.None"/>) to turn Qwen3 thinking off.
/// </remarks>
public sealed class QwenChatClient : IChatClient
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key (value <see langword="true"/> or <see langword="false"/>) that sets the chat template's <c>enable_thinking</c> for one request.</summary>
    public const string EnableThinkingKey = "enable_thinking";

    private readonly ITokenGenerator _generator;
    private readonly QwenTokenizer _tokenizer;
    private readonly ChatTemplate _template;
    private readonly QwenChatClientOptions _defaults;
    private readonly ILogger _logger;
    private readonly ITokenDecoder _decoder;
    private readonly int[] _stopIds;
    private readonly ChatClientMetadata _metadata;
    private readonly QwenModel? _ownedModel;
    private readonly FunctionCallFormat _callFormat;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="QwenChatClient"/> class over a loaded model, reading tokenizer.json and the chat template from its directory.</summary>
    /// <param name="model">The model; the caller keeps ownership and disposes it after the client.</param>
    /// <param name="options">Defaults for requests; null for the defaults.</param>
    /// <param name="loggerFactory">Creates the client's logger (malformed tool calls from the model and unenforced schema keywords are logged as warnings); null for none.</param>
    /// <exception cref="TokenizerFormatException">The model directory's tokenizer files are missing or malformed.</exception>
    /// <exception cref="TemplateException">The chat template is missing or uses an unsupported construct.</exception>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public QwenChatClient(QwenModel model, QwenChatClientOptions? options = null, ILoggerFactory? loggerFactory = null)
        : this(model ?? throw new ArgumentNullException(nameof(model)), QwenTokenizer.FromDirectory(model.Directory), ChatTemplate.FromDirectory(model.Directory), options, loggerFactory)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="QwenChatClient"/> class over a loaded model with a given tokenizer and chat template.</summary>
    /// <param name="model">The model; the caller keeps ownership and disposes it after the client.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="template">The model's chat template.</param>
    /// <param name="options">Defaults for requests; null for the defaults.</param>
    /// <param name="loggerFactory">Creates the client's logger; null for none.</param>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public QwenChatClient(QwenModel model, QwenTokenizer tokenizer, ChatTemplate template, QwenChatClientOptions? options = null, ILoggerFactory? loggerFactory = null)
        : this(new ModelTokenGenerator(model ?? throw new ArgumentNullException(nameof(model))), tokenizer, template, options, ownedModel: null, loggerFactory)
    {
    }

    /// <summary>The constructor everything goes through; tests pass a scripted generator.</summary>
    internal QwenChatClient(ITokenGenerator generator, QwenTokenizer tokenizer, ChatTemplate template, QwenChatClientOptions? options, QwenModel? ownedModel, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(template);
        options ??= new QwenChatClientOptions();
        if (options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentOutOfRangeException(nameof(options), string.Join(" ", errors));
        }

        _generator = generator;
        _tokenizer = tokenizer;
        _template = template;
        _defaults = new QwenChatClientOptions
        {
            DefaultMaxOutputTokens = options.DefaultMaxOutputTokens,
            EnableThinking = options.EnableThinking,
            ModelId = options.ModelId,
        };
        _logger = (ILogger?)loggerFactory?.CreateLogger<QwenChatClient>() ?? NullLogger.Instance;
        _decoder = new TokenizerDecoder(tokenizer.Vocabulary);
        _ownedModel = ownedModel;

        // Qwen3-Coder's template writes calls as <function=NAME> XML; the other Qwen templates write Hermes JSON.
        _callFormat = template.Source.Contains(XmlFunctionCallFormat.FunctionOpen, StringComparison.Ordinal) ? FunctionCallFormat.Xml : FunctionCallFormat.Hermes;

        // Chat turns end with <|im_end|>; base checkpoints' generation_config.json often names only <|endoftext|>.
        _stopIds = [.. new[] { "<|im_end|>", "<|endoftext|>" }.Select(tokenizer.TokenToId).OfType<int>()];
        _metadata = new ChatClientMetadata("qwen-local", providerUri: null, defaultModelId: options.ModelId ?? generator.Name);
    }

    /// <summary>Loads a checkpoint and returns a client that owns the model (disposing the client disposes the model).</summary>
    /// <param name="directory">The checkpoint folder (config.json, safetensors, tokenizer.json, tokenizer_config.json), or a Hugging Face model name such as <c>Qwen/Qwen3-0.6B</c> (optionally <c>@REVISION</c>) found in the cache or downloaded into it; an existing folder wins over a name.</param>
    /// <param name="modelOptions">Device, dtype, threads and where model names are downloaded from; null for the defaults.</param>
    /// <param name="options">Defaults for requests; null for the defaults.</param>
    /// <param name="progress">Receives progress while the weights load.</param>
    /// <param name="loggerFactory">Creates the model's and the client's loggers; null for none.</param>
    /// <returns>The client.</returns>
    /// <exception cref="CheckpointFormatException">The checkpoint is missing files or malformed.</exception>
    /// <exception cref="TokenizerFormatException">The tokenizer files are missing or malformed.</exception>
    /// <exception cref="TemplateException">The chat template is missing or uses an unsupported construct.</exception>
    /// <exception cref="HubException">A model name could not be found, downloaded or verified.</exception>
    public static QwenChatClient Load(string directory, QwenModelOptions? modelOptions = null, QwenChatClientOptions? options = null, IProgress<LoadProgress>? progress = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        directory = HubClient.ResolveForLoad(directory, modelOptions?.Hub, modelOptions?.DownloadProgress);

        // Tokenizer and template first: a broken directory fails before the (slow) weights load.
        var tokenizer = QwenTokenizer.FromDirectory(directory);
        var template = ChatTemplate.FromDirectory(directory);
        var model = QwenModel.Load(directory, modelOptions, progress, loggerFactory);
        return new QwenChatClient(new ModelTokenGenerator(model), tokenizer, template, options, ownedModel: model, loggerFactory);
    }

    /// <inheritdoc/>
    /// <exception cref="ContextLengthExceededException">The rendered prompt does not fit in the model's context.</exception>
    /// <exception cref="ArgumentException">A message or option is invalid; the message names it.</exception>
    /// <exception cref="NotSupportedException">An option or content the runtime does not support (non-function tools).</exception>
    /// <exception cref="JsonGrammarException">The JSON schema of <see cref="ChatOptions.ResponseFormat"/> or of a forced tool is malformed or uses a keyword constrained decoding cannot honour.</exception>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="ContextLengthExceededException">The rendered prompt does not fit in the model's context (thrown here, before anything is generated).</exception>
    /// <exception cref="ArgumentException">A message or option is invalid; the message names it.</exception>
    /// <exception cref="NotSupportedException">An option or content the runtime does not support (non-function tools).</exception>
    /// <exception cref="JsonGrammarException">The JSON schema of <see cref="ChatOptions.ResponseFormat"/> or of a forced tool is malformed or uses a keyword constrained decoding cannot honour.</exception>
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var request = ChatRequest.Create(messages, options, _defaults, _template, _tokenizer, _generator, _stopIds, _decoder, _callFormat);
        return StreamAsync(request, options?.Tools?.OfType<AIFunctionDeclaration>().ToList(), cancellationToken);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        return serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(QwenModel) ? _generator.Model
            : serviceType == typeof(QwenTokenizer) ? _tokenizer
            : serviceType == typeof(ChatTemplate) ? _template
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>Disposes the model when the client owns it (made by <see cref="Load"/>); otherwise does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _ownedModel?.Dispose();
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(ChatRequest request, List<AIFunctionDeclaration>? tools, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var response = new ResponseWriter(request, _metadata.DefaultModelId!, _logger);
        response.WarnUnenforcedSchemaKeywords();
        var parser = FunctionCallFormats.CreateParser(_callFormat, new FunctionCallParserOptions { StartInReasoning = request.StartInReasoning, Tools = tools });
        if (request.Prefill.Length > 0 && response.Update(parser.Append(request.Prefill)) is { } first)
        {
            yield return first;
        }

        var outputTokens = 0;
        var finish = GenerationFinishReason.Stop;
        await foreach (var token in _generator.GenerateAsync(request.PromptIds, request.Generation, cancellationToken).ConfigureAwait(false))
        {
            outputTokens++;
            finish = token.FinishReason ?? finish;
            if (token.Text.Length > 0 && response.Update(parser.Append(token.Text)) is { } update)
            {
                yield return update;
            }

            // Leaving the loop disposes the generation, which frees its KV cache.
            if (parser.IsStopped || (response.ToolCalls > 0 && !request.AllowMultipleToolCalls))
            {
                finish = GenerationFinishReason.Stop;
                break;
            }
        }

        if (response.Update(parser.Complete()) is { } last)
        {
            yield return last;
        }

        yield return response.Finish(finish, outputTokens);
    }
}
