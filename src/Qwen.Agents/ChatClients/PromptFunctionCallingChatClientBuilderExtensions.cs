using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Qwen.Agents;

/// <summary>Adds <see cref="PromptFunctionCallingChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class PromptFunctionCallingChatClientBuilderExtensions
{
    /// <summary>Describes tools in the prompt and parses calls from the model's text, for models or servers without native tool calls.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="options">The format and its language; <see langword="null"/> for Hermes.</param>
    /// <param name="loggerFactory">Where malformed calls are logged; <see langword="null"/> to take one from the builder's services.</param>
    /// <returns><paramref name="builder"/>, to chain.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>Put it inside <c>UseFunctionInvocation()</c> (call it after), so the invoking client sees the parsed calls.</remarks>
    public static ChatClientBuilder UsePromptFunctionCalling(this ChatClientBuilder builder, PromptFunctionCallingOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
            new PromptFunctionCallingChatClient(inner, options, loggerFactory ?? services.GetService<ILoggerFactory>()));
    }
}
