using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.Tokenizers;
using Qwen.Core;

namespace Qwen.Agents;

/// <summary>
/// Keeps a request's input within a token limit: the oldest turns go first (the system messages and the last user turn
/// stay), then long tool results are shortened to their head and tail with a marker saying how much was cut.
/// </summary>
/// <remarks>
/// A turn is a user message and everything after it up to the next user message, so a tool call never loses its result
/// and no call id, function name or role changes. What was dropped is logged. When the kept part alone is still too long
/// the request goes on (and a warning is logged): the model client then reports the overflow in its own terms.
/// </remarks>
public sealed class InputTruncatingChatClient : DelegatingChatClient
{
    /// <summary>Tokens a message costs beyond its text (the chat template's role markers).</summary>
    internal const int MessageOverheadTokens = 5;

    private readonly InputTruncationOptions _options;
    private readonly Tokenizer _tokenizer;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="InputTruncatingChatClient"/> class.</summary>
    /// <param name="innerClient">The model client.</param>
    /// <param name="options">The limit and the tokenizer; <see langword="null"/> for the defaults (58,000 tokens, approximate counts).</param>
    /// <param name="loggerFactory">Where truncations are logged; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range; the message names it.</exception>
    public InputTruncatingChatClient(IChatClient innerClient, InputTruncationOptions? options = null, ILoggerFactory? loggerFactory = null)
        : base(innerClient)
    {
        options ??= new InputTruncationOptions();
        if (options.MaxInputTokens is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxInputTokens, "InputTruncationOptions.MaxInputTokens must be at least 1.");
        }

        if (options.ContextLength is < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ContextLength, "InputTruncationOptions.ContextLength must be at least 2.");
        }

        if (options.DefaultOutputTokens < 1 || options.DefaultOutputTokens >= (options.ContextLength ?? int.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.DefaultOutputTokens, "InputTruncationOptions.DefaultOutputTokens must be at least 1 and below ContextLength.");
        }

        if (options.MinToolResultTokens < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MinToolResultTokens, "InputTruncationOptions.MinToolResultTokens must be at least 16.");
        }

        _options = new InputTruncationOptions
        {
            MaxInputTokens = options.MaxInputTokens,
            ContextLength = options.ContextLength,
            DefaultOutputTokens = options.DefaultOutputTokens,
            MinToolResultTokens = options.MinToolResultTokens,
            Tokenizer = options.Tokenizer,
        };
        // A checkpoint's client (QwenChatClient) offers its tokenizer as a service.
        _tokenizer = options.Tokenizer ?? innerClient.GetService<QwenTokenizer>() ?? (Tokenizer)ApproximateTokenizer.Instance;
        _logger = loggerFactory?.CreateLogger<InputTruncatingChatClient>() ?? NullLogger<InputTruncatingChatClient>.Instance;
    }

    /// <inheritdoc/>
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(Truncate(messages, options), options, cancellationToken);

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(Truncate(messages, options), options, cancellationToken);

    /// <summary>Gets the tokenizer that counts: the configured one, else the inner client's <see cref="QwenTokenizer"/>, else <see cref="ApproximateTokenizer"/>.</summary>
    internal Tokenizer Tokenizer => _tokenizer;

    /// <summary>Gets the input limit for a request: the explicit one, else the context minus the output budget, else 58,000.</summary>
    /// <param name="options">The request's options (their <c>MaxOutputTokens</c> is the output budget).</param>
    /// <returns>The most input tokens, at least 1.</returns>
    public int GetMaxInputTokens(ChatOptions? options = null)
    {
        if (_options.MaxInputTokens is { } max)
        {
            return max;
        }

        return _options.ContextLength is { } context
            ? Math.Max(1, context - (options?.MaxOutputTokens ?? _options.DefaultOutputTokens))
            : InputTruncationOptions.DefaultMaxInputTokens;
    }

    private IEnumerable<ChatMessage> Truncate(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var max = GetMaxInputTokens(options);
        var fixedTokens = ToolTokens(options);
        var counts = list.Select(Count).ToList();
        var total = fixedTokens + counts.Sum();
        if (total <= max)
        {
            return list;
        }

        var inputTokens = total;

        // Leading system messages stay; the last turn (from the last user message) stays; older turns go, oldest first.
        var systemEnd = 0;
        while (systemEnd < list.Count && list[systemEnd].Role == ChatRole.System)
        {
            systemEnd++;
        }

        var lastUser = -1;
        for (var i = list.Count - 1; i >= systemEnd; i--)
        {
            if (list[i].Role == ChatRole.User)
            {
                lastUser = i;
                break;
            }
        }

        var keepFrom = lastUser < 0 ? systemEnd : lastUser;
        var start = systemEnd;
        while (start < keepFrom && total > max)
        {
            var next = start + 1;
            while (next < keepFrom && list[next].Role != ChatRole.User)
            {
                next++;
            }

            for (var i = start; i < next; i++)
            {
                total -= counts[i];
            }

            start = next;
        }

        var kept = new List<ChatMessage>(list.Count - start + systemEnd);
        kept.AddRange(list.Take(systemEnd));
        kept.AddRange(list.Skip(start));
        var shortened = 0;
        if (total > max)
        {
            (total, shortened) = ShortenToolResults(kept, total, max);
        }

        AgentLog.Truncated(_logger, inputTokens, max, start - systemEnd, shortened, total);
        if (total > max)
        {
            AgentLog.StillTooLong(_logger, total, max);
        }

        return kept;
    }

    /// <summary>Cuts the longest tool results to one common size (head and tail) until the input fits or they are at their minimum.</summary>
    private (int Total, int Shortened) ShortenToolResults(List<ChatMessage> messages, int total, int max)
    {
        var results = new List<(int Message, int Content, string Text, int Tokens)>();
        for (var m = 0; m < messages.Count; m++)
        {
            for (var c = 0; c < messages[m].Contents.Count; c++)
            {
                if (messages[m].Contents[c] is FunctionResultContent result)
                {
                    var text = ResultText(result);
                    var tokens = _tokenizer.CountTokens(text);
                    if (tokens > _options.MinToolResultTokens)
                    {
                        results.Add((m, c, text, tokens));
                    }
                }
            }
        }

        if (results.Count == 0)
        {
            return (total, 0);
        }

        // The largest common cap that fits (water filling); never below the minimum a result keeps.
        var excess = total - max;
        var sizes = results.Select(r => r.Tokens).OrderDescending().ToList();
        var cap = _options.MinToolResultTokens;
        for (var candidate = sizes[0]; candidate >= _options.MinToolResultTokens; candidate -= Math.Max(1, candidate / 16))
        {
            var saved = sizes.Sum(s => Math.Max(0, s - candidate));
            if (saved >= excess)
            {
                cap = candidate;
                break;
            }
        }

        var shortened = 0;
        foreach (var (m, c, text, tokens) in results)
        {
            if (tokens <= cap)
            {
                continue;
            }

            var cut = Shorten(text, tokens, cap);
            var original = (FunctionResultContent)messages[m].Contents[c];
            var message = messages[m].Clone();
            message.Contents = [.. message.Contents];
            message.Contents[c] = new FunctionResultContent(original.CallId, cut)
            {
                Exception = original.Exception,
                AdditionalProperties = original.AdditionalProperties,
            };
            messages[m] = message;
            total += _tokenizer.CountTokens(cut) - tokens;
            shortened++;
        }

        return (total, shortened);
    }

    private string Shorten(string text, int tokens, int cap)
    {
        var marker = $"\n\n[… {{0}} of {tokens} tokens of this tool result were cut to fit the model's input limit …]\n\n";
        var keep = Math.Max(2, cap - _tokenizer.CountTokens(string.Format(System.Globalization.CultureInfo.InvariantCulture, marker, tokens)));
        var headEnd = _tokenizer.GetIndexByTokenCount(text, keep / 2, out _, out var headTokens, considerNormalization: false);
        var tailStart = _tokenizer.GetIndexByTokenCountFromEnd(text, keep - keep / 2, out _, out var tailTokens, considerNormalization: false);
        tailStart = Math.Max(tailStart, headEnd);
        var omitted = Math.Max(0, tokens - headTokens - tailTokens);
        return text[..headEnd] + string.Format(System.Globalization.CultureInfo.InvariantCulture, marker, omitted) + text[tailStart..];
    }

    private int Count(ChatMessage message)
    {
        var tokens = MessageOverheadTokens;
        foreach (var content in message.Contents)
        {
            tokens += content switch
            {
                TextContent text => _tokenizer.CountTokens(text.Text),
                TextReasoningContent reasoning => _tokenizer.CountTokens(reasoning.Text),
                FunctionCallContent call => _tokenizer.CountTokens(call.Name) + _tokenizer.CountTokens(System.Text.Json.JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions)) + MessageOverheadTokens,
                FunctionResultContent result => _tokenizer.CountTokens(ResultText(result)) + MessageOverheadTokens,
                _ => 0,
            };
        }

        return tokens;
    }

    private int ToolTokens(ChatOptions? options)
    {
        var tokens = 0;
        foreach (var tool in options?.Tools ?? [])
        {
            tokens += _tokenizer.CountTokens(tool.Name) + _tokenizer.CountTokens(tool.Description ?? string.Empty) + MessageOverheadTokens;
            if (tool is AIFunctionDeclaration function)
            {
                tokens += _tokenizer.CountTokens(function.JsonSchema.GetRawText());
            }
        }

        return tokens;
    }

    private static string ResultText(FunctionResultContent result) => result.Result switch
    {
        null => result.Exception?.Message ?? string.Empty,
        string text => text,
        TextContent content => content.Text,
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.String } element => element.GetString()!,
        var value => System.Text.Json.JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType())),
    };
}
