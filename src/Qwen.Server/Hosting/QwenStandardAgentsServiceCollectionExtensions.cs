using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Tokenizers;
using Qwen.Agents;
using Qwen.Core;
using Qwen.Server;
using Qwen.Tools;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Offers Qwen.Agents' own agents and built-in tools on the agent API and the browser UI.</summary>
public static class QwenStandardAgentsServiceCollectionExtensions
{
    /// <summary>The built-in tools, by the names models call them.</summary>
    public static readonly IReadOnlyList<string> BuiltInToolNames =
        [CodeInterpreterTool.ToolName, DocParserTool.ToolName, RetrievalTool.ToolName, StorageTool.ToolName, WebExtractorTool.ToolName];

    /// <summary>
    /// Registers the agents <c>assistant</c> (<see cref="Assistant"/>, reading the session's uploaded documents), <c>docqa</c>
    /// (<see cref="ParallelDocQAAgent"/>, for long documents), <c>fncall</c> (<see cref="FnCallAgent"/>) and <c>react</c> (<see cref="ReActChat"/>) over the first served model,
    /// and the built-in tools named in <paramref name="tools"/>, each confined to the session's directory (the code interpreter runs one
    /// sandboxed session per chat session, in the same directory, so it reads the uploads).
    /// </summary>
    /// <param name="services">The services (call <c>AddQwenServer</c> too).</param>
    /// <param name="tools">The built-in tools to offer (see <see cref="BuiltInToolNames"/>); null for all of them.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentException">A name in <paramref name="tools"/> is not a built-in tool.</exception>
    /// <remarks>Token counts for retrieval use a registered <see cref="Tokenizer"/>, or <see cref="ApproximateTokenizer"/> without one.</remarks>
    public static IServiceCollection AddQwenStandardAgents(this IServiceCollection services, IEnumerable<string>? tools = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var chosen = tools?.ToList() ?? [.. BuiltInToolNames];
        if (chosen.FirstOrDefault(t => !BuiltInToolNames.Contains(t)) is { } unknown)
        {
            throw new ArgumentException($"'{unknown}' is not a built-in tool; the built-in tools are {string.Join(", ", BuiltInToolNames)}.", nameof(tools));
        }

        services.AddSingleton(provider => new ServedAgent("assistant", "Assistant: answers from the uploaded documents (retrieval into its prompt) and calls the chosen tools (Qwen-Agent's Assistant).", context =>
            new Assistant(context.ChatClient, new AssistantOptions { Name = "assistant", Tools = [.. context.Tools], Documents = Documents(context, provider) }, provider.GetService<ILoggerFactory>())));
        services.AddSingleton(provider => new ServedAgent("docqa", "Long documents: reads every chunk of the uploads in parallel, then answers from what is relevant (Level 2 of the long-context agent).", context =>
            new ParallelDocQAAgent(context.ChatClient, new DocQAOptions { Name = "docqa", Documents = Documents(context, provider) }, provider.GetService<ILoggerFactory>())));
        services.AddSingleton(provider => new ServedAgent("fncall", "Function calling: the model calls the chosen tools until it can answer (Qwen-Agent's FnCallAgent).", context =>
            new FnCallAgent(context.ChatClient, new FnCallAgentOptions { Name = "fncall", Tools = [.. context.Tools] }, provider.GetService<ILoggerFactory>())));
        services.AddSingleton(provider => new ServedAgent("react", "ReAct: Thought / Action / Observation in plain text, for models without native tool calls (Qwen-Agent's ReActChat).", context =>
            new ReActChat(context.ChatClient, new FnCallAgentOptions { Name = "react", Tools = [.. context.Tools] }, provider.GetService<ILoggerFactory>())));

        if (chosen.Contains(CodeInterpreterTool.ToolName))
        {
            // One interpreter for the server: its sessions are the chat sessions, its folders their directories.
            services.TryAddSingleton(provider => new CodeInterpreter(new CodeInterpreterOptions { WorkDirectory = provider.GetRequiredService<SessionStore>().Root }, provider.GetService<ILoggerFactory>()));
            services.AddSingleton(provider => new ServedTool(CodeInterpreterTool.ToolName, "Runs JavaScript in a sandbox: data analysis, CSV files, charts.", context =>
                [new CodeInterpreterTool(provider.GetRequiredService<CodeInterpreter>(), context.SessionId)]));
        }

        static ToolOptions In(ServedAgentContext context) => new() { WorkDirectory = context.SessionDirectory };
        foreach (var name in chosen)
        {
            switch (name)
            {
                case DocParserTool.ToolName:
                    services.AddQwenServedTool(new ServedTool(name, "Reads uploaded documents (PDF, Office, HTML, CSV, ...) page by page.", context => [new DocParserTool(In(context))]));
                    break;
                case RetrievalTool.ToolName:
                    services.AddSingleton(provider => new ServedTool(name, "Finds the passages of uploaded documents that answer a query (BM25).", context =>
                        [new RetrievalTool(In(context), provider.GetService<Tokenizer>() ?? ApproximateTokenizer.Instance)]));
                    break;
                case StorageTool.ToolName:
                    services.AddQwenServedTool(new ServedTool(name, "Saves and reads notes in the session's directory.", context => [new StorageTool(In(context))]));
                    break;
                case WebExtractorTool.ToolName:
                    services.AddQwenServedTool(new ServedTool(name, "Fetches a public web page and extracts its text.", context => [new WebExtractorTool(In(context))]));
                    break;
            }
        }

        return services;
    }

    /// <summary>The session's uploaded documents (not its images or other files), with the model's tokenizer when one is registered.</summary>
    private static DocumentOptions Documents(ServedAgentContext context, IServiceProvider provider) => new()
    {
        Files = [.. context.Files.Where(f => DocumentExtensions.Contains(Path.GetExtension(f))).Select(f => Path.Combine(context.SessionDirectory, f))],
        Tokenizer = provider.GetService<Tokenizer>(),
    };

    private static readonly HashSet<string> DocumentExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".pdf", ".docx", ".pptx", ".xlsx", ".html", ".htm", ".txt", ".md", ".csv", ".tsv", ".json",
    };
}
