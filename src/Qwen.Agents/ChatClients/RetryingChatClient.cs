using System.ClientModel;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Qwen.Agents;

/// <summary>
/// Calls the model again after transient failures (timeouts, connection failures, HTTP 408, 429 and 5xx), with capped,
/// jittered exponential backoff that honours the server's <c>Retry-After</c>. Never retries other 4xx errors, the caller's
/// cancellation, or a stream that has already yielded content (what the caller saw cannot be taken back).
/// </summary>
/// <remarks>
/// Built on Polly.Core's retry strategy (backoff, jitter, injected <see cref="TimeProvider"/>); this class decides what is
/// transient for model clients: <see cref="ClientResultException.Status"/> (the OpenAI library's errors, 0 for a failed
/// connection), <see cref="HttpRequestException.StatusCode"/>, <see cref="TimeoutException"/>, <see cref="IOException"/>, and an
/// <see cref="OperationCanceledException"/> the caller did not ask for (an HTTP timeout).
/// </remarks>
public sealed class RetryingChatClient : DelegatingChatClient
{
    private readonly RetryingChatClientOptions _options;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="RetryingChatClient"/> class.</summary>
    /// <param name="innerClient">The model client whose calls are retried.</param>
    /// <param name="options">How often and how long to wait; <see langword="null"/> for the defaults (no retries).</param>
    /// <param name="loggerFactory">Where each retry is logged; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range; the message names it.</exception>
    public RetryingChatClient(IChatClient innerClient, RetryingChatClientOptions? options = null, ILoggerFactory? loggerFactory = null)
        : base(innerClient)
    {
        options ??= new RetryingChatClientOptions();
        Validate(options);
        _options = new RetryingChatClientOptions
        {
            MaxRetries = options.MaxRetries,
            BaseDelay = options.BaseDelay,
            MaxDelay = options.MaxDelay,
            UseJitter = options.UseJitter,
            MaxRetryAfter = options.MaxRetryAfter,
            TimeProvider = options.TimeProvider,
        };
        _time = options.TimeProvider ?? TimeProvider.System;
        var logger = loggerFactory?.CreateLogger<RetryingChatClient>() ?? NullLogger<RetryingChatClient>.Instance;
        _pipeline = options.MaxRetries == 0 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = options.UseJitter,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && ShouldRetry(e, args.Context.CancellationToken)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is { } e ? RetryAfter(e) : null),
                OnRetry = args =>
                {
                    AgentLog.Retrying(logger, Describe(args.Outcome.Exception), args.AttemptNumber + 1, options.MaxRetries, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <inheritdoc/>
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        return _pipeline.ExecuteAsync(
            static async (state, ct) => await state.Self.InnerClient.GetResponseAsync(state.List, state.Options, ct).ConfigureAwait(false),
            (Self: this, List: list, Options: options),
            cancellationToken).AsTask();
    }

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return StreamAsync(messages as IReadOnlyList<ChatMessage> ?? messages.ToList(), options, cancellationToken);
    }

    private static void Validate(RetryingChatClientOptions options)
    {
        if (options.MaxRetries is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxRetries, "RetryingChatClientOptions.MaxRetries must be between 0 and 100.");
        }

        if (options.BaseDelay <= TimeSpan.Zero || options.BaseDelay > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BaseDelay, "RetryingChatClientOptions.BaseDelay must be positive and at most a day.");
        }

        if (options.MaxDelay < options.BaseDelay || options.MaxDelay > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxDelay, "RetryingChatClientOptions.MaxDelay must be at least BaseDelay and at most a day.");
        }

        if (options.MaxRetryAfter < TimeSpan.Zero || options.MaxRetryAfter > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxRetryAfter, "RetryingChatClientOptions.MaxRetryAfter must be between zero and a day.");
        }
    }

    /// <summary>Whether <paramref name="exception"/> is worth another attempt.</summary>
    private bool ShouldRetry(Exception exception, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        if (RetryAfter(exception) is { } wait && wait > _options.MaxRetryAfter)
        {
            return false; // the server asks for a longer pause than the caller allows: fail now rather than hang
        }

        return exception switch
        {
            ClientResultException e => e.Status == 0 || IsTransientStatus(e.Status),
            HttpRequestException e => e.StatusCode is null || IsTransientStatus((int)e.StatusCode),
            TimeoutException or IOException => true,
            OperationCanceledException => true, // not the caller's token (checked above): an HTTP timeout
            _ => false,
        };
    }

    private static bool IsTransientStatus(int status) => status is 408 or 429 or (>= 500 and < 600);

    /// <summary>Reads <c>retry-after-ms</c> (OpenAI's) or <c>Retry-After</c> (seconds or an HTTP date) from an OpenAI-library error.</summary>
    private TimeSpan? RetryAfter(Exception exception)
    {
        var headers = (exception as ClientResultException)?.GetRawResponse()?.Headers;
        if (headers is null)
        {
            return null;
        }

        if (headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        if (!headers.TryGetValue("Retry-After", out var value) || string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? (date > _time.GetUtcNow() ? date - _time.GetUtcNow() : TimeSpan.Zero)
            : null;
    }

    private static string Describe(Exception? exception) => exception switch
    {
        ClientResultException { Status: > 0 } e => $"HTTP {e.Status}",
        HttpRequestException { StatusCode: { } status } => $"HTTP {(int)status} {status}",
        null => "no exception",
        _ => exception.GetType().Name + ": " + exception.Message,
    };

    /// <summary>Whether an update carries something for the caller; servers open streams with an empty <c>content</c>.</summary>
    private static bool HasContent(ChatResponseUpdate update) =>
        update.Contents.Any(c => c is not (TextContent { Text.Length: 0 } or TextReasoningContent { Text.Length: 0, ProtectedData: null }));

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Only the start of the stream is retried: until an update with content arrives, nothing reached the caller
        // (updates without content, such as the role announcement servers send first, are held until then).
        var (enumerator, held, hasMore) = await _pipeline.ExecuteAsync(
            static async (state, ct) =>
            {
                var attempt = state.Self.InnerClient.GetStreamingResponseAsync(state.Messages, state.Options, ct).GetAsyncEnumerator(ct);
                try
                {
                    var empty = new List<ChatResponseUpdate>();
                    while (await attempt.MoveNextAsync().ConfigureAwait(false))
                    {
                        empty.Add(attempt.Current);
                        if (HasContent(attempt.Current))
                        {
                            return (attempt, empty, true);
                        }
                    }

                    return (attempt, empty, false);
                }
                catch
                {
                    await attempt.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            },
            (Self: this, Messages: messages, Options: options),
            cancellationToken).ConfigureAwait(false);

        await using (enumerator.ConfigureAwait(false))
        {
            foreach (var update in held)
            {
                yield return update;
            }

            while (hasMore && await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                yield return enumerator.Current;
            }
        }
    }
}
