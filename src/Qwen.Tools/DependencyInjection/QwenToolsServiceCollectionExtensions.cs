using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.Tokenizers;
using Qwen.Core;
using Qwen.Tools;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Qwen tools, their shared services and the <see cref="ToolRegistry"/> with dependency injection.</summary>
public static class QwenToolsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the built-in tools (<c>doc_parser</c>, <c>retrieval</c>, <c>storage</c>, <c>web_extractor</c>) as <see cref="AIFunction"/>
    /// services, the <see cref="DocumentParser"/> and <see cref="DocumentRetriever"/> they share, and a <see cref="ToolRegistry"/> holding
    /// every registered <see cref="AIFunction"/>. When no <see cref="Tokenizer"/> is registered, <see cref="ApproximateTokenizer"/>
    /// counts tokens, and a log line says so.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the work directory and limits.</param>
    /// <returns>The services, for chaining.</returns>
    /// <remarks>The <see cref="ToolOptions"/> are validated when the host starts: a bad setting fails start with an <see cref="OptionsValidationException"/> naming it.</remarks>
    public static IServiceCollection AddQwenTools(this IServiceCollection services, Action<ToolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ToolOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ToolOptions>>(new OptionsSelfValidator<ToolOptions>(options => options.Validate())));
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<Tokenizer>(provider =>
        {
            if (provider.GetService<ILoggerFactory>() is { } loggerFactory)
            {
                ToolsLog.ApproximateTokenizerUsed(loggerFactory.CreateLogger("Qwen.Tools"));
            }

            return ApproximateTokenizer.Instance;
        });
        services.TryAddSingleton(provider => new DocumentParser(Options(provider).ParserOptions(), provider.GetService<ILoggerFactory>()));
        services.TryAddSingleton(provider => new DocumentRetriever(
            provider.GetRequiredService<DocumentParser>(),
            provider.GetRequiredService<Tokenizer>(),
            Options(provider).RetrieverOptions(),
            provider.GetService<ILoggerFactory>()));

        services.TryAddSingleton(provider => new DocParserTool(Options(provider), provider.GetRequiredService<DocumentParser>()));
        services.TryAddSingleton(provider => new RetrievalTool(Options(provider), provider.GetRequiredService<DocumentRetriever>()));
        services.TryAddSingleton(provider => new StorageTool(Options(provider)));
        services.TryAddSingleton(provider => new WebExtractorTool(Options(provider), provider.GetRequiredService<DocumentParser>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<AIFunction, DocParserTool>(provider => provider.GetRequiredService<DocParserTool>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<AIFunction, RetrievalTool>(provider => provider.GetRequiredService<RetrievalTool>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<AIFunction, StorageTool>(provider => provider.GetRequiredService<StorageTool>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<AIFunction, WebExtractorTool>(provider => provider.GetRequiredService<WebExtractorTool>()));

        services.TryAddSingleton(provider => new ToolRegistry(provider.GetServices<AIFunction>()));
        return services;
    }

    /// <summary>Registers any <see cref="AIFunction"/> (a C# method through <see cref="AIFunctionFactory"/>, an MCP tool) as a tool.</summary>
    /// <param name="services">The services.</param>
    /// <param name="tool">The tool.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddQwenTool(this IServiceCollection services, AIFunction tool)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(tool);
        services.AddSingleton(tool);
        return services;
    }

    /// <summary>Registers a tool type, built by the container, as a tool.</summary>
    /// <typeparam name="TTool">The tool type.</typeparam>
    /// <param name="services">The services.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddQwenTool<TTool>(this IServiceCollection services)
        where TTool : AIFunction
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<TTool>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<AIFunction, TTool>(provider => provider.GetRequiredService<TTool>()));
        return services;
    }

    private static ToolOptions Options(IServiceProvider provider) => provider.GetRequiredService<IOptions<ToolOptions>>().Value;
}
