using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Qwen.Agents;

/// <summary>Adds <see cref="RetryingChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class RetryingChatClientBuilderExtensions
{
    /// <summary>Retries model calls that fail transiently (timeouts, 429, 5xx) with capped, jittered exponential backoff.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="options">How often and how long to wait; <see langword="null"/> for the defaults, which retry nothing (set <see cref="RetryingChatClientOptions.MaxRetries"/>).</param>
    /// <param name="loggerFactory">Where each retry is logged; <see langword="null"/> to take one from the builder's services.</param>
    /// <returns><paramref name="builder"/>, to chain.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>Put it innermost (call it last), next to the model client, so that only the model call is repeated.</remarks>
    public static ChatClientBuilder UseRetries(this ChatClientBuilder builder, RetryingChatClientOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => new RetryingChatClient(inner, options, loggerFactory ?? services.GetService<ILoggerFactory>()));
    }
}
