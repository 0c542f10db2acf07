using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Qwen.Tools;

namespace Qwen.Agents;

/// <summary>
/// Level 3, multi-hop: a <see cref="FnCallAgent"/> whose one tool, <c>ask_document</c>, is a <see cref="ParallelDocQAAgent"/>
/// (agent as tool, through Microsoft Agent Framework's <c>AsAIFunction</c>). The model asks one sub-question at a time, keeps
/// the answers in its conversation and asks the next from them until it can answer the original question, e.g. "which vehicle
/// was invented in the same century as the Fifth Symphony was composed?". <see cref="DocQAOptions.MaxModelCalls"/> caps its
/// steps as <see cref="FnCallAgentOptions.MaxModelCalls"/> does, and no call's prompt, its own or its reader's, exceeds
/// <see cref="DocQAOptions.TokenBudget"/>.
/// </summary>
/// <remarks>Each sub-answer enters the conversation cut to an eighth of the budget, so several hops fit. The knowledge of every
/// sub-question is reported together at the end (see <see cref="RetrievalUpdateExtensions.GetKnowledge(AgentResponse)"/>).</remarks>
public sealed class MultiHopDocQAAgent : FnCallAgent, IDisposable
{
    /// <summary>The name of the tool the model calls.</summary>
    public const string ToolName = "ask_document";

    private readonly DocQAOptions _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly DocumentLibrary _library;

    /// <summary>Initializes a new instance of the <see cref="MultiHopDocQAAgent"/> class.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="options">The documents, the budget, the reader's settings and the step cap; <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">Creates the agent's logger; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="chatClient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public MultiHopDocQAAgent(IChatClient chatClient, DocQAOptions? options = null, ILoggerFactory? loggerFactory = null)
        : base(DocQAAgent.GuardModel(chatClient, options ??= new DocQAOptions()), LoopOptions(options), loggerFactory)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _library = new DocumentLibrary(options.Documents, loggerFactory);
    }

    /// <summary>Gets the level: 3.</summary>
    public int Level => 3;

    /// <summary>Gets the most tokens the prompt of any one model call holds.</summary>
    public int TokenBudget => _options.TokenBudget;

    /// <summary>Gets the library, for tests.</summary>
    internal DocumentLibrary Library => _library;

    /// <inheritdoc />
    public void Dispose() => _library.Dispose();

    /// <inheritdoc />
    protected override async IAsyncEnumerable<AgentResponseUpdate> RunStepsAsync(AgentRun run, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var files = MessageFiles.All(_options.Documents.Files, run.Messages, _library);
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"{nameof(MultiHopDocQAAgent)} has no documents: set {nameof(DocQAOptions)}.{nameof(DocQAOptions.Documents)}.{nameof(DocumentOptions.Files)} or attach files to the message.");
        }

        var found = new ConcurrentQueue<RetrievedKnowledge>();
        // The reader's calls go through this run's model, so they count in its model calls and usage (and meet the same budget).
        using var reader = new ParallelDocQAAgent(GetRunChatClient(run), ReaderOptions(files), _loggerFactory, _library);
        var tool = new SubAnswerFunction(reader.AsAIFunction(new AIFunctionFactoryOptions { Name = ToolName, Description = RetrievalPrompts.MultiHopToolDescription(run.Language) }),
            _options.Documents.EffectiveTokenizer, _options.TokenBudget / 8, reader, found);
        run.ChatOptions.Tools = [.. run.ChatOptions.Tools ?? [], tool];
        RetrievalUpdateExtensions.AddToSystemMessage(run.Messages, RetrievalPrompts.MultiHop(run.Language, ToolName));

        await foreach (var update in base.RunStepsAsync(run, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }

        var all = found.ToList();
        yield return RetrievalUpdateExtensions.PropertyUpdate(run, RetrievalUpdateExtensions.KnowledgeKey, new RetrievedKnowledge(
            [.. all.SelectMany(k => k.Chunks).DistinctBy(c => (c.Chunk.Source, c.Chunk.Index))],
            [.. all.SelectMany(k => k.Evidence).Distinct()]));
    }

    private static FnCallAgentOptions LoopOptions(DocQAOptions options) => new()
    {
        Name = options.Name,
        Description = options.Description,
        Instructions = options.Instructions,
        Language = options.Language,
        ChatOptions = options.ChatOptions,
        MaxModelCalls = options.MaxModelCalls,
        MaxConcurrentToolCalls = 1, // sub-questions one at a time: each already reads every chunk concurrently
    };

    /// <summary>The reader answers sub-questions over this run's files, with this agent's budget and chunk reading settings.</summary>
    private DocQAOptions ReaderOptions(List<string> files) => new()
    {
        Name = ToolName,
        Language = _options.Language,
        Documents = new DocumentOptions { Files = files, Tokenizer = _options.Documents.Tokenizer, Retrieval = _options.Documents.Retrieval, Retriever = _options.Documents.Retriever },
        TokenBudget = _options.TokenBudget,
        ChunkReading = _options.ChunkReading,
        Progress = _options.Progress,
    };

    /// <summary>
    /// The reader as a tool: MAF's <c>AsAIFunction</c> runs it on the sub-question; this keeps the knowledge it answered from
    /// (which <c>AsAIFunction</c>'s text result drops) and cuts the answer to its share of the conversation.
    /// </summary>
    private sealed class SubAnswerFunction(AIFunction inner, Microsoft.ML.Tokenizers.Tokenizer tokenizer, int maxTokens, ParallelDocQAAgent reader, ConcurrentQueue<RetrievedKnowledge> found)
        : DelegatingAIFunction(inner)
    {
        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            reader.KnowledgeFound += found.Enqueue;
            object? result;
            try
            {
                result = await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                reader.KnowledgeFound -= found.Enqueue;
            }

            var text = result switch
            {
                string s => s,
                JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? string.Empty,
                null => string.Empty,
                _ => JsonSerializer.Serialize(result),
            };
            return Cut(text);
        }

        private string Cut(string text)
        {
            if (tokenizer.CountTokens(text) <= maxTokens)
            {
                return text;
            }

            var index = tokenizer.GetIndexByTokenCount(text, maxTokens, out _, out _);
            return text[..index] + " …";
        }
    }
}
