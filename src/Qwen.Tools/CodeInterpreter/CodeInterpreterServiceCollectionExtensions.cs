using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Qwen.Tools;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the code interpreter with a service collection.</summary>
public static class CodeInterpreterServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="CodeInterpreter"/> (a singleton that owns the worker processes, configured through
    /// <see cref="CodeInterpreterOptions"/>) and a <see cref="CodeInterpreterTool"/> over its <c>default</c> session.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets folder and limits; <see langword="null"/> keeps the defaults.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <remarks>The <see cref="CodeInterpreterOptions"/> are validated when the host starts: a setting out of range fails start with an <see cref="OptionsValidationException"/> naming it.</remarks>
    public static IServiceCollection AddQwenCodeInterpreter(this IServiceCollection services, Action<CodeInterpreterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<CodeInterpreterOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CodeInterpreterOptions>>(new OptionsSelfValidator<CodeInterpreterOptions>(o => o.Validate())));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(provider => new CodeInterpreter(
            provider.GetRequiredService<IOptions<CodeInterpreterOptions>>().Value,
            provider.GetService<ILoggerFactory>()));
        services.TryAddSingleton(provider => new CodeInterpreterTool(provider.GetRequiredService<CodeInterpreter>()));

        // As an AIFunction service too, so the ToolRegistry of AddQwenTools holds it beside the other tools.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.AI.AIFunction, CodeInterpreterTool>(provider => provider.GetRequiredService<CodeInterpreterTool>()));
        return services;
    }
}
