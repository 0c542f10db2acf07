using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Qwen.Agents;

/// <summary>Adds <see cref="InputTruncatingChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class InputTruncatingChatClientBuilderExtensions
{
    /// <summary>Keeps each request's input within a token limit: oldest turns go first, then long tool results are shortened head…tail.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="options">The limit and the tokenizer; <see langword="null"/> for 58,000 approximate tokens.</param>
    /// <param name="loggerFactory">Where truncations are logged; <see langword="null"/> to take one from the builder's services.</param>
    /// <returns><paramref name="builder"/>, to chain.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>Put it inside <c>UseFunctionInvocation()</c> (call it after), so every model call of a tool loop is kept within the limit.</remarks>
    public static ChatClientBuilder UseInputTruncation(this ChatClientBuilder builder, InputTruncationOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => new InputTruncatingChatClient(inner, options, loggerFactory ?? services.GetService<ILoggerFactory>()));
    }
}
