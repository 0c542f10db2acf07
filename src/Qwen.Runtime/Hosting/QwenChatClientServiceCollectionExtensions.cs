using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Qwen.Runtime;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a local Qwen model as the application's <see cref="IChatClient"/>.</summary>
public static class QwenChatClientServiceCollectionExtensions
{
    /// <summary>Registers a singleton <see cref="IChatClient"/> backed by a local Qwen checkpoint, configured in code.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets <see cref="QwenHostingOptions.ModelPath"/> and the rest.</param>
    /// <returns>A <see cref="ChatClientBuilder"/> over the local model, as <c>AddChatClient</c> returns: add middleware with <c>.UseFunctionInvocation()</c>, <c>.UseLogging()</c>, <c>.UseOpenTelemetry()</c>, ...; the registered <see cref="IChatClient"/> is the built pipeline.</returns>
    /// <remarks>Options are validated when the host starts (an <see cref="OptionsValidationException"/> names each bad field); the model loads once, at start when <see cref="QwenHostingOptions.LoadAtStart"/> is set, otherwise on the first request, and is disposed with the container. The model and the client log through the container's <c>ILoggerFactory</c>.</remarks>
    public static ChatClientBuilder AddQwenChatClient(this IServiceCollection services, Action<QwenHostingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<QwenHostingOptions>().Configure(configure).ValidateOnStart();
        return AddCore(services);
    }

    /// <summary>Registers a singleton <see cref="IChatClient"/> backed by a local Qwen checkpoint, bound from configuration.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section holding <c>ModelPath</c>, <c>Model:Device</c>, <c>Chat:EnableThinking</c>, ... (for example <c>builder.Configuration.GetSection("Qwen")</c>; environment variables such as <c>Qwen__Model__Device</c> bind the same way).</param>
    /// <param name="configure">Further settings applied after binding; null for none.</param>
    /// <returns>A <see cref="ChatClientBuilder"/> over the local model, for adding middleware.</returns>
    /// <remarks>Validation, loading and disposal work as for <see cref="AddQwenChatClient(IServiceCollection, Action{QwenHostingOptions})"/>.</remarks>
    public static ChatClientBuilder AddQwenChatClient(this IServiceCollection services, IConfiguration configuration, Action<QwenHostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddOptions<QwenHostingOptions>().Bind(configuration);
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        return AddCore(services);
    }

    private static ChatClientBuilder AddCore(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QwenHostingOptions>, QwenHostingOptionsValidator>());
        services.TryAddSingleton<HostedQwenChatClient>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, QwenModelPreloader>());

        // The pipeline built over the one hosted client is the app's IChatClient; the container disposes both, and the hosted client tolerates it.
        return services.AddChatClient(sp => sp.GetRequiredService<HostedQwenChatClient>());
    }
}
